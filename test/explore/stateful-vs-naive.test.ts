import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Program } from '../../src/model/program.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { executeStep, type Stepped } from '../../src/model/step.ts';
import { violates } from '../../src/check/violates.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';

const RUNS = Number(process.env.SMPCHECK_DIFF_RUNS ?? 300);
const SEED = Number(process.env.SMPCHECK_DIFF_SEED ?? 20261201);

/**
 * The stateful engine against the naive explorer: same violated properties, same terminal and
 * deadlocked states, same error or none, and, since sleep sets prune transitions but never
 * states, exactly naive's number of distinct states. Naive marks a cycle as a cut; the
 * stateful engine's search over a cyclic graph is complete, so cuts are compared without it.
 */
function agree(unwatched: RandomProgram, extra: Partial<ExploreOptions>): void {
  const prog = { ...unwatched, watch: true };
  const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true };
  const naive = exploreNaive(new Program(randomModel, { prog }), { ...opts, races: extra.races ?? false });
  const stateful = exploreStateful(new Program(randomModel, { prog }), { symmetry: false, ...opts, ...extra });
  const ctx = `program:\n${describeProgram(prog)}\noptions: ${JSON.stringify(extra)}\nnaive: ${JSON.stringify(naive.stats)}\nstateful: ${JSON.stringify(stateful.stats)}`;
  expect(stateful.error === undefined, ctx).toBe(naive.error === undefined);
  if (naive.error !== undefined) return; // both stop at a broken step; where they meet it first differs
  expect(stateful.cut, ctx).toEqual(naive.cut.filter((c) => c !== 'cycle'));
  expect(new Set(stateful.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
  expect(new Set(stateful.witnessesReached), ctx).toEqual(new Set(naive.witnessesReached));
  expect(stateful.terminals, ctx).toEqual(naive.terminals);
  expect(stateful.deadlockStates, ctx).toEqual(naive.deadlockStates);
  expect(stateful.stats.states, ctx).toBe(naive.stats.states);
  expect(stateful.stats.deadlocks, ctx).toBe(naive.deadlockStates!.size);
  expect(stateful.stats.assumeBlocked, ctx).toBe(naive.stats.assumeBlocked);
}

const variants: [string, Partial<ExploreOptions>][] = [
  ['fingerprints and sleep sets (the default)', {}],
  ['exact keys and sleep sets', { exactStates: true }],
  ['fingerprints, no sleep sets', { sleepSets: false }],
  ['no step reuse (the step cache alone)', { reuseSteps: false }],
  ['no step cache', { stepCache: false }],
  ['neither step reuse nor the step cache', { reuseSteps: false, stepCache: false }],
];

describe('the stateful engine agrees with the naive explorer on random programs', () => {
  it.each(variants)('%s', (_, extra) => {
    fc.assert(fc.property(programArb(), (p) => agree(p, extra)), { numRuns: RUNS, seed: SEED });
  });

  it.each(variants)('with cycles (backward jumps): %s', (_, extra) => {
    fc.assert(fc.property(programArb({ cycles: true }), (p) => agree(p, extra)), { numRuns: Math.ceil(RUNS / 2), seed: SEED + 1 });
  });

  it('also on programs with more threads and fewer steps', () => {
    fc.assert(fc.property(programArb({ threads: [4, 5], steps: 3, locs: [1, 2] }), (p) => agree(p, {})), { numRuns: 150, seed: SEED + 2 });
  });

  it.each(variants)('with data-race detection: %s', (_, extra) => {
    fc.assert(fc.property(programArb({ choices: true }), (p) => agree(p, { ...extra, races: true })), { numRuns: Math.ceil(RUNS / 6), seed: SEED + 5 });
  });

  it.each(variants)('with choices (t.choose) and assumptions (t.assume), and cycles: %s', (_, extra) => {
    fc.assert(fc.property(programArb({ choices: true, cycles: true }), (p) => agree(p, extra)), { numRuns: Math.ceil(RUNS / 4), seed: SEED + 4 });
  });

  it('every violation it reports replays to that violation from the initial state', () => {
    fc.assert(
      fc.property(programArb({ cycles: true, choices: true }), (prog) => {
        const program = new Program(randomModel, { prog });
        const r = exploreStateful(program, { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false });
        for (const v of r.violations) {
          let state = program.initial;
          let last: Stepped | null = null;
          for (const tid of v.schedule) {
            const o = executeStep(program, state, tid);
            expect(o.kind, `${describeProgram(prog)}\n${JSON.stringify(v)}`).toBe('step');
            last = o as Stepped;
            state = last.state;
          }
          expect(violates(program, v, last?.failures, state), `${describeProgram(prog)}\n${JSON.stringify(v)}`).toBe(true);
        }
      }),
      { numRuns: 200, seed: SEED + 3 },
    );
  });
});
