import { relative } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { counterexampleOf } from './counterexample.ts';
import { searchJson } from '../check/search-mode.ts';
import { stoppedNotes } from './text.ts';
import { siteText } from './swimlanes.ts';

export interface JsonOptions {
  cwd?: string;
  /** The trace file written for a result (reported as `trace`). */
  traceFile?: (r: CheckResult) => string | undefined;
}

/**
 * The JSON report, version 1. Stable shape (documented in README.md, "JSON report"):
 * `{ version, specs: [...], summary: { total, ok, failed, errors, durationMs } }`.
 */
export const JSON_REPORT_VERSION = 1;

export function jsonReport(results: readonly CheckResult[], elapsedMs: number, o: JsonOptions = {}) {
  const cwd = o.cwd ?? process.cwd();
  return {
    version: JSON_REPORT_VERSION,
    specs: results.map((r) => specEntry(r, cwd, o.traceFile?.(r))),
    summary: {
      total: results.length,
      ok: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      errors: results.filter((r) => r.verdict === 'ERROR').length,
      durationMs: Math.round(elapsedMs),
    },
  };
}

function specEntry(r: CheckResult, cwd: string, trace: string | undefined) {
  const cx = counterexampleOf(r);
  const entry: Record<string, unknown> = {
    name: r.name,
    file: relative(cwd, r.file),
    model: r.spec.model.name,
    params: r.params,
    engine: r.engine,
    engineWhy: r.engineWhy,
    expected: r.expected,
    verdict: r.verdict,
    ok: r.ok,
    executions: r.stats.executions,
    traces: r.stats.traces,
    events: r.stats.events,
    deadlocks: r.stats.deadlocks,
    ...(r.stats.assumeBlocked !== undefined ? { assumeBlocked: r.stats.assumeBlocked } : {}),
    ...(r.stats.assumeRefused !== undefined ? { assumeRefused: r.stats.assumeRefused } : {}),
    sleepBlocked: r.stats.sleepBlocked,
    states: r.stats.states,
    ...(r.stats.storeBytes !== undefined ? { revisits: r.stats.revisits, storeBytes: r.stats.storeBytes, collisionProbability: r.stats.collisionProbability } : {}),
    // A stateful search that spare workers joined (explore/split-search.ts): how many threads.
    ...(r.stats.threads !== undefined ? { threads: r.stats.threads } : {}),
    durationMs: Math.round(r.durationMs * 10) / 10,
    cut: r.cut.filter((c) => c !== 'stopped'),
    violations: r.violations.map((x) => x.property),
  };
  const search = searchJson(r);
  if (search !== undefined) entry.search = search; // bounded or random search: what it covered, the seed
  if (r.witnessesMissed.length > 0) entry.witnessesMissed = r.witnessesMissed;
  if (r.stepsMissed !== undefined) entry.stepsMissed = r.stepsMissed;
  if (r.coverage !== undefined) entry.coverage = r.coverage;
  const stopped = stoppedNotes.get(r);
  if (stopped !== undefined) entry.stopped = stopped; // the CLI cut this spec short (a signal, a step that never returned)
  if (cx !== undefined) {
    const v = cx.violation;
    const m = cx.minimization;
    entry.violation = {
      property: v.property,
      kind: v.kind,
      ...(v.detail ? { detail: v.detail } : {}),
      schedule: v.schedule.map((t) => cx.program.threadName(t)),
      ...(v.loop !== undefined ? { loop: v.loop } : {}),
      ...(m ? { minimized: { status: m.status, originalLength: m.originalLength, length: m.length, originalPreemptions: m.originalPreemptions, preemptions: m.preemptions, ...(m.note ? { note: m.note } : {}) } } : {}),
      ...(trace !== undefined ? { trace: relative(cwd, trace) } : {}),
      steps: cx.story.steps.map((s) => ({
        index: s.index,
        thread: s.thread,
        core: s.core,
        step: `${s.proc}.${s.label}`,
        ...(s.caller ? { caller: s.caller } : {}),
        ...(s.choices.length ? { choices: s.choices.map((c) => ({ label: c.label, value: c.value })) } : {}),
        source: siteText(s.site, cwd),
        reads: s.reads,
        writes: s.writes,
        changes: s.changes,
        ...(s.failures.length ? { failures: s.failures } : {}),
        ...(s.preempts ? { preempts: true } : {}),
      })),
    };
  }
  if (r.error !== undefined) entry.error = { message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) };
  return entry;
}
