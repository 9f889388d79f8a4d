import { defineModel, procedure, thread } from '../src/index.ts';
import { NIL, framesAssertions } from './kernel/frames.ts';
import { bfa_do_alloc_any, freeList, listed, type FreeListState, type PopSync, freelistAssertions } from './kernel/freelist.ts';
import { exclusive, rw_read_lock, rw_read_unlock, rw_write_lock, rw_write_lock_tas, rw_write_unlock, rwWords, type RwWordState } from './kernel/rwword.ts';

/**
 * M2 `falloc_any_vs_specific` (MODELS.md): bfa_alloc dispatches on `*paddr == __PADDR_ANY` to
 * bfa_do_alloc_any (the "any frame" pop of M1) or bfa_do_alloc (one specific address: scan the
 * bitmap, search the free lists for the block, unlink it, fill the bitmap). The meeting wants
 * "any" allocations to scale (shared) and the rare specific ones serialized (exclusive); the
 * draft 41c68647 leaves bfa_do_alloc unprotected.
 *
 * Variants: Draft (any under FL as in M1-L, specific unlocked), RW (any = reader with the pop
 * and the mark inside FL, specific = writer), RW-noFL (readers without FL), RW-TAS (the
 * writer's test and set are two steps).
 */
export type M2Variant = 'Draft' | 'RW' | 'RW-noFL' | 'RW-TAS';
export type M2Op = 'any' | 'specific';
type Params = { frames: number; cores: M2Op[]; variant: M2Variant; target: number };
type Shared = FreeListState &
  RwWordState & {
    locks: { FL: number; Z: number };
    /** Ghost: how the specific allocation ended. */
    specific: 'pending' | 'got' | 'busy' | 'notfound';
  };

const anySync = (p: Params): PopSync => {
  if (p.variant === 'Draft') return { fl: 'FL', zone: 'Z' };
  if (p.variant === 'RW-noFL') return { fl: null, zone: null };
  return { fl: 'FL', zone: null, markInFl: true };
};

/** bfa_alloc(ANY) with the rwlock's read side around the pop (the draft calls the pop directly). */
const alloc_any = procedure<Shared, Params, {}>('alloc_any', {
  RA1_rlock: (s, t) => { t.call(rw_read_lock, { rw: 'rw' }); },
  RA3_pop: (s, t, p) => { t.call(bfa_do_alloc_any, { ...anySync(p) }); },
  RA5_runlock: (s, t) => { t.call(rw_read_unlock, { rw: 'rw' }); },
});

/** The end of the writer's section: wunlock, or return at once in the draft (no lock). */
const unlockOrReturn = (t: { goto(l: string): void; ret(): void }, p: Params) =>
  p.variant === 'Draft' ? t.ret() : t.goto('S6_wunlock');

/** bfa_alloc(paddr) → bfa_do_alloc for one frame `p`, as the writer. */
const alloc_specific = procedure<Shared, Params, AllocSpecificLocals>('bfa_do_alloc', {
  S1_wlock: (s, t, p) => {
    if (p.variant === 'RW-TAS') t.call(rw_write_lock_tas, { rw: 'rw' });
    else if (p.variant !== 'Draft') t.call(rw_write_lock, { rw: 'rw' });
  },
  S2_zbit_scan: (s, t, p) => {
    if (s.b[t.p] === 1) {
      s.specific = 'busy'; // -ENOMEM: already allocated
      unlockOrReturn(t, p);
    }
  },
  // bfa_fl_find_mb_in_zone: walk the list, one load per hop.
  S3_load_head: (s, t) => {
    t.q = s.head;
    t.pred = NIL;
  },
  S3_match: (s, t) => {
    if (t.q === t.p) return t.goto('S4_load_next');
    if (t.q === NIL) {
      t.assert(false, 'I-found', `frame ${t.p} has a clear bitmap bit but is not in the free list`);
      return t.goto('not_found');
    }
  },
  S3_load_next: (s, t) => {
    t.pred = t.q;
    t.q = s.next[t.q];
    t.goto('S3_match');
  },
  not_found: (s, t, p) => {
    s.specific = 'notfound';
    unlockOrReturn(t, p);
  },
  // bfa_fl_del: unlink (load mb->next, store into the predecessor or head), then account.
  S4_load_next: (s, t) => { t.n = s.next[t.p]; },
  S4_unlink: (s, t) => {
    t.assert(listed(s).includes(t.p), 'I-unlink-member', `frame ${t.p} unlinked but no longer in the free list`);
    if (t.pred === NIL) s.head = t.n;
    else s.next[t.pred] = t.n;
  },
  S4_load_free: (s, t) => { t.fm = s.free_memory; },
  S4_store_free: (s, t) => { s.free_memory = t.fm - 1; },
  S5_zbit_fill: (s, t, p) => {
    s.b[t.p] = 1;
    s.owners[t.p]! += 1;
    s.specific = 'got';
    unlockOrReturn(t, p);
  },
  S6_wunlock: (s, t) => { t.call(rw_write_unlock, { rw: 'rw' }); },
});

const twoReaders = (p: Params) => p.cores.filter((o) => o === 'any').length >= 2;

export const fallocAnyVsSpecific = defineModel({
  name: 'falloc_any_vs_specific',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: ['I-found', 'I-unlink-member', ...framesAssertions, ...freelistAssertions],
  description: 'rwlock with "any frame" allocations shared and specific-address allocations exclusive',
  params: { frames: 4, cores: ['any', 'specific'], variant: 'RW', target: 0 } as Params,
  shared: ({ frames }): Shared => ({
    locks: { FL: 0, Z: 0 },
    ...freeList(frames),
    rwl: rwWords(['rw']),
    specific: 'pending',
  }),
  threads: (p) =>
    p.cores.map((op, c) => {
      if (op === 'specific') return thread(`C${c}`, alloc_specific, { p: p.target });
      return p.variant === 'Draft' ? thread(`C${c}`, bfa_do_alloc_any, { ...anySync(p) }) : thread(`C${c}`, alloc_any);
    }),
  invariants: {
    'I-own': (s) => s.owners.every((n) => n <= 1),
    'I-excl': (s) => exclusive(s.rwl.rw!),
  },
  finals: {
    'I-count': (s) => s.free_memory === listed(s).length,
  },
  witnesses: {
    // Two "any" allocators inside their read sections at once: the point of the rwlock.
    'W-scale': (s, p) => p.variant !== 'RW' || !twoReaders(p) || s.rwl.rw!.rd >= 2,
    // Both sides of the any/specific race are explored: the writer finds F0 taken, or takes it first.
    'W-any-first': (s, p) => p.variant !== 'RW' || !p.cores.includes('specific') || s.specific === 'busy',
    'W-specific-first': (s, p) => p.variant !== 'RW' || !p.cores.includes('specific') || (s.specific === 'got' && s.owners.filter((n) => n > 0).length === 2),
  },
});

/**
 * bfa_do_alloc's frame: the frame `p` wanted (arg), the list cursor `q` and its predecessor
 * `pred` (NIL: head), the successor `n` of `p`, and the `free_memory` read `fm`.
 */
type AllocSpecificLocals = { p: number; q: number; pred: number; n: number; fm: number };
