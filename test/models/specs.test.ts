import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import type { Spec } from '../../src/check/spec.ts';
import fallocPop from '../../specs/falloc_pop.spec.ts';
import m4 from '../../specs/rwlock_wakeup_pagefault.spec.ts';

const specs: Spec[] = [...fallocPop, ...m4];

describe('every spec in specs/ gets its expected verdict', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s (naive)', (_, s) => {
    const r = checkSpec(s, { engine: 'naive' });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
  });
});

describe('the kernel models show what MODELS.md says they show', () => {
  it('M4 V1: the seed crash also schedules while holding the wake-up spinlocks', () => {
    const r = checkSpec(m4.find((s) => s.name.endsWith('/V1'))!, { engine: 'naive' });
    expect(r.violations.map((v) => v.property)).toEqual(['I-sched-irq', 'I-sched-spin']);
  });

  it('M4 V2 reaches the fault path with IRQs off, so its PASS is not vacuous', () => {
    const r = checkSpec(m4.find((s) => s.name.endsWith('/V2'))!, { engine: 'naive' });
    expect(r.verdict).toBe('PASS');
    expect(r.explore!.witnessesReached).toEqual(['W-fault-irqoff']);
  });

  it('M4 V3: the faulting core spins on the rwlock spinlock it holds itself', () => {
    const r = checkSpec(m4.find((s) => s.name.endsWith('/V3'))!, { engine: 'naive' });
    expect(r.violation!.detail).toBe('blocked: T0');
  });

  it('M1 U: two cores pop the same frame, and the free_memory update is lost', () => {
    const s = { ...fallocPop.find((x) => x.name === 'falloc_pop/U')!, expect: { fail: 'never' } } as Spec;
    const r = checkSpec(s, { engine: 'naive' });
    expect(r.violations.map((v) => v.property).sort()).toEqual(['I-count', 'I-own']);
  });
});
