import { relative } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { replay } from '../check/replay.ts';
import { siteText } from './text.ts';

/**
 * The JSON report, version 1. Stable shape (documented in README.md, "JSON report"):
 * `{ version, specs: [...], summary: { total, ok, failed, errors, durationMs } }`.
 */
export const JSON_REPORT_VERSION = 1;

export function jsonReport(results: readonly CheckResult[], elapsedMs: number, cwd = process.cwd()) {
  return {
    version: JSON_REPORT_VERSION,
    specs: results.map((r) => specEntry(r, cwd)),
    summary: {
      total: results.length,
      ok: results.filter((r) => r.ok).length,
      failed: results.filter((r) => !r.ok).length,
      errors: results.filter((r) => r.verdict === 'ERROR').length,
      durationMs: Math.round(elapsedMs),
    },
  };
}

function specEntry(r: CheckResult, cwd: string) {
  const v = r.violation;
  const entry: Record<string, unknown> = {
    name: r.name,
    file: relative(cwd, r.file),
    model: r.spec.model.name,
    params: r.params,
    engine: r.engine,
    expected: r.expected,
    verdict: r.verdict,
    ok: r.ok,
    executions: r.stats.executions,
    traces: r.stats.traces,
    events: r.stats.events,
    deadlocks: r.stats.deadlocks,
    sleepBlocked: r.stats.sleepBlocked,
    states: r.stats.states,
    durationMs: Math.round(r.durationMs * 10) / 10,
    cut: r.cut.filter((c) => c !== 'stopped'),
    violations: r.violations.map((x) => x.property),
  };
  if (r.witnessesMissed.length > 0) entry.witnessesMissed = r.witnessesMissed;
  if (v !== undefined && r.program !== undefined) {
    const story = replay(r.program, v.schedule);
    entry.violation = {
      property: v.property,
      kind: v.kind,
      ...(v.detail ? { detail: v.detail } : {}),
      schedule: v.schedule.map((t) => r.program!.threadName(t)),
      steps: story.steps.map((s) => ({
        index: s.index,
        thread: s.thread,
        core: s.core,
        step: `${s.proc}.${s.label}`,
        ...(s.caller ? { caller: s.caller } : {}),
        source: siteText(s.site, cwd),
        reads: s.reads,
        writes: s.writes,
        changes: s.changes,
        ...(s.failures.length ? { failures: s.failures } : {}),
      })),
    };
  }
  if (r.error !== undefined) entry.error = { message: r.error.message, ...(r.error.hint ? { hint: r.error.hint } : {}) };
  return entry;
}
