import { defineModel, procedure, range, thread, type ThreadSpec } from '../src/index.ts';
import { forVariants } from './kernel/props.ts';
import { blockingRwlock, rwlockAssertions } from './kernel/rwlock.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './kernel/spinlock.ts';
import { kernelState, type KernelState } from './kernel/state.ts';

/**
 * M10 `bbuddy_level_locks` (MODELS.md): the heap page allocator lib/ukallocbbuddy/bbuddy.c
 * (bbuddy_palloc, bbuddy_pfree, map_alloc, map_free) with PR #801's per-order level_locks[] and
 * global_lock, over 4 pages in chunks of order 0..2. `map` is the page bitmap (1 = allocated;
 * map_alloc / map_free are a load and a store under global_lock), `nr_free_pages` is updated
 * with uk_fetch_sub / uk_fetch_add, `head[p]` is the order stored in a free chunk's head (-1:
 * not a free chunk head).
 *
 * Variants: V801 (palloc calls map_alloc twice: once under the level lock, once at the end as
 * before; one core), Vdiploma (f86aaf13: one map_alloc; pfree keeps each level lock while it
 * merges upwards; map_* under global_lock inside the level locks), V946 (PR #946: pfree calls
 * release_physical_memory → uk_vma_advise → uk_rwlock_rlock(vma_list_lock), a blocking lock,
 * while holding level_locks[order]; another core holds vma_list_lock for writing).
 *
 * `cores` (Vdiploma, default 2): C0 allocates an order-1 chunk and C1 frees page 0; every
 * further core allocates one page (order 0).
 */
export type M10Variant = 'V801' | 'Vdiploma' | 'V946';
type Params = { variant: M10Variant; cores: number };
type Shared = KernelState & {
  fl: number[][];
  head: number[];
  map: number;
  nr_free_pages: number;
  /** Ghost: owners per page. */
  owners: number[];
};

const MAX_ORDER = 2;
const L = (i: number) => `level_locks[${i}]`;
const pagesOf = (chunk: number, order: number) => range(1 << order).map((i) => chunk + i);
const bitsOf = (chunk: number, order: number) => pagesOf(chunk, order).reduce((m, p) => m | (1 << p), 0);

/** map_alloc / map_free of `order` pages at `chunk`: the bitmap under global_lock, then the counter. */
function mapProcedure(name: 'map_alloc' | 'map_free') {
  const free = name === 'map_free';
  return procedure<Shared, Params, { chunk: number; order: number; w: number }>(name, {
    lock_global: (s, t) => { t.call(spin_lock, { lock: 'global_lock' }); },
    map_load: (s, t) => { t.w = s.map; },
    map_store: (s, t) => {
      s.map = free ? t.w & ~bitsOf(t.chunk, t.order) : t.w | bitsOf(t.chunk, t.order);
      if (free) for (const pg of pagesOf(t.chunk, t.order)) s.owners[pg]! -= 1;
    },
    nr_free_pages: (s, t) => { s.nr_free_pages += free ? 1 << t.order : -(1 << t.order); }, // uk_fetch_add / uk_fetch_sub
    unlock_global: (s, t) => { t.call(spin_unlock, { lock: 'global_lock' }); },
  });
}
const map_alloc = mapProcedure('map_alloc');
const map_free = mapProcedure('map_free');

/** bbuddy_palloc(order): find a non-empty level upwards (one level lock at a time), unlink, map_alloc, split down. */
const palloc = procedure<Shared, Params, PallocLocals>('bbuddy_palloc', {
  lock_level: (s, t) => {
    if (t.i > MAX_ORDER) return t.ret(-1); // out of memory
    t.call(spin_lock, { lock: L(t.i) });
  },
  check_level: (s, t) => {
    if (s.fl[t.i]!.length > 0) return;
    t.i += 1;
    t.call(spin_unlock, { lock: L(t.i - 1) }, { then: 'lock_level' });
  },
  unlink_chunk: (s, t) => {
    t.chunk = s.fl[t.i]![0];
    s.fl[t.i] = s.fl[t.i]!.slice(1);
    s.head[t.chunk] = -1;
    for (const pg of pagesOf(t.chunk, t.order)) s.owners[pg]! += 1;
  },
  map_alloc: (s, t) => { t.call(map_alloc, { chunk: t.chunk, order: t.order }); }, // under the level lock
  unlock_level: (s, t) => { t.call(spin_unlock, { lock: L(t.i) }); },
  split_lock: (s, t) => {
    if (t.i === t.order) return t.goto('map_alloc_again');
    t.i -= 1;
    t.call(spin_lock, { lock: L(t.i) });
  },
  split_link_spare: (s, t) => {
    const spare = t.chunk + (1 << t.i);
    s.fl[t.i] = [...s.fl[t.i]!, spare];
    s.head[spare] = t.i;
  },
  split_unlock: (s, t) => { t.call(spin_unlock, { lock: L(t.i) }, { then: 'split_lock' }); },
  // PR #801 kept the original call at the end of palloc: nr_free_pages drops twice.
  map_alloc_again: (s, t, p) => { if (p.variant === 'V801') t.call(map_alloc, { chunk: t.chunk, order: t.order }); },
});

