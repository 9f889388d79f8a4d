/**
 * One benchmark measurement in a fresh process (so peak RSS and start-up are its own): explores
 * one program with one engine and prints a JSON line. Run by test/bench/run.ts and
 * test/bench/kernel.ts.
 *   node --import tsx test/bench/case.ts <oracle|spec> <name> <engine> <timeMs>
 *   node --import tsx test/bench/case.ts kernel <family> <size label> <engine> <timeMs> [<memoryMB>]
 *   node --import tsx test/bench/case.ts group <larger group> <engine> <timeMs>
 * `kernel`: one size of a family of spin-kernel.ts, checked as `smpcheck check` checks a spec
 * (checkSpec), timed from process start to the verdict. `group`: every spec of a group of the
 * `larger` exports (kernel.ts LARGER_GROUPS) checked one after the other in this process.
 */
import { findSpecFiles, loadSpecs } from '../../src/cli/load.ts';
import { Program } from '../../src/model/program.ts';
import { engines } from '../../src/explore/engines.ts';
import { resolveBounds, type ExploreStats, type Profile } from '../../src/explore/types.ts';
import { oracleBench } from './cases.ts';

const [kind, name, ...rest] = process.argv.slice(2) as [string, string, ...string[]];

const statefulFields = (s: ExploreStats) => ({
  states: s.states,
  ...(s.revisits !== undefined ? { revisits: s.revisits } : {}),
  ...(s.storeBytes !== undefined ? { storeBytes: s.storeBytes } : {}),
  ...(s.collisionProbability !== undefined ? { collisionProbability: s.collisionProbability } : {}),
});
const rss = () => process.resourceUsage().maxRSS / 1024;

if (kind === 'kernel') {
  const [label, engine, timeMs, memoryMB] = rest as [string, string, string, string?];
  // Imported here, so that the oracle and spec runs load what they did before.
  const { checkSpec } = await import('../../src/check/run.ts');
  const { spec } = await import('../../src/check/spec.ts');
  const { kernelSpinFamilies } = await import('./spin-kernel.ts');
  const family = kernelSpinFamilies.find((f) => f.name === name);
  const size = family?.sizes.find((s) => s.label === label);
  if (!family || !size) throw new Error(`no kernel family '${name}' size '${label}'`);
  const r = checkSpec(
    spec({ name: `${name} ${label}`, model: size.smpcheck.model, params: size.smpcheck.params, expect: size.expect }),
    { engine, bounds: { timeMs: Number(timeMs), ...(memoryMB ? { maxMemoryMB: Number(memoryMB) } : {}) }, minimize: false },
  );
  console.log(JSON.stringify({
    engine: r.engine,
    engineWhy: r.engineWhy,
    verdict: r.verdict,
    executions: r.stats.executions,
    traces: r.stats.traces,
    deadlocks: r.stats.deadlocks,
    sleepBlocked: r.stats.sleepBlocked,
    events: r.stats.events,
    steps: r.stats.events,
    stepMs: 0,
    ...statefulFields(r.stats),
    exploreMs: r.durationMs,
    processMs: process.uptime() * 1000,
    rssMB: rss(),
    cut: r.cut,
    violations: r.violations.map((v) => v.property),
    ...(r.error ? { error: r.error.message } : {}),
  }));
} else if (kind === 'group') {
  const [engine, timeMs] = rest as [string, string];
  const { checkSpec } = await import('../../src/check/run.ts');
  const { loadCatalogue } = await import('../../specs/catalogue.ts');
  const { LARGER_GROUPS } = await import('./kernel.ts');
  const pick = LARGER_GROUPS[name as keyof typeof LARGER_GROUPS];
  if (!pick) throw new Error(`no group '${name}'`);
  const { larger } = await loadCatalogue();
  const specs = larger.filter(pick);
  const out = [];
  let exploreMs = 0;
  let events = 0;
  for (const s of specs) {
    const r = checkSpec(s, { engine, bounds: { timeMs: Number(timeMs) } });
    exploreMs += r.durationMs;
    events += r.stats.events;
    out.push({ name: s.name, verdict: r.verdict, ok: r.ok, engine: r.engine, durationMs: r.durationMs, states: r.stats.states });
  }
  console.log(JSON.stringify({
    engine,
    executions: 0, traces: null, deadlocks: 0, sleepBlocked: 0, events, steps: events, stepMs: 0, states: null,
    exploreMs,
    processMs: process.uptime() * 1000,
    rssMB: rss(),
    cut: [],
    violations: [],
    specs: out,
  }));
} else {
  const [engine, timeMs] = rest as [string, string];
  let model;
  let params: Record<string, unknown>;
  let bounds = {};
  let deadlockIsViolation = true;
  if (kind === 'oracle') {
    const c = oracleBench.find((x) => x.name === name)!;
    model = c.model;
    params = { ...c.model.params, ...c.params };
  } else {
    const s = (await loadSpecs(findSpecFiles(['specs']))).find((x) => x.name === name)!;
    model = s.model;
    params = { ...s.model.params, ...s.params };
    bounds = s.bounds ?? {};
    deadlockIsViolation = s.deadlock !== 'allowed';
  }
  const profile: Profile = { steps: 0, stepMs: 0, totalMs: 0 };
  const t0 = performance.now();
  const r = engines[engine]!(new Program(model, params), {
    bounds: resolveBounds({ ...bounds, timeMs: Number(timeMs) }),
    deadlockIsViolation,
    stopOn: () => false,
    profile,
  });
  const exploreMs = performance.now() - t0;
  console.log(JSON.stringify({
    engine: r.engine,
    ...(r.engineWhy !== undefined ? { engineWhy: r.engineWhy } : {}),
    executions: r.stats.executions,
    traces: r.stats.traces,
    deadlocks: r.stats.deadlocks,
    sleepBlocked: r.stats.sleepBlocked,
    events: r.stats.events,
    steps: r.engine === 'dpor' && profile.steps > 0 ? profile.steps : r.stats.events,
    stepMs: profile.stepMs,
    ...statefulFields(r.stats),
    exploreMs,
    processMs: process.uptime() * 1000,
    rssMB: rss(),
    cut: r.cut,
    violations: r.violations.map((v) => v.property),
  }));
}
