import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Program } from '../../src/model/program.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { resolveBounds } from '../../src/explore/types.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';

/** Programs with more traces than this are skipped: DPOR must run each one, naive only counts them. */
const TRACE_BUDGET = 3000;

/**
 * With `t.choose`, a sleeping event of a choosing step is never taken for a weak initial of a
 * sequence its thread has no event in (wakeup-tree.ts), so some explorations can end
 * sleep-set blocked; complete executions stay one per trace.
 */
let sleepBlockedWithChoices = 0;

function agree(prog: RandomProgram, choices = false, races = false): void {
  const program = () => new Program(randomModel, { prog });
  const opts = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, races, stopOn: () => false, collectTerminals: true };
  const naive = exploreNaive(program(), opts);
  fc.pre((naive.stats.traces ?? 0) + naive.stats.deadlocks <= TRACE_BUDGET);
  const dpor = exploreDpor(program(), opts);
  const ctx = `program:\n${describeProgram(prog)}\nnaive: ${JSON.stringify(naive.stats)}\ndpor: ${JSON.stringify(dpor.stats)}`;
  expect(dpor.cut, ctx).toEqual([]);
  expect(dpor.error, ctx).toBeUndefined();
  expect(new Set(dpor.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
  expect(dpor.terminals, ctx).toEqual(naive.terminals);
  expect(dpor.deadlockStates, ctx).toEqual(naive.deadlockStates);
  if (choices) sleepBlockedWithChoices += dpor.stats.sleepBlocked;
  else expect(dpor.stats.sleepBlocked, ctx).toBe(0);
  expect(dpor.stats.executions, ctx).toBe(naive.stats.traces);
  // Every deadlocked state is reached (above). Deadlocked executions are never redundant, but
  // can be fewer than deadlocked traces: see "Engines" in README.md.
  expect(dpor.stats.deadlocks, ctx).toBeLessThanOrEqual(naive.stats.deadlocks);
  expect(dpor.stats.deadlocks > 0, ctx).toBe(naive.stats.deadlocks > 0);
  expect((dpor.stats.assumeBlocked ?? 0) > 0, ctx).toBe((naive.stats.assumeBlocked ?? 0) > 0);
}

/**
 * DPOR against the naive explorer on random programs (2–4 threads, up to 6 steps each, 1–4
 * locations; reads, writes, fetch_add, CAS, lock/unlock, await, local branching on read values,
 * value-dependent reads, container reads, assertions and an invariant). On a failure, fast-check
 * prints the seed and path that replay it, and the message lists the program.
 */
describe('optimal DPOR agrees with the naive explorer on random programs', () => {
  it('same violations, terminal and deadlocked states; one complete execution per trace; no sleep-set blocking', () => {
    fc.assert(fc.property(programArb(), (p) => agree(p)), {
      numRuns: Number(process.env.SMPCHECK_DIFF_RUNS ?? 1500),
      seed: Number(process.env.SMPCHECK_DIFF_SEED ?? 20261126),
      maxSkipsPerRun: 10,
    });
  });

  it('also on programs that choose values (t.choose) and assume conditions (t.assume)', () => {
    fc.assert(fc.property(programArb({ choices: true }), (p) => agree(p, true)), {
      numRuns: Number(process.env.SMPCHECK_DIFF_RUNS ?? 250),
      seed: Number(process.env.SMPCHECK_DIFF_SEED ?? 20261201),
      maxSkipsPerRun: 10,
    });
    console.log(`DPOR with choices: ${sleepBlockedWithChoices} sleep-set-blocked explorations`);
  });

  it('also with data-race detection (the same programs race or not)', () => {
    fc.assert(fc.property(programArb(), (p) => agree(p, false, true)), { numRuns: 150, seed: 20261202, maxSkipsPerRun: 10 });
  });

  it('also on programs with more threads and fewer steps', () => {
    fc.assert(fc.property(programArb({ threads: [4, 5], steps: 3, locs: [1, 2] }), (p) => agree(p)), { numRuns: 300, seed: 7, maxSkipsPerRun: 10 });
  });
});
