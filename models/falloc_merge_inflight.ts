import { defineModel, procedure, range, thread, type Thread } from '../src/index.ts';
import { forVariants } from './kernel/props.ts';
import { rw_read_lock, rw_read_unlock, rw_write_lock, rw_write_unlock, rwWords, type RwWordState } from './kernel/rwword.ts';
import { spin_lock, spin_unlock, type LockState, spinlockAssertions } from './kernel/spinlock.ts';

/**
 * M3 `falloc_merge_inflight` (MODELS.md): the frame buddy allocator's merge on free
 * (bfa_do_free → bfa_zbit_free → bfa_try_merge, lib/ukfallocbuddy/fallocbuddy.c) against an
 * in-flight "any" allocation (bfa_do_alloc_any: pop, split, then bfa_zbit_alloc), and the
 * draft 41c68647's locks: free_list_lock (FLk), zone->lock (Z, unlocked up to three times per
 * free), free_lock (FR) and the hand-made group lock merge_alloc_lock (M) with n_allocs /
 * n_merges.
 *
 * 4 frames; bitmap words z[0] (a bit per frame), z[1] (per pair), z[2] (the whole zone); SET_BITS
 * / CLR_BITS are a load and a store. `lv[f]` is the memblock level stored in a free block's
 * first frame (-1: none). `fl[j]`: the free list of order j (block heads).
 *
 * Variants: U (the draft without the group lock), D1 (draft, case-1 free), D2 (draft, a partial
 * free of an order-1 block: case 2), F1 (one allocator spinlock), F2 (rwlock: allocations are
 * readers with pop + mark under FLk, frees are writers). `ops` is 1 or 2 operations per core.
 */
export type M3Variant = 'U' | 'D1' | 'D2' | 'F1' | 'F2';
type Params = { variant: M3Variant; ops: 1 | 2 };

interface Shared extends LockState, RwWordState {
  locks: Record<'FLk' | 'Z' | 'M' | 'FR', number>;
  cs: { Z: number[] };
  z: number[];
  lv: number[];
  fl: number[][];
  n_allocs: number;
  n_merges: number;
  /** Ghost: owners per frame, and frames popped but not yet marked. */
  owners: number[];
  inflight: boolean[];
}

const FRAMES = 4;
const draft = (p: Params) => p.variant === 'U' || p.variant === 'D1' || p.variant === 'D2';
const groupLock = (p: Params) => p.variant === 'D1' || p.variant === 'D2';
const bit = (i: number) => 1 << i;
/** The frames of the order-j block at h. */
const blockOf = (h: number, j: number) => range(1 << j).map((i) => h + i);

