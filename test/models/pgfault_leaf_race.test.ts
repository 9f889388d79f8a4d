import { describe, expect, it } from 'vitest';
import m7 from '../../specs/pgfault_leaf_race.spec.ts';
import { everyViolation, named, run, runCatalogueSchedule } from './support.ts';

describe('M7 pgfault_leaf_race shows what MODELS.md says', () => {
  it('U, Draft and advise-versus-fault in the draft overwrite the PTE, leak F0 and lose C0\'s store', () => {
    for (const v of ['U', 'Draft', 'Advise-draft']) {
      expect(everyViolation(named(m7, `pgfault_leaf_race/${v}`))).toEqual(['I-no-overwrite', 'I-noleak', 'I-store-kept']);
    }
  });

  it('a whole-call PT lock with a callback that takes PT deadlocks one core on itself', () => {
    const r = run(named(m7, 'pgfault_leaf_race/Whole-lockingcb'));
    expect(r.program!.threads.length).toBe(1);
    expect(r.violation!.detail).toBe('blocked: C0');
  });

  it('Whole: both cores fault, the second finds the PTE present', () => {
    expect(run(named(m7, 'pgfault_leaf_race/Whole')).explore!.witnessesReached).toContain('W-both-fault');
  });

  it('Linux re-check, for fault/fault and advise/fault: the loser gives its frame back', () => {
    for (const v of ['Linux', 'Advise-linux']) {
      const r = run(named(m7, `pgfault_leaf_race/${v}`));
      expect(r.verdict).toBe('PASS');
      expect(r.explore!.witnessesReached).toContain('W-loser-frees');
    }
  });
});

describe('M7 I-store-kept and the catalogue schedule', () => {
  it("the page's draft schedule (C1 stores last) keeps C1's store; C0's store is lost only when it comes last", () => {
    const program = run(named(m7, 'pgfault_leaf_race/Draft')).program!;
    const page = runCatalogueSchedule(program, ['C0:falloc_zero', 'C1:release@locks.PT', 'C0:s10_store', 'C1:end']);
    expect(page.violated).toEqual(['I-no-overwrite', 'I-noleak']);
    const lastStoreLost = runCatalogueSchedule(program, ['C0:falloc_zero', 'C1:leaf_pte_read', 'C0:leaf_pte_write', 'C0:s9_load_pte', 'C1:end', 'C0:end']);
    expect(lastStoreLost.violated).toEqual(['I-no-overwrite', 'I-noleak', 'I-store-kept']);
  });
});
