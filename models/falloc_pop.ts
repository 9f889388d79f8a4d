import { defineModel, procedure, range, thread } from '../src/index.ts';
import { spin_lock, spin_lock_split, spin_unlock } from './kernel/spinlock.ts';

/**
 * M1 `falloc_pop` (MODELS.md): the "any frame" pop of lib/ukfallocbuddy (bfa_do_alloc_any →
 * bfa_fl_pop_mb / bfa_fl_del → bfa_zbit_alloc) and the free path (bfa_do_free → bfa_zbit_free →
 * bfa_fl_add), over one order-0 free list.
 *
 * Variants: U (upstream, no lock), L (draft 41c68647: free_list_lock around pop and accounting,
 * the bitmap mark under zone->lock), L-TAS (free_list_lock taken by a separate load and store).
 */
export const NIL = -1;
export type M1Variant = 'U' | 'L' | 'L-TAS';
export type M1Op = 'alloc' | 'free';
type Params = { cores: number; frames: number; ops: M1Op[]; variant: M1Variant };

interface Shared {
  locks: { FL: number; Z: number };
  head: number;
  next: number[];
  /** Zone bitmap bit per frame, 1 = allocated. */
  b: number[];
  free_memory: number;
  /** Ghost: how many actors believe they own each frame. */
  owners: number[];
}

const lockFL = (p: Params) => (p.variant === 'L-TAS' ? spin_lock_split : spin_lock);
const locked = (p: Params) => p.variant !== 'U';

/** bfa_do_alloc_any for one frame; returns the frame or NIL. */
const bfa_do_alloc_any = procedure<Shared, Params>('bfa_do_alloc_any', {
  fl_lock: (s, t, p) => { if (locked(p)) t.call(lockFL(p), { lock: 'FL' }); },
  A1_load_head: (s, t, p) => {
    t.h = s.head;
    if (t.h === NIL) {
      if (locked(p)) t.call(spin_unlock, { lock: 'FL' }, { then: 'fail' });
      else t.goto('fail');
    }
  },
  A3_load_next: (s, t) => { t.n = s.next[t.h]; },
  A4_unlink: (s, t) => { s.head = t.n; }, // bfa_fl_del: unlink
  A5_load_free: (s, t) => { t.fm = s.free_memory; },
  A6_store_free: (s, t) => { s.free_memory = t.fm - 1; }, // bfa_fl_del: accounting
  fl_unlock: (s, t, p) => { if (locked(p)) t.call(spin_unlock, { lock: 'FL' }); },
  z_lock: (s, t, p) => { if (locked(p)) t.call(spin_lock, { lock: 'Z' }); },
  A7_zbit_alloc: (s, t) => {
    s.b[t.h] = 1;
    s.owners[t.h]! += 1;
  },
  z_unlock: (s, t, p) => {
    if (locked(p)) t.call(spin_unlock, { lock: 'Z' }, { then: 'done' });
    else t.goto('done');
  },
  fail: (s, t) => { t.ret(NIL); },
  done: (s, t) => { t.ret(t.h); },
});

/** bfa_do_free of one frame: clear the bitmap bit, push the frame back, account. */
const bfa_do_free = procedure<Shared, Params>('bfa_do_free', {
  z_lock: (s, t, p) => { if (locked(p)) t.call(spin_lock, { lock: 'Z' }); },
  R1_zbit_free: (s, t) => {
    s.b[t.f] = 0;
    s.owners[t.f]! -= 1;
  },
  z_unlock: (s, t, p) => { if (locked(p)) t.call(spin_unlock, { lock: 'Z' }); },
  fl_lock: (s, t, p) => { if (locked(p)) t.call(lockFL(p), { lock: 'FL' }); },
  R2_load_head: (s, t) => { t.n = s.head; },
  R3_link: (s, t) => { s.next[t.f] = t.n; },
  R4_push: (s, t) => { s.head = t.f; },
  R5_load_free: (s, t) => { t.fm = s.free_memory; },
  R6_store_free: (s, t) => { s.free_memory = t.fm + 1; },
  fl_unlock: (s, t, p) => { if (locked(p)) t.call(spin_unlock, { lock: 'FL' }); },
});

/** A core running its operations in order; `free` frees the frame its last `alloc` got. */
const core = procedure<Shared, Params>('core', {
  dispatch: (s, t) => {
    if (t.k >= t.ops.length) return t.exit();
    const op = t.ops[t.k];
    t.k += 1;
    if (op === 'alloc') t.call(bfa_do_alloc_any, {}, { into: 'f', then: 'dispatch' });
    else if (t.f !== undefined && t.f !== NIL) t.call(bfa_do_free, { f: t.f }, { then: 'dispatch' });
    else t.goto('dispatch');
  },
});

/** The frames reachable from `head`, in list order (stops at a cycle). */
function freeList(s: Shared): number[] {
  const out: number[] = [];
  for (let f = s.head; f !== NIL && !out.includes(f) && out.length <= s.next.length; f = s.next[f]!) out.push(f);
  return out;
}

export const fallocPop = defineModel({
  name: 'falloc_pop',
  description: '"any frame" pop of the frame buddy allocator, unsynchronized versus locked',
  params: { cores: 2, frames: 4, ops: ['alloc'], variant: 'U' } as Params,
  shared: ({ frames }): Shared => ({
    locks: { FL: 0, Z: 0 },
    head: 0,
    next: range(frames).map((f) => (f + 1 < frames ? f + 1 : NIL)),
    b: range(frames).map(() => 0),
    free_memory: frames,
    owners: range(frames).map(() => 0),
  }),
  threads: ({ cores, ops }) => range(cores).map((c) => thread(`C${c}`, core, { ops, k: 0 })),
  invariants: {
    'I-own': (s) => s.owners.every((n) => n <= 1),
  },
  finals: {
    'I-count': (s) => s.free_memory === freeList(s).length,
    'I-list': (s) => {
      const list = freeList(s);
      return s.b.every((bit, f) => (bit === 0) === list.includes(f));
    },
    'I-nolost': (s) => {
      const list = freeList(s);
      return s.owners.every((n, f) => n > 0 || list.includes(f));
    },
  },
});
