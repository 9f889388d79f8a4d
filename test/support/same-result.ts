import { expect } from 'vitest';
import type { CheckResult } from '../../src/check/run.ts';

/**
 * What sharing a search (threads, or a shard's parts merged) must not change against checking it
 * whole on one thread: verdict, the counts of a complete search, coverage, cuts, the shown
 * violation. Transitions, revisits and table bytes may differ.
 */
export function expectSameResult(r: CheckResult, one: CheckResult, what?: string): void {
  expect(r.verdict, what).toBe(one.verdict);
  expect(r.ok, what).toBe(one.ok);
  expect(r.stats.states, what).toBe(one.stats.states);
  expect(r.stats.executions, what).toBe(one.stats.executions);
  expect(r.stats.deadlocks, what).toBe(one.stats.deadlocks);
  expect(r.stats.assumeBlocked, what).toBe(one.stats.assumeBlocked);
  expect(r.witnessesMissed, what).toEqual(one.witnessesMissed);
  expect(r.coverage, what).toEqual(one.coverage);
  expect(r.cut, what).toEqual(one.cut);
  expect(r.violation, what).toEqual(one.violation);
  expect(r.violations, what).toEqual(one.violations);
}
