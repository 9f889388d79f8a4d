import { describe, expect, it } from 'vitest';
import m9 from '../../specs/frame_refcount.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M9 frame_refcount shows what MODELS.md says', () => {
  it('9a: without a refcount, unmapping A frees F while B maps it', () => {
    expect(everyViolation(named(m9, 'frame_refcount/9a'))).toEqual(['I-free-unmapped']);
  });

  it('9b: a lost non-atomic put leaks F; a lost non-atomic get maps a freed F', () => {
    expect(everyViolation(named(m9, 'frame_refcount/9b-race-put'))).toEqual(['I-noleak', 'I-ref']);
    expect(everyViolation(named(m9, 'frame_refcount/9b-race-get'))).toEqual(['I-free-unmapped', 'I-ref']);
  });

  it('9c: an atomic count still comes back from 0 when the lookup is unprotected', () => {
    expect(everyViolation(named(m9, 'frame_refcount/9c'))).toEqual(['I-free-unmapped', 'I-ref']);
  });

  it('9d-i and 9d-ii hold, and reach the interleavings that make them necessary', () => {
    expect(run(named(m9, 'frame_refcount/9d-i')).explore!.witnessesReached).toEqual(expect.arrayContaining(['W-share-first', 'W-unmap-first']));
    expect(run(named(m9, 'frame_refcount/9d-ii')).explore!.witnessesReached).toEqual(expect.arrayContaining(['W-tryget-zero', 'W-revalidate']));
  });

  it('9e: freeing after a local flush leaves F in another TLB; the shootdown first fixes it', () => {
    expect(everyViolation(named(m9, 'frame_refcount/9e'))).toEqual(['I-free-unmapped']);
    expect(run(named(m9, 'frame_refcount/9e-fix')).explore!.witnessesReached).toContain('W-shootdown');
  });
});
