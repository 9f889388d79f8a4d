import { procedure } from '../../src/index.ts';
import { giveFrame, type FrameState, framesAssertions } from './frames.ts';

/**
 * Frame reference counts in `s.fa.ref![f]`: the meeting's `reference_counter_get/put` in the
 * frame allocator, and Linux's get_page / put_page / folio_try_get (include/linux/page_ref.h).
 * The one who drops the count to 0 frees the frame.
 *
 * Atomic forms are one step (lock xadd / a CAS loop); the non-atomic forms are C's
 * `f->ref++` and `if (--f->ref == 0)` on a plain int: a load, then a store.
 */

/** get_page: atomic fetch_add. */
export const ref_get = procedure<FrameState, unknown, { f: number }>('ref_get', {
  fetch_add: (s, t) => { s.fa.ref![t.f]! += 1; },
});

/** put_page: atomic fetch_sub; the thread that saw 1 frees the frame. */
export const ref_put = procedure<FrameState, unknown, { f: number; old: number }>('ref_put', {
  fetch_sub: (s, t) => {
    t.old = s.fa.ref![t.f];
    s.fa.ref![t.f] = t.old - 1;
    if (t.old !== 1) t.ret();
  },
  free: (s, t) => { giveFrame(s, t, t.f); },
});

/** folio_try_get / get_page_unless_zero: increment unless 0, one atomic step; returns success. */
export const ref_try_get = procedure<FrameState, unknown, { f: number }>('ref_try_get', {
  inc_not_zero: (s, t) => {
    if (s.fa.ref![t.f] === 0) return t.ret(false);
    s.fa.ref![t.f]! += 1;
    t.ret(true);
  },
});

/** `f->ref++` on a plain int. */
export const ref_get_nonatomic = procedure<FrameState, unknown, { f: number; old: number }>('ref_get_nonatomic', {
  load: (s, t) => { t.old = s.fa.ref![t.f]; },
  store: (s, t) => { s.fa.ref![t.f] = t.old + 1; },
});

/** `if (--f->ref == 0) ffree(f)` on a plain int. */
export const ref_put_nonatomic = procedure<FrameState, unknown, { f: number; old: number }>('ref_put_nonatomic', {
  load: (s, t) => { t.old = s.fa.ref![t.f]; },
  store: (s, t) => {
    s.fa.ref![t.f] = t.old - 1;
    if (t.old !== 1) t.ret();
  },
  free: (s, t) => { giveFrame(s, t, t.f); },
});

/**
 * The assertions the reference counts and what they call check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const refcountAssertions = [...framesAssertions] as const;
