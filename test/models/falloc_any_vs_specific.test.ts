import { describe, expect, it } from 'vitest';
import m2 from '../../specs/falloc_any_vs_specific.spec.ts';
import { everyViolation, named, run, runCatalogueSchedule } from './support.ts';

describe('M2 falloc_any_vs_specific shows what MODELS.md says', () => {
  it('Draft: the unlocked specific path double-owns F0, unlinks a non-member, or does not find F0', () => {
    expect(everyViolation(named(m2, 'falloc_any_vs_specific/Draft'))).toEqual(['I-count', 'I-found', 'I-own', 'I-unlink-member']);
  });

  it('RW: both sides of the any/specific race are explored, and two readers are inside at once', () => {
    expect(run(named(m2, 'falloc_any_vs_specific/RW')).explore!.witnessesReached).toEqual(
      expect.arrayContaining(['W-any-first', 'W-specific-first']),
    );
    expect(run(named(m2, 'falloc_any_vs_specific/RW/scale')).explore!.witnessesReached).toContain('W-scale');
  });

  it('RW-TAS: a reader gets in between the writer test and set', () => {
    expect(everyViolation(named(m2, 'falloc_any_vs_specific/RW-TAS'))).toContain('I-excl');
  });
});

describe('M2 Draft, the second schedule of the catalogue', () => {
  it('C1 checks the bitmap, C0 pops F0, C1 walks the list and does not find F0 (UK_ASSERT(mb))', () => {
    const program = run(named(m2, 'falloc_any_vs_specific/Draft')).program!;
    expect(runCatalogueSchedule(program, ['C1:S2_zbit_scan', 'C0:end', 'C1:end']).violated).toEqual(['I-found']);
  });
});
