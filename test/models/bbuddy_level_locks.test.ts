import { describe, expect, it } from 'vitest';
import m10 from '../../specs/bbuddy_level_locks.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M10 bbuddy_level_locks shows what MODELS.md says', () => {
  it('V801: a sequential bug, found with one core: nr_free_pages drops twice per palloc', () => {
    const r = run(named(m10, 'bbuddy_level_locks/V801'));
    expect(r.program!.threads.length).toBe(1);
    expect(everyViolation(named(m10, 'bbuddy_level_locks/V801'))).toEqual(['I-acct']);
  });

  it('Vdiploma: palloc and pfree hold different level locks at once, and pfree can merge up to order 2', () => {
    expect(run(named(m10, 'bbuddy_level_locks/Vdiploma')).explore!.witnessesReached).toEqual(
      expect.arrayContaining(['W-parallel-levels', 'W-merged']),
    );
  });

  it('V946: pfree sleeps in uk_rwlock_rlock(vma_list_lock) holding its level spinlocks (IRQs are on)', () => {
    const r = run(named(m10, 'bbuddy_level_locks/V946'));
    expect(r.violation!.detail).toMatch(/^schedule\(\) while holding level_locks\[0\]/);
    expect(everyViolation(named(m10, 'bbuddy_level_locks/V946'))).not.toContain('I-sched-irq');
  });
});