/** bfa_do_alloc_any(1 frame). */
const alloc_any = procedure<Shared, Params, AllocLocals>('bfa_do_alloc_any', {
  a1_enter: (s, t, p) => {
    if (p.variant === 'F1') t.call(spin_lock, { lock: 'Z' }, { then: 'a2_fl_pop_mb' });
    else if (p.variant === 'F2') t.call(rw_read_lock, { rw: 'rw' }, { then: 'a2_fl_lock' });
    else if (!groupLock(p)) t.goto('a2_fl_lock');
  },
  // group_enter_alloc: loop { lock(M); if n_merges == 0 break; unlock(M) }, the failed rounds folded away.
  a1_group_enter_alloc: (s, t) => {
    t.await(s.locks.M === 0 && s.n_merges === 0, 'a merge is running');
    s.locks.M = t.tid + 1;
  },
  a1_n_allocs_inc: (s) => { s.n_allocs += 1; },
  a1_unlock_M: (s, t) => { t.call(spin_unlock, { lock: 'M' }); },
  a2_fl_lock: (s, t) => { t.call(spin_lock, { lock: 'FLk' }); },
  // bfa_fl_pop_mb: the smallest non-empty list; the block leaves the list and is in flight.
  a2_fl_pop_mb: (s, t, p) => {
    t.j = s.fl.findIndex((l) => l.length > 0);
    if (t.j < 0) {
      // -ENOMEM. Only honest when no frame is free: a free frame on no list is a false ENOMEM.
      const idle = range(FRAMES).filter((f) => s.owners[f] === 0 && !s.inflight[f]);
      t.assert(idle.length === 0, 'I-no-false-enomem', `allocation failed while frames ${idle.join(', ')} are free but on no list`);
      return t.goto(p.variant === 'F1' ? 'enomem_unlock' : p.variant === 'F2' ? 'enomem_unlock' : 'a2_fl_unlock_enomem');
    }
    t.b = s.fl[t.j]![0];
    s.fl[t.j] = s.fl[t.j]!.slice(1);
    for (const f of blockOf(t.b, t.j)) s.inflight[f] = true;
  },
  a2_fl_unlock: (s, t, p) => {
    const then = t.j > 0 ? 'a3_split_lv' : 'a4_zbit_lock';
    if (p.variant !== 'F1' && p.variant !== 'F2') t.call(spin_unlock, { lock: 'FLk' }, { then });
    else t.goto(then);
  },
  // Split down: the upper half gets its memblock level, then goes on its list.
  a3_split_lv: (s, t) => {
    t.j -= 1;
    s.lv[t.b + (1 << t.j)] = t.j;
  },
  a3_fl_lock: (s, t, p) => { if (draft(p)) t.call(spin_lock, { lock: 'FLk' }); },
  a3_fl_add: (s, t) => {
    const upper = t.b + (1 << t.j);
    s.fl[t.j] = [...s.fl[t.j]!, upper];
    for (const f of blockOf(upper, t.j)) s.inflight[f] = false;
  },
  a3_fl_unlock: (s, t, p) => {
    const then = t.j > 0 ? 'a3_split_lv' : 'a4_zbit_lock';
    if (draft(p)) t.call(spin_unlock, { lock: 'FLk' }, { then });
    else t.goto(then);
  },
  // bfa_zbit_alloc: SET_BITS on the order-0 word, under zone->lock in the draft.
  a4_zbit_lock: (s, t, p) => { if (draft(p)) t.call(spin_lock, { lock: 'Z' }); },
  a4_zbit_load: (s, t) => { t.w = s.z[0]; },
  a4_zbit_store: (s, t) => {
    s.z[0] = t.w | bit(t.b);
    s.owners[t.b]! += 1;
    s.inflight[t.b] = false;
  },
  a4_zbit_unlock: (s, t, p) => {
    if (draft(p)) t.call(spin_unlock, { lock: 'Z' });
    else if (p.variant === 'F1') t.call(spin_unlock, { lock: 'Z' }, { then: 'next_op' });
    else if (p.variant === 'F2') t.call(spin_unlock, { lock: 'FLk' }, { then: 'a5_runlock' });
  },
  a5_group_exit: (s, t, p) => {
    if (groupLock(p)) t.call(spin_lock, { lock: 'M' });
    else t.goto('next_op');
  },
  a5_n_allocs_dec: (s) => { s.n_allocs -= 1; },
  a5_unlock_M: (s, t) => { t.call(spin_unlock, { lock: 'M' }, { then: 'next_op' }); },
  a5_runlock: (s, t) => { t.call(rw_read_unlock, { rw: 'rw' }, { then: 'next_op' }); },
  a2_fl_unlock_enomem: (s, t) => { t.call(spin_unlock, { lock: 'FLk' }, { then: 'a5_group_exit' }); },
  enomem_unlock: (s, t, p) => {
    if (p.variant === 'F1') t.call(spin_unlock, { lock: 'Z' }, { then: 'next_op' });
    else t.call(spin_unlock, { lock: 'FLk' }, { then: 'a5_runlock' });
  },
  next_op: (s, t) => {
    t.left -= 1;
    if (t.left > 0) t.goto('a1_enter');
  },
});

/** The Z unlocks the draft adds in bfa_zbit_free (case 1), bfa_try_merge and bfa_do_free. */
function draftUnlockZ(t: Thread, p: Params, then: string) {
  if (draft(p)) t.call(spin_unlock, { lock: 'Z' }, { then });
  else t.goto(then);
}