/** bbuddy_pfree(chunk, order): map_free, then merge upwards keeping every level lock, link, unlock all. */
const pfree = procedure<Shared, Params, PfreeLocals>('bbuddy_pfree', {
  lock_level: (s, t) => {
    t.held = [t.order];
    t.call(spin_lock, { lock: L(t.order) });
  },
  map_free: (s, t) => { t.call(map_free, { chunk: t.chunk, order: t.order }); },
  buddy_map: (s, t) => {
    t.buddy = t.chunk ^ (1 << t.order);
    if (t.order === MAX_ORDER || (s.map & bitsOf(t.buddy, t.order)) !== 0) t.goto('link_chunk');
  },
  buddy_head: (s, t) => { if (s.head[t.buddy] !== t.order) t.goto('link_chunk'); },
  unlink_buddy: (s, t) => {
    s.fl[t.order] = s.fl[t.order]!.filter((c) => c !== t.buddy);
    s.head[t.buddy] = -1;
  },
  lock_next_level: (s, t) => {
    t.chunk = Math.min(t.chunk, t.buddy);
    t.order += 1;
    t.held = [...t.held, t.order];
    t.call(spin_lock, { lock: L(t.order) }, { then: 'buddy_map' });
  },
  link_chunk: (s, t) => {
    s.fl[t.order] = [...s.fl[t.order]!, t.chunk];
    s.head[t.chunk] = t.order;
  },
  // PR #946: release_physical_memory → uk_vma_advise(DONTNEED) → vmem_vma_find → rlock(vma_list_lock).
  release_physical_memory: (s, t, p) => {
    if (p.variant === 'V946') t.call(blockingRwlock.rlock, { rw: 'vma_list_lock' });
    else t.goto('unlock_levels');
  },
  advise_runlock: (s, t) => { t.call(blockingRwlock.runlock, { rw: 'vma_list_lock' }); },
  unlock_levels: (s, t) => {
    const last = t.held[t.held.length - 1];
    t.held = t.held.slice(0, -1);
    if (t.held.length > 0) t.call(spin_unlock, { lock: L(last) }, { then: 'unlock_levels' });
    else t.call(spin_unlock, { lock: L(last) });
  },
});

/** V946's other core: uk_vma_map holds vma_list_lock for writing. */
const vma_map = procedure<Shared, Params, {}>('uk_vma_map', {
  wlock: (s, t) => { t.call(blockingRwlock.wlock, { rw: 'vma_list_lock' }); },
  wunlock: (s, t) => { t.call(blockingRwlock.wunlock, { rw: 'vma_list_lock' }); },
});

function threadsOf(p: Params): ThreadSpec[] {
  if (p.variant === 'V801') return [thread('C0', palloc, { order: 0, i: 0 })];
  if (p.variant === 'V946') return [thread('C0', pfree, { chunk: 0, order: 0 }), thread('C1', vma_map)];
  const pages = range(p.cores).slice(2).map((c) => thread(`C${c}`, palloc, { order: 0, i: 0 }));
  return [thread('C0', palloc, { order: 1, i: 1 }), thread('C1', pfree, { chunk: 0, order: 0 }), ...pages];
}

export const bbuddyLevelLocks = defineModel({
  name: 'bbuddy_level_locks',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: [...rwlockAssertions, ...spinlockAssertions],
  description: "the heap page allocator's per-level locks: accounting, lock order, ukvmem under a spinlock",
  params: { variant: 'Vdiploma', cores: 2 } as Params,
  check: (p) => (p.cores === 2 || (p.variant === 'Vdiploma' && p.cores > 2) ? undefined : 'more than 2 cores only for Vdiploma'),
  shared: (p): Shared => {
    const n = threadsOf(p).length;
    const base = kernelState({ cores: n, threads: n, spinlocks: [L(0), L(1), L(2), 'global_lock'], rwlocks: ['vma_list_lock'] });
    if (p.variant === 'V801') {
      // All 4 pages free as one order-2 chunk.
      return { ...base, fl: [[], [], [0]], head: [2, -1, -1, -1], map: 0, nr_free_pages: 4, owners: [0, 0, 0, 0] };
    }
    // Page 0 allocated (order 0), page 1 free (order 0), pages 2-3 free (order 1).
    return { ...base, fl: [[1], [2], []], head: [-1, 0, 1, -1], map: 0b0001, nr_free_pages: 3, owners: [1, 0, 0, 0] };
  },
  threads: threadsOf,
  invariants: {
    'I-own': (s) => s.owners.every((n) => n <= 1),
  },
  finals: {
    // nr_free_pages equals the pages in the free lists.
    'I-acct': (s) => s.nr_free_pages === s.fl.reduce((sum, heads, order) => sum + heads.length * (1 << order), 0),
  },
  witnesses: {
    // palloc holds level_locks[1] while pfree holds level_locks[0] and wants level_locks[1]: the lock order at work.
    'W-parallel-levels': forVariants(['Vdiploma'], (s: Shared) => {
      const holders = [0, 1, 2].map((i) => s.locks[L(i)]).filter((h) => h !== 0);
      return new Set(holders).size >= 2;
    }),
    // pfree merges all the way up to one order-2 chunk.
    'W-merged': forVariants(['Vdiploma'], (s: Shared) => s.fl[2]!.length > 0),
  },
});

/** bbuddy_palloc's frame: the `order` wanted and the level `i` it starts at (args), the `chunk` unlinked. */
type PallocLocals = { order: number; i: number; chunk: number };
/** bbuddy_pfree's frame: the `chunk` and its `order` (args, both grow while merging), the level locks `held`, the `buddy`. */
type PfreeLocals = { chunk: number; order: number; held: number[]; buddy: number };
