import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { coverageOf } from '../../src/check/coverage.ts';
import { Program } from '../../src/model/program.ts';
import type { Model } from '../../src/model/define.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { exploreDporSplit, InlineCrew } from '../../src/explore/dpor-split.ts';
import { defaultClock, Pacer } from '../../src/explore/pace.ts';
import { resolveBounds, type ExploreOptions, type ExploreResult } from '../../src/explore/types.ts';
import { lastzero } from '../../models/oracles/lastzero.ts';
import { readers } from '../../models/oracles/readers.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';

/** Everything a DPOR search reports, and the coverage it leaves in its program. */
function everything(r: ExploreResult, p: Program) {
  return {
    stats: r.stats,
    violations: r.violations,
    witnesses: [...r.witnessesReached].sort(),
    cut: r.cut,
    terminals: r.terminals ? [...r.terminals].sort() : null,
    deadlockStates: r.deadlockStates ? [...r.deadlockStates].sort() : null,
    error: r.error ? { message: r.error.error.message, schedule: r.error.schedule } : null,
    coverage: coverageOf(p),
  };
}

/** The one-thread search and the search with helpers interleaved on this thread (seeded), side by side. */
function bothWays(model: Model<any, any>, params: Record<string, unknown>, opts: ExploreOptions, seed: number, how?: { idle: number; withhold: number }, budget = Infinity) {
  if (budget < Infinity) {
    const probe = exploreDpor(new Program(model, params), { ...opts, bounds: { ...opts.bounds, maxExecutions: budget } });
    fc.pre(!probe.cut.includes('executions'));
  }
  const alone = new Program(model, params);
  const one = everything(exploreDpor(alone, opts), alone);
  const shared = new Program(model, params);
  const crew = new InlineCrew(() => new Program(model, params), opts, new Pacer(defaultClock, Infinity), seed, how);
  const split = everything(exploreDporSplit(shared, opts, () => crew), shared);
  return { one, split, crew };
}

const options = (o: Partial<ExploreOptions> = {}): ExploreOptions => ({
  bounds: resolveBounds({ maxDepth: 500 }),
  deadlockIsViolation: true,
  stopOn: () => false,
  collectTerminals: true,
  ...o,
});

/** Programs with more executions than this are skipped (each pending branch is explored when given). */
const TRACE_BUDGET = 500;
/** `npm run test:long` (SMPCHECK_LONG) runs four times as many programs. */
const RUNS = (n: number) => Number(process.env.SMPCHECK_DIFF_RUNS ?? (process.env.SMPCHECK_LONG ? 4 * n : n));

let given = 0;
let committed = 0;

function agree(prog: RandomProgram, seed: number, o: Partial<ExploreOptions> = {}): void {
  const { one, split, crew } = bothWays(randomModel, { prog }, options(o), seed, undefined, TRACE_BUDGET);
  given += crew.given;
  committed += crew.committed;
  expect(split, `program:\n${describeProgram(prog)}`).toEqual(one);
}

/**
 * A DPOR search whose pending branches are explored by helpers (here interleaved on one thread:
 * each branch is explored when it is given, on a program of its own, and some results are
 * withheld) must be the one-thread search exactly: the same counts, violations with the same
 * schedules, terminal and deadlocked states, witnesses and coverage.
 */
describe('DPOR with helpers gives the one-thread result exactly', () => {
  it('on random programs', () => {
    given = committed = 0;
    fc.assert(fc.property(programArb(), fc.nat(), (p, seed) => agree(p, seed)), { numRuns: RUNS(150), seed: 20261208, maxSkipsPerRun: 10 });
    // The runs must have exercised both paths: results taken in, and branches explored again.
    expect(committed).toBeGreaterThan(50);
    expect(given - committed).toBeGreaterThan(10);
  });

  it('on random programs that choose values and assume conditions', () => {
    fc.assert(fc.property(programArb({ choices: true }), fc.nat(), (p, seed) => agree(p, seed)), { numRuns: RUNS(60), seed: 20261209, maxSkipsPerRun: 10 });
  });

  it('on random programs that start threads', () => {
    fc.assert(fc.property(programArb({ spawns: true }), fc.nat(), (p, seed) => agree(p, seed)), { numRuns: RUNS(60), seed: 20261210, maxSkipsPerRun: 10 });
  });

  it('on random programs with data-race detection, and when stopping at the first violation', () => {
    fc.assert(fc.property(programArb(), fc.nat(), (p, seed) => agree(p, seed, { races: true })), { numRuns: RUNS(40), seed: 20261211, maxSkipsPerRun: 10 });
    fc.assert(fc.property(programArb(), fc.nat(), (p, seed) => agree(p, seed, { stopOn: () => true })), { numRuns: RUNS(40), seed: 20261212, maxSkipsPerRun: 10 });
  });

  it('on random programs with more threads', () => {
    fc.assert(fc.property(programArb({ threads: [4, 5], steps: 3, locs: [1, 2] }), fc.nat(), (p, seed) => agree(p, seed)), { numRuns: RUNS(50), seed: 20261213, maxSkipsPerRun: 10 });
  });

  it('on lastzero(8) and readers(8), every result taken in or none withheld', () => {
    for (const [model, params] of [[lastzero, { n: 8 }], [readers, { n: 8 }]] as const) {
      for (const withhold of [0, 0.5]) {
        const { one, split, crew } = bothWays(model, params, options(), 7, { idle: 1, withhold });
        expect(split).toEqual(one);
        expect(crew.committed).toBeGreaterThan(0);
      }
    }
  });
});
