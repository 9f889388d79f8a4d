import { procedure, range } from '../../src/index.ts';
import { NIL, framesAssertions } from './frames.ts';
import { spin_lock, spin_lock_split, spin_unlock, type LockState, spinlockAssertions } from './spinlock.ts';

/**
 * The order-0 free list of lib/ukfallocbuddy/fallocbuddy.c as M1 and M2 see it (MODELS.md M1):
 * a singly linked list of free frames from `head` through `next[]`, the zone bitmap `b[]`
 * (1 = allocated), the `free_memory` counter, and ghost `owners[f]` (how many actors believe
 * they own frame f).
 */
export interface FreeListState extends LockState {
  head: number;
  next: number[];
  b: number[];
  free_memory: number;
  owners: number[];
}

/** `frames` free frames linked in order F0 → F1 → … → NIL. */
export function freeList(frames: number): Omit<FreeListState, 'locks'> {
  return {
    head: 0,
    next: range(frames).map((f) => (f + 1 < frames ? f + 1 : NIL)),
    b: range(frames).map(() => 0),
    free_memory: frames,
    owners: range(frames).map(() => 0),
  };
}

/** The frames reachable from `head`, in list order (stops at a cycle). */
export function listed(s: Pick<FreeListState, 'head' | 'next'>): number[] {
  const out: number[] = [];
  for (let f = s.head; f !== NIL && !out.includes(f) && out.length <= s.next.length; f = s.next[f]!) out.push(f);
  return out;
}

/**
 * How a caller synchronizes the pop: `fl` is the free_list_lock (null: none), `tas` takes it
 * with a split test-and-set, `zone` is the lock around the bitmap mark (null: none), and
 * `markInFl` makes the mark part of the FL critical section (M2's reader path).
 */
export interface PopSync {
  fl: string | null;
  tas?: boolean;
  zone: string | null;
  markInFl?: boolean;
}

/**
 * bfa_do_alloc_any for one frame: bfa_fl_pop_mb / bfa_fl_del (unlink, account), then
 * bfa_zbit_alloc (mark). Args: a PopSync. Returns the frame or NIL.
 */
export const bfa_do_alloc_any = procedure<FreeListState, unknown, AllocAnyLocals>('bfa_do_alloc_any', {
  fl_lock: (s, t) => { if (t.fl !== null) t.call(t.tas ? spin_lock_split : spin_lock, { lock: t.fl }); },
  A1_load_head: (s, t) => {
    t.h = s.head;
    if (t.h === NIL) {
      if (t.fl !== null) t.call(spin_unlock, { lock: t.fl }, { then: 'fail' });
      else t.goto('fail');
    }
  },
  A3_load_next: (s, t) => { t.n = s.next[t.h]; },
  A4_unlink: (s, t) => { s.head = t.n; }, // bfa_fl_del: unlink
  A5_load_free: (s, t) => { t.fm = s.free_memory; },
  A6_store_free: (s, t) => { s.free_memory = t.fm - 1; }, // bfa_fl_del: accounting
  fl_unlock: (s, t) => { if (t.fl !== null && !t.markInFl) t.call(spin_unlock, { lock: t.fl }); },
  z_lock: (s, t) => { if (t.zone !== null && !t.markInFl) t.call(spin_lock, { lock: t.zone }); },
  A7_zbit_alloc: (s, t) => {
    s.b[t.h] = 1;
    s.owners[t.h]! += 1;
  },
  z_unlock: (s, t) => {
    const held = t.markInFl ? t.fl : t.zone;
    if (held !== null) t.call(spin_unlock, { lock: held }, { then: 'done' });
    else t.goto('done');
  },
  fail: (s, t) => { t.ret(NIL); },
  done: (s, t) => { t.ret(t.h); },
});

/** bfa_do_free of one frame `f`: clear the bitmap bit, push the frame back, account. Args: `f`, a PopSync. */
export const bfa_do_free = procedure<FreeListState, unknown, FreeLocals>('bfa_do_free', {
  z_lock: (s, t) => { if (t.zone !== null) t.call(spin_lock, { lock: t.zone }); },
  R1_zbit_free: (s, t) => {
    s.b[t.f] = 0;
    s.owners[t.f]! -= 1;
  },
  z_unlock: (s, t) => { if (t.zone !== null) t.call(spin_unlock, { lock: t.zone }); },
  fl_lock: (s, t) => { if (t.fl !== null) t.call(t.tas ? spin_lock_split : spin_lock, { lock: t.fl }); },
  R2_load_head: (s, t) => { t.n = s.head; },
  R3_link: (s, t) => { s.next[t.f] = t.n; },
  R4_push: (s, t) => { s.head = t.f; },
  R5_load_free: (s, t) => { t.fm = s.free_memory; },
  R6_store_free: (s, t) => { s.free_memory = t.fm + 1; },
  fl_unlock: (s, t) => { if (t.fl !== null) t.call(spin_unlock, { lock: t.fl }); },
});

/**
 * The assertions the free list and what it calls check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const freelistAssertions = [...framesAssertions, ...spinlockAssertions] as const;

/** bfa_do_alloc_any's frame: its PopSync args, the popped head `h`, its successor `n`, the read `free_memory` `fm`. */
type AllocAnyLocals = PopSync & { h: number; n: number; fm: number };
/** bfa_do_free's frame: the frame `f` and a PopSync (args), the read head `n` and `free_memory` `fm`. */
type FreeLocals = PopSync & { f: number; n: number; fm: number };
