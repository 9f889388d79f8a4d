import { partCounts } from '../explore/part-search.ts';
import type { Cut } from '../explore/types.ts';
import type { Coverage, PropertyCoverage, StepCoverage } from './coverage.ts';
import { settle, type CheckResult } from './run.ts';

/**
 * One result from the parts of a spec split across shards (`--split-spec`; explore/part-search.ts),
 * one part per shard, in shard order: what a single process checking the whole spec reports.
 *
 * - A part that is the whole search (it met a violation or an error, the search ended before
 *   the split point, or the spec is not one the stateful engine splits) is that result: the
 *   first such part's. So is a part without part data (a spec the shard's CLI cut short or could
 *   not check), which is never a PASS.
 * - Otherwise every part searched on from the same prefix: distinct states, end states and
 *   deadlocks are the prefix's plus the union of what the parts recorded; transitions and
 *   revisits add up; cuts, witnesses and coverage are united; the verdict is settled on that.
 */
export function mergeParts(parts: readonly CheckResult[]): CheckResult {
  const first = parts[0]!;
  const decided = parts.find((r) => r.part === undefined || r.part.whole);
  if (decided !== undefined) return decided;
  const counts = partCounts(parts.map((r) => r.part!));
  const cut = [...new Set(parts.flatMap((r) => r.cut))] as Cut[];
  const witnessesMissed = first.witnessesMissed.filter((w) => parts.every((r) => r.witnessesMissed.includes(w)));
  const coverage = mergeCoverage(parts.map((r) => r.coverage!));
  const stats = {
    ...first.stats,
    executions: counts.terminals,
    deadlocks: counts.deadlocks,
    ...(counts.discarded > 0 ? { assumeBlocked: counts.discarded } : {}),
    ...(parts.some((r) => r.stats.assumeRefused !== undefined) ? { assumeRefused: parts.reduce((n, r) => n + (r.stats.assumeRefused ?? 0), 0) } : {}),
    events: parts.reduce((n, r) => n + r.stats.events, 0),
    revisits: parts.reduce((n, r) => n + (r.stats.revisits ?? 0), 0),
    states: counts.states,
    maxDepth: Math.max(...parts.map((r) => r.stats.maxDepth)),
    storeBytes: Math.max(...parts.map((r) => r.stats.storeBytes ?? 0)),
    collisionProbability: Math.min(1, (counts.states * (counts.states - 1)) / 2 / 2 ** 64),
  };
  if (counts.discarded === 0) delete (stats as { assumeBlocked?: number }).assumeBlocked;
  delete (stats as { threads?: number }).threads; // each part's own: not a figure of the merge
  const { verdict, stepsMissed, ok } = settle(first.spec, { violations: [], cut, witnessesMissed, stats, coverage });
  const { part: _part, ...rest } = first;
  return {
    ...rest,
    engineWhy: `stateful; split across ${parts.length} shards (--split-spec), their parts merged`,
    verdict,
    ok,
    stats,
    // The shards ran side by side: the spec took as long as its slowest part.
    durationMs: Math.max(...parts.map((r) => r.durationMs)),
    violations: [],
    violation: undefined,
    witnessesMissed,
    ...(stepsMissed.length > 0 ? { stepsMissed } : {}),
    coverage,
    cut,
  };
}

/** A step ran if it ran in any part; a property was evaluated if it was in any. */
function mergeCoverage(cs: readonly Coverage[]): Coverage {
  const steps = new Map<string, StepCoverage>();
  for (const c of cs) {
    for (const s of c.steps) {
      const had = steps.get(s.step);
      const ran = s.ran || (had?.ran ?? false);
      const blocked = !ran && (s.blockedOnly === true || had?.blockedOnly === true);
      steps.set(s.step, { step: s.step, ran, ...(blocked ? { blockedOnly: true as const } : {}) });
    }
  }
  const props = new Map<string, PropertyCoverage>();
  for (const c of cs) {
    for (const p of c.properties) {
      const key = `${p.kind}\0${p.property}`;
      props.set(key, { ...p, evaluated: p.evaluated || (props.get(key)?.evaluated ?? false) });
    }
  }
  // As coverageOf orders them: the model's properties in its order, then assertions by name.
  const all = [...props.values()];
  const asserted = all.filter((p) => p.kind === 'assertion').sort((a, b) => (a.property < b.property ? -1 : a.property > b.property ? 1 : 0));
  return { steps: [...steps.values()], properties: [...all.filter((p) => p.kind !== 'assertion'), ...asserted] };
}
