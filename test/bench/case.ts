/**
 * One benchmark measurement in a fresh process (so peak RSS and start-up are its own): explores
 * one program with one engine and prints a JSON line. Run by test/bench/run.ts.
 *   node --import tsx test/bench/case.ts <oracle|spec> <name> <engine> <timeMs>
 */
import { findSpecFiles, loadSpecs } from '../../src/cli/load.ts';
import { Program } from '../../src/model/program.ts';
import { engines } from '../../src/explore/engines.ts';
import { resolveBounds, type Profile } from '../../src/explore/types.ts';
import { oracleBench } from './cases.ts';

const [kind, name, engine, timeMs] = process.argv.slice(2) as [string, string, string, string];
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
  executions: r.stats.executions,
  traces: r.stats.traces,
  deadlocks: r.stats.deadlocks,
  sleepBlocked: r.stats.sleepBlocked,
  events: r.stats.events,
  steps: engine === 'dpor' ? profile.steps : r.stats.events,
  stepMs: profile.stepMs,
  exploreMs,
  processMs: process.uptime() * 1000,
  rssMB: process.resourceUsage().maxRSS / 1024,
  cut: r.cut,
  violations: r.violations.map((v) => v.property),
}));
