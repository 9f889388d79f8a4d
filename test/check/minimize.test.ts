import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minimizeViolation, countPreemptions } from '../../src/check/minimize.ts';
import { checkSpec } from '../../src/check/run.ts';
import { violates, type Target } from '../../src/check/violates.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep, type Stepped } from '../../src/model/step.ts';
import { isPreemption } from '../../src/check/preemption.ts';
import { describeProgram, programArb, randomModel } from '../support/random-program.ts';
import { explore } from '../support/run.ts';
import fallocPop from '../../specs/falloc_pop.spec.ts';
import m4 from '../../specs/rwlock_wakeup_pagefault.spec.ts';

/** Every schedule (up to `max` steps) that ends in a violation of `target`, by brute force. */
function allViolating(program: Program, target: Target, max: number): { schedule: number[]; preemptions: number }[] {
  const out: { schedule: number[]; preemptions: number }[] = [];
  const visit = (state: State, sched: number[], last: Stepped | null, pre: number) => {
    if (violates(program, target, last?.failures, state)) {
      out.push({ schedule: sched, preemptions: pre });
      return; // the explorers report a violation where it first happens
    }
    if (sched.length >= max) return;
    const prev = sched.at(-1) ?? null;
    const prevEnabled = prev !== null && executeStep(program, state, prev).kind === 'step';
    for (let tid = 0; tid < program.threads.length; tid++) {
      const o = executeStep(program, state, tid);
      if (o.kind === 'step') visit(o.state, [...sched, tid], o, pre + (isPreemption(prev, tid, prevEnabled) ? 1 : 0));
    }
  };
  visit(program.initial, [], null, 0);
  return out;
}

const cmp = (a: number[], b: number[]) => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
};

describe('minimal counterexamples', () => {
  it.each([['fingerprints', false], ['exact keys', true]] as const)('are the shortest, then fewest-preemption, then lexicographically first violating schedules (brute force on random programs; states told apart by %s)', (_, exactStates) => {
    fc.assert(
      fc.property(programArb({ threads: [2, 3], steps: 4, locs: [1, 3] }), (prog) => {
        const r = explore('naive', randomModel, { prog }, { stopOnAny: false });
        const program = new Program(randomModel, { prog });
        for (const v of r.violations) {
          const m = minimizeViolation(program, v, { exactStates });
          expect(m.minimization.status).toBe('minimal');
          const all = allViolating(program, v, v.schedule.length);
          const best = all.sort((a, b) => a.schedule.length - b.schedule.length || a.preemptions - b.preemptions || cmp(a.schedule, b.schedule))[0]!;
          expect(m.violation.schedule, describeProgram(prog)).toEqual(best.schedule);
          expect(m.minimization.preemptions).toBe(best.preemptions);
          expect(countPreemptions(program, m.violation.schedule)).toBe(best.preemptions);
          expect(m.minimization.length).toBeLessThanOrEqual(v.schedule.length);
        }
      }),
      { numRuns: 150, seed: 5 },
    );
  });

  it('do not depend on the trace the engine happened to find', () => {
    const s = fallocPop.find((x) => x.name === 'falloc_pop/L-TAS')!;
    const program = new Program(s.model, { ...s.model.params, ...s.params });
    const found = checkSpec(s, { minimize: false }).violation!;
    const a = minimizeViolation(program, found).violation;
    // Other traces of the same violation, as a random-walk engine would find them.
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed >>> 8) % n;
    };
    const walks: number[][] = [];
    for (let attempt = 0; walks.length < 5 && attempt < 20_000; attempt++) {
      let state = program.initial;
      const sched: number[] = [];
      for (let n = 0; n < 200; n++) {
        const enabled = program.threads.map((t) => executeStep(program, state, t.tid)).filter((o): o is Stepped => o.kind === 'step');
        if (enabled.length === 0) break;
        const o = enabled[rand(enabled.length)]!;
        sched.push(o.tid);
        state = o.state;
        if (violates(program, found, o.failures, state)) {
          walks.push(sched);
          break;
        }
      }
    }
    expect(walks.some((w) => w.join() !== found.schedule.join())).toBe(true);
    for (const w of walks) expect(minimizeViolation(program, { ...found, schedule: w }).violation.schedule).toEqual(a.schedule);
  });

  it('are reported with the lengths before and after', () => {
    const r = checkSpec(m4.find((x) => x.name.endsWith('/V1'))!);
    expect(r.minimization).toMatchObject({ status: 'minimal', originalLength: expect.any(Number), length: r.violation!.schedule.length });
    expect(r.minimization!.preemptions).toBeLessThanOrEqual(r.minimization!.originalPreemptions);
    expect(r.violations).toContain(r.violation);
  });

  it('fall back to the trace as found, saying so, when the state budget runs out', () => {
    const s = fallocPop.find((x) => x.name === 'falloc_pop/U')!;
    const r = checkSpec(s, { minimize: { maxNodes: 10 } });
    expect(r.minimization).toMatchObject({ status: 'as-found', note: expect.stringContaining('minimisation stopped after 10 states') });
    expect(r.violation!.schedule.length).toBe(r.minimization!.originalLength);
  });
});
