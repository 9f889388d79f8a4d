import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec, type CheckResult } from '../../src/check/run.ts';
import { loadSpecs } from '../../src/cli/load.ts';
import { splitContext } from '../../src/explore/split-search.ts';
import { expectSameResult } from '../support/same-result.ts';

// Optimal DPOR with helper threads (src/explore/dpor-split.ts, dpor-threads.ts) on real worker
// threads: the same result as one thread, to the event. test/explore/dpor-split.test.ts checks
// the same on random programs with the helpers interleaved on one thread.
const FILE = 'test/fixtures/dpor-split/oracles.spec.ts';
const ENTRY = new URL('../../src/cli/split-entry.js', import.meta.url);
const specOf = async (name: string) => (await loadSpecs([resolve(FILE)])).find((s) => s.name === name)!;

/** Helpers start after 10 maximal executions and are ready before the first thread goes on, so that every one takes part. */
function threaded(name: string, helpers: number) {
  const spare = new Int32Array(new SharedArrayBuffer(4));
  spare[0] = helpers;
  return { spare, split: splitContext(spare, ENTRY, { file: resolve(FILE), name }, { minExecutions: 10, waitForHelpers: true }) };
}

function expectSameSearch(r: CheckResult, one: CheckResult): void {
  expectSameResult(r, one);
  const { threads: _threads, ...stats } = r.stats;
  expect(stats).toEqual(one.stats);
}

describe('optimal DPOR on threads', () => {
  it.each([1, 3])('with %i helper thread(s): the one-thread counts, to the event, and coverage', async (helpers) => {
    for (const name of ['split/lastzero-10', 'split/readers-12']) {
      const spec = await specOf(name);
      const one = checkSpec(spec, { engine: 'dpor' });
      const { spare, split } = threaded(name, helpers);
      const r = checkSpec(spec, { engine: 'dpor', split });
      expect(r.verdict, name).toBe('PASS');
      expectSameSearch(r, one);
      expect(r.stats.threads, name).toBe(1 + helpers);
      expect(spare[0], name).toBe(helpers); // the CPUs are given back
    }
  }, 120_000);

  it('a violation deep in the search is reported as one thread reports it: the same counterexample and counts', async () => {
    const spec = await specOf('split/found-9');
    // As found, not minimised: the schedule the search met first must be the one-thread search's.
    const one = checkSpec(spec, { engine: 'dpor', minimize: false });
    expect(one.verdict).toBe('FAIL');
    expect(one.stats.executions).toBe(257);
    for (const helpers of [1, 2]) {
      const { spare, split } = threaded(spec.name, helpers);
      const r = checkSpec(spec, { engine: 'dpor', minimize: false, split });
      expectSameSearch(r, one);
      expect(r.violations).toEqual(one.violations);
      expect(spare[0]).toBe(helpers);
    }
  }, 120_000);

  it('a step that throws deep in the search is an ERROR with the one-thread schedule', async () => {
    const spec = await specOf('split/throws-9');
    const one = checkSpec(spec, { engine: 'dpor' });
    expect(one.verdict).toBe('ERROR');
    expect(one.error?.message).toContain('the reader ran off the array');
    for (const helpers of [1, 2]) {
      const { spare, split } = threaded(spec.name, helpers);
      const r = checkSpec(spec, { engine: 'dpor', split });
      expect(r.verdict).toBe('ERROR');
      expect(r.error).toEqual(one.error);
      expectSameSearch(r, one);
      expect(spare[0]).toBe(helpers);
    }
  }, 120_000);

  it('auto hands a tree-like program to DPOR with the helpers', async () => {
    const spec = await specOf('split/lastzero-10');
    const one = checkSpec(spec);
    expect(one.engine).toBe('dpor');
    const { split } = threaded(spec.name, 1);
    const r = checkSpec(spec, { split });
    expectSameSearch(r, one);
    expect(r.stats.threads).toBe(2);
  }, 120_000);

  it.skipIf(!process.env.SMPCHECK_LONG)('lastzero(12) and readers(14) on 2, 3 and 4 threads (npm run test:long)', async () => {
    for (const name of ['split/lastzero-12', 'split/readers-14']) {
      const spec = await specOf(name);
      const one = checkSpec(spec, { engine: 'dpor' });
      for (const threads of [2, 3, 4]) {
        const { spare, split } = threaded(name, threads - 1);
        const r = checkSpec(spec, { engine: 'dpor', split });
        expectSameSearch(r, one);
        expect(r.stats.threads, `${name} on ${threads} threads`).toBe(threads);
        expect(spare[0]).toBe(threads - 1);
      }
    }
  }, 600_000);
});
