import { describe, expect, it } from 'vitest';
import m1 from '../../specs/falloc_pop.spec.ts';
import { everyViolation, named } from './support.ts';

describe('M1 falloc_pop shows what MODELS.md says', () => {
  it('U: two cores pop the same frame, and the free_memory update is lost', () => {
    expect(everyViolation(named(m1, 'falloc_pop/U'))).toEqual(['I-count', 'I-own']);
  });

  it('L-TAS: the split test-and-set lets both cores into the free list', () => {
    // Both cores "hold" FL; whichever unlocks second releases a word the other one wrote.
    expect(everyViolation(named(m1, 'falloc_pop/L-TAS'))).toEqual(['I-count', 'I-lockowner', 'I-own']);
  });
});
