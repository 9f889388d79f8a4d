import { describe, expect, it } from 'vitest';
import m6 from '../../specs/pgmap_table_alloc_race.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M6 pgmap_table_alloc_race shows what MODELS.md says', () => {
  it('U, LW and Split lose a mapping and leak a page-table page', () => {
    for (const v of ['U', 'LW', 'Split']) {
      expect(everyViolation(named(m6, `pgmap_table_alloc_race/${v}`))).toEqual(['I-noleak', 'I-visible']);
    }
  });

  it('L and the draft walk lock: the second core descends into the table the first published', () => {
    for (const v of ['L', 'Draft-walk']) {
      const r = run(named(m6, `pgmap_table_alloc_race/${v}`));
      expect(r.verdict).toBe('PASS');
      expect(r.explore!.witnessesReached).toContain('W-shared-table');
    }
  });

  it('Linux pmd_install: both cores allocate, one table is installed, the loser frees its own', () => {
    const r = run(named(m6, 'pgmap_table_alloc_race/Linux'));
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toContain('W-loser-frees');
  });
});
