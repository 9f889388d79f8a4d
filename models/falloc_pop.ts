import { defineModel, procedure, range, thread } from '../src/index.ts';
import { NIL, framesAssertions } from './kernel/frames.ts';
import { forVariants } from './kernel/props.ts';
import { bfa_do_alloc_any, bfa_do_free, freeList, listed, type FreeListState, type PopSync, freelistAssertions } from './kernel/freelist.ts';

/**
 * M1 `falloc_pop` (MODELS.md): the "any frame" pop of lib/ukfallocbuddy (bfa_do_alloc_any →
 * bfa_fl_pop_mb / bfa_fl_del → bfa_zbit_alloc) and the free path (bfa_do_free → bfa_zbit_free →
 * bfa_fl_add), over one order-0 free list.
 *
 * Variants: U (upstream, no lock), L (draft 41c68647: free_list_lock around pop and accounting,
 * the bitmap mark under zone->lock), L-TAS (free_list_lock taken by a separate load and store).
 */
export { NIL };
export type M1Variant = 'U' | 'L' | 'L-TAS';
export type M1Op = 'alloc' | 'free';
type Params = { cores: number; frames: number; ops: M1Op[]; variant: M1Variant };
type Shared = FreeListState & { locks: { FL: number; Z: number } };

const sync = (p: Params): PopSync =>
  p.variant === 'U' ? { fl: null, zone: null } : { fl: 'FL', tas: p.variant === 'L-TAS', zone: 'Z' };

/** A core running its operations in order; `free` frees the frame its last `alloc` got. */
const core = procedure<Shared, Params, { k: number; ops: readonly M1Op[]; f?: number }>('core', {
  dispatch: (s, t, p) => {
    if (t.k >= t.ops.length) return t.exit();
    const op = t.ops[t.k];
    t.k += 1;
    if (op === 'alloc') t.call(bfa_do_alloc_any, { ...sync(p) }, { into: 'f', then: 'dispatch' });
    else if (t.f !== undefined && t.f !== NIL) t.call(bfa_do_free, { f: t.f, ...sync(p) }, { then: 'dispatch' });
    else t.goto('dispatch');
  },
});

export const fallocPop = defineModel({
  name: 'falloc_pop',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: [...framesAssertions, ...freelistAssertions],
  description: '"any frame" pop of the frame buddy allocator, unsynchronized versus locked',
  params: { cores: 2, frames: 4, ops: ['alloc'], variant: 'U' } as Params,
  shared: ({ frames }): Shared => ({ locks: { FL: 0, Z: 0 }, ...freeList(frames) }),
  threads: ({ cores, ops }) => range(cores).map((c) => thread(`C${c}`, core, { ops, k: 0 })),
  // Every core runs the same operations; a lock word holds its holder's tid + 1.
  symmetry: ({ cores }) => ({ threads: [range(cores)], values: [{ path: 'locks.*', offset: 1 }] }),
  invariants: {
    'I-own': (s) => s.owners.every((n) => n <= 1),
  },
  finals: {
    'I-count': (s) => s.free_memory === listed(s).length,
    'I-list': (s) => {
      const list = listed(s);
      return s.b.every((bit, f) => (bit === 0) === list.includes(f));
    },
    'I-nolost': (s) => {
      const list = listed(s);
      return s.owners.every((n, f) => n > 0 || list.includes(f));
    },
  },
  witnesses: {
    // The window the draft leaves open (the root of M3): a frame popped from the list but not
    // yet marked in the bitmap, while the other core is already back in the allocator.
    'W-unlinked-unmarked': forVariants(['L'], (s: Shared) =>
      s.locks.FL !== 0 && s.b.some((bit, f) => bit === 0 && !listed(s).includes(f) && s.owners[f] === 0)),
  },
});
