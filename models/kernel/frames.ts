import { procedure, range, type Thread } from '../../src/index.ts';

/** "No frame": what falloc returns when the pool is empty. */
export const NIL = -1;

/**
 * A frame pool behind the ukfalloc API (lib/ukfalloc/include/uk/falloc.h). Models whose subject
 * is not the allocator itself "assume M1-L": `falloc` and `ffree` are one atomic step each, as
 * with the draft's free_list_lock. M1–M3 model the allocator's inside instead (freelist.ts).
 *
 * - `free[f]`: the allocator's view (isfree), `data[f]`: the frame's contents,
 * - `ref[f]`, when the model counts references: the frame's reference count
 *   (`reference_counter_get/put` of the 2023-06-20 meeting; Linux `page->_refcount`), used by
 *   refcount.ts.
 */
export interface FramePool {
  free: boolean[];
  data: number[];
  ref?: number[];
}

export interface FrameState {
  fa: FramePool;
}

/** `n` frames, all free except `allocated`; with `refs`, allocated frames start with one reference. */
export function framePool(n: number, allocated: readonly number[] = [], opts: { refs?: boolean } = {}): FramePool {
  const pool: FramePool = { free: range(n).map((f) => !allocated.includes(f)), data: range(n).map(() => 0) };
  if (opts.refs) pool.ref = range(n).map((f) => (allocated.includes(f) ? 1 : 0));
  return pool;
}

/**
 * The allocation itself, for use inside a step that does more (pg_pt_alloc clears the new
 * table in the same step: the frame is private until it is published). Takes the lowest free
 * frame; a counted frame starts with one reference, as Linux's allocator returns pages with
 * _refcount 1.
 */
export function takeFrame(s: FrameState): number {
  const f = s.fa.free.indexOf(true);
  if (f === NIL) return NIL;
  s.fa.free[f] = false;
  if (s.fa.ref) s.fa.ref[f] = 1;
  return f;
}

/** Frees `f`; I-nodouble: never free a frame that is already free. */
export function giveFrame(s: FrameState, t: Thread, f: number): void {
  t.assert(!s.fa.free[f], 'I-nodouble', `frame ${f} freed while already free`);
  s.fa.free[f] = true;
}

/** falloc(fa, ANY, 1 frame): returns a frame or NIL. With `zero`, the frame is cleared (memset_isr). */
export const falloc = procedure<FrameState, unknown, { zero: boolean }>('falloc', {
  alloc: (s, t) => {
    const f = takeFrame(s);
    if (f !== NIL && t.zero) s.fa.data[f] = 0;
    t.ret(f);
  },
});

/**
 * ffree(fa, f, 1 frame). The real pg_ffree swallows -ENOMEM ("already free"), which hides a
 * double free; the model reports it as I-nodouble instead.
 */
export const ffree = procedure<FrameState, unknown, { f: number }>('ffree', {
  free: (s, t) => { giveFrame(s, t, t.f); },
});

/**
 * The assertions the frame pool checks (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const framesAssertions = ['I-nodouble'] as const;
