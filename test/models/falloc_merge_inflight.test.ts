import { describe, expect, it } from 'vitest';
import m3 from '../../specs/falloc_merge_inflight.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M3 falloc_merge_inflight shows what MODELS.md says', () => {
  it('U: the merge unlinks a popped frame, then a free block contains an owned frame', () => {
    expect(everyViolation(named(m3, 'falloc_merge_inflight/U'))).toEqual(
      expect.arrayContaining(['I-unlink-member', 'I-free-not-owned']),
    );
  });

  it('D1 with one operation each: the group lock keeps free blocks clean, but Z is unlocked by a non-holder', () => {
    const found = everyViolation(named(m3, 'falloc_merge_inflight/D1'));
    expect(found).toContain('I-lockowner');
    expect(found).not.toContain('I-free-not-owned');
    expect(found).not.toContain('I-mutex(Z)');
  });

  it('D1 with two operations each: two cores inside zone->lock, and then an owned frame in a free block', () => {
    expect(everyViolation(named(m3, 'falloc_merge_inflight/D1/2ops'))).toEqual(
      expect.arrayContaining(['I-mutex(Z)', 'I-free-not-owned']),
    );
  });

  it('draft: after n_merges-- and before the merged block is listed, an allocation fails with free frames (not in MODELS.md)', () => {
    expect(everyViolation(named(m3, 'falloc_merge_inflight/D1'))).toContain('I-no-false-enomem');
  });

  it('D2: A waits for Z held by B, B waits for n_allocs == 0', () => {
    const r = run(named(m3, 'falloc_merge_inflight/D2'));
    expect(r.violation!.detail).toBe('blocked: A, B');
  });

  it('F1 and F2 explore both orders: B merges up to order 2, or finds its buddy allocated', () => {
    for (const name of ['falloc_merge_inflight/F1', 'falloc_merge_inflight/F2']) {
      expect(everyViolation(named(m3, name))).toEqual([]);
      expect(run(named(m3, name)).explore!.witnessesReached.sort()).toEqual(['W-buddy-busy', 'W-merged']);
    }
  });
});