/** bfa_do_free(f, 1 frame): one iteration (one maximal aligned piece). */
const free_frame = procedure<Shared, Params, FreeLocals>('bfa_do_free', {
  b1_enter: (s, t, p) => {
    t.f = t.frees[0];
    t.frees = t.frees.slice(1);
    if (p.variant === 'F1') t.call(spin_lock, { lock: 'Z' }, { then: 'b3_zbit_free_z0' });
    else if (p.variant === 'F2') t.call(rw_write_lock, { rw: 'rw' }, { then: 'b3_zbit_free_z0' });
    else t.call(spin_lock, { lock: 'FR' });
  },
  b2_lock_Z: (s, t) => { t.call(spin_lock, { lock: 'Z' }); },
  // bfa_zbit_free, case 1: the order-0 bit is set.
  b3_zbit_free_z0: (s, t) => {
    t.w = s.z[0];
    if ((t.w & bit(t.f)) === 0) t.goto('b3_zbit_free_z1');
  },
  b3_case1_clear: (s, t) => {
    s.z[0] = t.w & ~bit(t.f);
    s.owners[t.f]! -= 1;
  },
  b3_case1_unlock_Z: (s, t, p) => draftUnlockZ(t, p, 'b4_group_enter_merge'), // draft: early unlock
  // case 2: a bigger allocation covers f: clear its bit, fill the part that stays allocated.
  b3_zbit_free_z1: (s, t) => {
    t.w = s.z[1];
    t.assert((t.w & bit(t.f >> 1)) !== 0, 'I-nodouble', `frame ${t.f} is not allocated`);
  },
  b3_case2_clear: (s, t) => {
    s.z[1] = t.w & ~bit(t.f >> 1);
    s.owners[t.f]! -= 1;
  },
  b3_case2_fill_load: (s, t) => { t.w = s.z[0]; },
  b3_case2_fill_store: (s, t) => { s.z[0] = t.w | bit(t.f ^ 1); }, // Z stays held into the merge
  // group_enter_merge: loop { lock(M); if n_allocs == 0 break; unlock(M) }.
  b4_group_enter_merge: (s, t, p) => {
    t.lvl = 0;
    t.head = t.f;
    if (!groupLock(p)) return t.goto('b5_buddy_bits');
    t.await(s.locks.M === 0 && s.n_allocs === 0, 'an allocation is in flight');
    s.locks.M = t.tid + 1;
  },
  b4_n_merges_inc: (s) => { s.n_merges += 1; },
  b4_unlock_M: (s, t) => { t.call(spin_unlock, { lock: 'M' }); },
  // bfa_try_merge: the buddy's bits from its level down (one load per word), then its memblock level.
  b5_buddy_bits: (s, t) => {
    t.buddy = t.head ^ (1 << t.lvl);
    if (t.buddy >= FRAMES) return t.goto('b9_group_exit');
    t.k = t.lvl;
  },
  b5_buddy_word: (s, t) => {
    const word = s.z[t.k]!;
    const bits = blockOf(t.buddy, t.lvl - t.k).map((f) => f >> t.k);
    if (bits.some((i) => (word & bit(i)) !== 0)) return t.goto('b5_buddy_allocated');
    t.k -= 1;
    if (t.k >= 0) t.goto('b5_buddy_word');
    else t.goto('b6_buddy_lv');
  },
  b5_buddy_allocated: (s, t, p) => draftUnlockZ(t, p, 'b9_group_exit'), // draft: extra unlock
  b6_buddy_lv: (s, t) => { if (s.lv[t.buddy]! < t.lvl) t.goto('b9_group_exit'); },
  b7_fl_lock: (s, t, p) => { if (draft(p)) t.call(spin_lock, { lock: 'FLk' }); },
  b7_fl_del: (s, t) => {
    t.assert(s.fl[t.lvl]!.includes(t.buddy), 'I-unlink-member', `buddy ${t.buddy} is not in free list ${t.lvl}`);
    s.fl[t.lvl] = s.fl[t.lvl]!.filter((h) => h !== t.buddy);
  },
  b7_fl_unlock: (s, t, p) => {
    t.lvl += 1;
    t.head = Math.min(t.head, t.buddy);
    if (draft(p)) t.call(spin_unlock, { lock: 'FLk' }, { then: 'b5_buddy_bits' });
    else t.goto('b5_buddy_bits');
  },
  b9_group_exit: (s, t, p) => { if (groupLock(p)) t.call(spin_lock, { lock: 'M' }); else t.goto('b10_set_lv'); },
  b9_n_merges_dec: (s) => { s.n_merges -= 1; },
  b9_unlock_M: (s, t) => { t.call(spin_unlock, { lock: 'M' }); },
  b10_set_lv: (s, t) => { s.lv[t.head] = t.lvl; },
  b10_fl_lock: (s, t, p) => { if (draft(p)) t.call(spin_lock, { lock: 'FLk' }); },
  b10_fl_add: (s, t) => { s.fl[t.lvl] = [...s.fl[t.lvl]!, t.head]; },
  b10_fl_unlock: (s, t, p) => { if (draft(p)) t.call(spin_unlock, { lock: 'FLk' }); },
  b11_unlock_Z: (s, t, p) => {
    if (p.variant === 'F1') t.call(spin_unlock, { lock: 'Z' }, { then: 'next_op' });
    else if (p.variant === 'F2') t.call(rw_write_unlock, { rw: 'rw' }, { then: 'next_op' });
    else draftUnlockZ(t, p, 'b12_unlock_FR'); // draft: unlock at the end of the iteration
  },
  b12_unlock_FR: (s, t) => { t.call(spin_unlock, { lock: 'FR' }); },
  next_op: (s, t) => { if (t.frees.length > 0) t.goto('b1_enter'); },
});

