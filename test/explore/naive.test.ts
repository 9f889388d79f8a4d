import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineModel, procedure, thread } from '../../src/index.ts';
import { Program } from '../../src/model/program.ts';
import { notBoth } from '../../models/oracles/mutex.ts';
import { bruteForce } from '../support/brute-force.ts';
import { describeProgram, programArb, randomModel } from '../support/random-program.ts';
import { explore } from '../support/run.ts';
import { oracleCases } from './oracles.ts';

/** A spin loop written as a loop instead of t.await: x never changes, so the state repeats. */
const spin = procedure<{ x: number; y: number }>('spin', { poll: (s, t) => { if (s.x === 0) t.goto('poll'); } });
const setY = procedure<{ x: number; y: number }>('sety', { w: (s) => { s.y = 1; } });
const spinLoop = defineModel({ name: 'loop', params: {}, shared: () => ({ x: 0, y: 0 }), threads: () => [thread('A', spin), thread('B', setY)] });

describe('the naive explorer reproduces the published trace counts (models/oracles)', () => {
  // Everything up to a few seconds for the naive explorer: lastzero up to 6, readers up to 6,
  // the small families at small N, the paper examples, peterson and dekker_f.
  const cases = oracleCases(800).filter((c) => !/^(lastzero\((7|8|9)\)|readers\(8\))$/.test(c.name));
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = explore('naive', c.model, c.params);
    expect(r.cut).toEqual([]);
    expect(r.violations).toEqual([]);
    expect(r.stats.traces).toBe(c.traces);
  });
});

describe('the naive explorer checks every reachable state', () => {
  it("finds the global-invariant probe 'not-both' (two independent threads, x = y = 1 at once)", () => {
    const r = explore('naive', notBoth);
    expect(r.violations.map((v) => [v.property, v.kind])).toEqual([['not-both', 'invariant']]);
    expect(r.violations[0]!.schedule.length).toBe(2);
  });

  it('agrees with brute-force enumeration of every interleaving on random programs', () => {
    fc.assert(
      fc.property(programArb({ threads: [2, 3], steps: 4, locs: [1, 3] }), (prog) => {
        const naive = explore('naive', randomModel, { prog }, { collectTerminals: true });
        const brute = bruteForce(new Program(randomModel, { prog }));
        const violated = new Set(naive.violations.map((v) => v.property));
        const ctx = describeProgram(prog);
        expect(naive.cut, ctx).toEqual([]);
        expect(naive.stats.executions, ctx).toBe(brute.executions);
        expect(naive.stats.traces, ctx).toBe(brute.traces);
        expect(naive.stats.deadlocks, ctx).toBe(brute.deadlockTraces);
        expect(naive.terminals, ctx).toEqual(brute.terminals);
        expect(naive.deadlockStates, ctx).toEqual(brute.deadlockStates);
        expect(violated, ctx).toEqual(brute.violated);
        expect(new Set(naive.witnessesReached), ctx).toEqual(brute.witnesses);
      }),
      { numRuns: 300, seed: 1126 },
    );
  });

  it('reports a cycle (a loop that can run forever) as a cut, never as PASS', () => {
    const r = explore('naive', spinLoop);
    expect(r.cut).toContain('cycle');
  });
});


import { countTraces } from '../../src/explore/naive.ts';
import { Dependence } from '../../src/explore/dependence.ts';
import { lastzero } from '../../models/oracles/lastzero.ts';

describe('counting traces is bounded like the search', () => {
  it('gives up (null) when out of time or room, instead of running on', () => {
    const program = new Program(lastzero, { n: 6 });
    expect(countTraces(program, new Dependence([]), { deadline: Date.now() - 1 })).toBeNull();
    expect(countTraces(program, new Dependence([]), { maxEntries: 10 })).toBeNull();
    expect(countTraces(program, new Dependence([]))?.complete).toBe(144n);
  });
});
