import { describe, expect, it } from 'vitest';
import { spec } from '../../src/index.ts';
import { rwlockWakeupPagefault } from '../../models/rwlock_wakeup_pagefault.ts';
import m4, { larger } from '../../specs/rwlock_wakeup_pagefault.spec.ts';
import { everyViolation, named, run } from './support.ts';

describe('M4 rwlock_wakeup_pagefault shows what MODELS.md says', () => {
  it('V1: the seed crash also schedules while holding the wake-up spinlocks', () => {
    const r = run(named(m4, 'rwlock_wakeup_pagefault/V1'));
    expect(r.violations.map((v) => v.property)).toEqual(['I-sched-irq', 'I-sched-spin']);
  });

  it('V1b: the waker itself faults, on core 1, and schedules with IRQs off', () => {
    const r = run(named(m4, 'rwlock_wakeup_pagefault/V1b'));
    expect(r.violation!.detail).toBe('schedule() on core 1 with IRQs disabled');
  });

  it('V2 reaches the fault path with IRQs off and the handler spins on B, so its PASS is not vacuous', () => {
    const r = run(named(m4, 'rwlock_wakeup_pagefault/V2'));
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toEqual(expect.arrayContaining(['W-fault-irqoff', 'W-handler-spins']));
  });

  it('V3: the faulting core spins on the rwlock spinlock it holds itself', () => {
    expect(run(named(m4, 'rwlock_wakeup_pagefault/V3')).violation!.detail).toBe('blocked: T0');
    expect(run(named(m4, 'rwlock_wakeup_pagefault/V3-wheld')).violation!.detail).toBe('blocked: T0');
  });

  it('V4: pre-population removes this fault and nothing else fails; with another heap fault it crashes again', () => {
    expect(everyViolation(named(m4, 'rwlock_wakeup_pagefault/V4'))).toEqual([]);
    const r = run(named(m4, 'rwlock_wakeup_pagefault/V4-T2'));
    expect(r.violation!.detail).toBe('schedule() on core 2 with IRQs disabled');
  });

  it('V5: the trylock never schedules, but the fault can stay unhandled', () => {
    const r = run(named(m4, 'rwlock_wakeup_pagefault/V5'));
    expect(r.verdict).toBe('PASS');
    expect(everyViolation(named(m4, 'rwlock_wakeup_pagefault/V5'))).toEqual([]);
  });
});

describe('M4 with two readers of A (larger configurations)', () => {
  it('V4: both readers sleep on A at once and one wunlock wakes both', () => {
    const r = run(named(larger, 'rwlock_wakeup_pagefault/V4/2readers'));
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toEqual(expect.arrayContaining(['W-wake-tail-irqoff', 'W-readers-queued']));
  });

  it('V5: the oops ends T0 inside its wake-up tail, holding A.sl and the wait-queue lock; T2 spins on them forever', () => {
    const r = run(named(larger, 'rwlock_wakeup_pagefault/V5/2readers'));
    expect(r.violation!.detail).toBe('blocked: T2');
    expect(everyViolation(named(larger, 'rwlock_wakeup_pagefault/V5/2readers'))).toEqual(['deadlock']);
  });

  it('V2: one reader faults in its tail and spins on B while the other, woken too, waits for A.sl (naive: under a second; DPOR: over a minute)', () => {
    const r = run(spec({ name: 'V2/2readers', model: rwlockWakeupPagefault, params: { variant: 'V2', readers: 2 }, expect: 'pass' }));
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toEqual(expect.arrayContaining(['W-fault-irqoff', 'W-handler-spins', 'W-woken-waits']));
  });
});
