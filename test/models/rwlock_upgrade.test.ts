import { describe, expect, it } from 'vitest';
import { rwlockUpgrade } from '../../models/rwlock_upgrade.ts';
import { spec } from '../../src/index.ts';
import m5, { larger } from '../../specs/rwlock_upgrade.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M5 rwlock_upgrade shows what MODELS.md says', () => {
  it('5a: the upgrader sleeps on shared forever; the runlock woke exclusive', () => {
    const r = run(named(m5, 'rwlock_upgrade/5a'));
    expect(r.violation!.detail).toBe('blocked: U');
    expect(everyViolation(named(m5, 'rwlock_upgrade/5a'))).toEqual(['deadlock']);
  });

  it('5a spinning and 5a-fix: the upgrader waits for the other reader and gets the lock', () => {
    expect(run(named(m5, 'rwlock_upgrade/5a-spin')).explore!.witnessesReached).toContain('W-upgrade-waits');
    expect(run(named(m5, 'rwlock_upgrade/5a-fix')).explore!.witnessesReached).toEqual(
      expect.arrayContaining(['W-upgrade-waits', 'W-upgrader-sleeps']),
    );
  });

  it('5b: N is linked into freed X and is then unreachable from head', () => {
    expect(everyViolation(named(m5, 'rwlock_upgrade/5b'))).toEqual(['I-reach', 'I-uaf']);
  });

  it('5c: the fault reads X->attr after uk_vma_unmap freed X', () => {
    expect(everyViolation(named(m5, 'rwlock_upgrade/5c'))).toEqual(['I-uaf']);
  });

  it('the fixes hold while a writer really waits for a reader', () => {
    for (const v of ['5b-fix', '5c-fix']) {
      const r = run(named(m5, `rwlock_upgrade/${v}`));
      expect(r.verdict).toBe('PASS');
      expect(r.explore!.witnessesReached).toContain('W-contended');
    }
  });
});

describe('M5 with two faults (larger configurations)', () => {
  it('the fixes hold while both faults are inside the read side at once', () => {
    for (const v of ['5b-fix', '5c-fix']) {
      const r = run(named(larger, `rwlock_upgrade/${v}/2faults`));
      expect(r.verdict).toBe('PASS');
      expect(r.explore!.witnessesReached).toEqual(expect.arrayContaining(['W-contended', 'W-readers-overlap']));
    }
  });

  it('5b-fix does not fix 5c: a fault in X still reads X after the unmap freed it', () => {
    const s = spec({ name: '5b-fix/fault-in-X', model: rwlockUpgrade, params: { variant: '5b-fix', faults: [35, 15] }, expect: { fail: 'I-uaf' } });
    expect(run(s).violation!.detail).toBe('the fault reads X->attr after X was freed');
  });
});