/** Initial allocator state per setup (MODELS.md M3 "Initial state"). */
function initial(p: Params): Pick<Shared, 'z' | 'lv' | 'fl' | 'owners'> {
  if (p.variant === 'D2') {
    // {F0,F1} allocated as one order-1 block by B's client; {F2,F3} free in FL1.
    return { z: [0, bit(0), 0], lv: [-1, -1, 1, -1], fl: [[], [2], []], owners: [1, 1, 0, 0] };
  }
  if (p.ops === 2) {
    // Two frees for B: F1 and F3 allocated; F0 and F2 free in FL0.
    return { z: [bit(1) | bit(3), 0, 0], lv: [0, -1, 0, -1], fl: [[0, 2], [], []], owners: [0, 1, 0, 1] };
  }
  // F1 allocated; F0 free in FL0; {F2,F3} free in FL1.
  return { z: [bit(1), 0, 0], lv: [0, -1, 1, -1], fl: [[0], [2], []], owners: [0, 1, 0, 0] };
}

/** Frames covered by free-list blocks. */
function freeFrames(s: Shared): number[] {
  return s.fl.flatMap((heads, j) => heads.flatMap((h) => blockOf(h, j)));
}

export const fallocMergeInflight = defineModel({
  name: 'falloc_merge_inflight',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: ['I-no-false-enomem', 'I-nodouble', 'I-unlink-member', ...spinlockAssertions],
  description: 'buddy merge versus an in-flight "any" allocation, and the draft group lock',
  params: { variant: 'U', ops: 1 } as Params,
  shared: (p): Shared => ({
    locks: { FLk: 0, Z: 0, M: 0, FR: 0 },
    cs: { Z: [] },
    rwl: rwWords(['rw']),
    ...initial(p),
    n_allocs: 0,
    n_merges: 0,
    inflight: range(FRAMES).map(() => false),
  }),
  threads: (p) => [
    thread('A', alloc_any, { left: p.ops }),
    thread('B', free_frame, { frees: p.ops === 2 ? [1, 3] : [1] }),
  ],
  invariants: {
    'I-free-not-owned': (s) => freeFrames(s).every((f) => s.owners[f] === 0 && !s.inflight[f]),
    'I-own': (s) => s.owners.every((n) => n <= 1),
    'I-mutex(Z)': (s) => s.cs.Z.length <= 1,
  },
  witnesses: {
    // Both orders of the race run: B frees first and merges up to one order-2 block, or A's
    // allocation holds F0 and B's free of F1 finds its buddy allocated.
    'W-merged': forVariants(['F1', 'F2'], (s: Shared) => s.fl[2]!.length > 0),
    'W-buddy-busy': forVariants(['F1', 'F2'], (s: Shared) => s.owners[0] === 1 && s.fl[0]!.includes(1)),
  },
});

/**
 * bfa_do_alloc_any's frame: the operations `left` (arg), the order `j` popped (then split
 * down), the block head `b`, and the bitmap word `w` loaded.
 */
type AllocLocals = { left: number; j: number; b: number; w: number };
/**
 * bfa_do_free's frame: the frames still to free `frees` (arg), the frame `f` of this iteration,
 * the bitmap word `w` loaded, and the merge: level `lvl`, block `head`, its `buddy`, and the
 * bitmap level `k` being checked.
 */
type FreeLocals = { frees: number[]; f: number; w: number; lvl: number; head: number; buddy: number; k: number };
