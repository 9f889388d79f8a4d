/**
 * `npm run bench` section `ttb` (issue 13 item 4): time and schedules until the first violation
 * of the expected property, for every FAIL spec of specs/ and for larger FAIL configurations
 * (5 cores), with
 * - PCT depth 3 and uniform random walks (engine random): median over seeds 1..SEEDS of the
 *   schedule that first showed it and of the search time; a seed that does not find it within
 *   RANDOM_SCHEDULES schedules counts as infinite (the median then says "not found" if most miss);
 * - preemption bounds 0, 1, 2 (engine bounded) and exhaustive search (the default engine):
 *   deterministic, so the explored count is the same each run; the time is the median of
 *   BENCH_RUNS runs (one run when it takes over 10 s);
 * - fast-check's own scheduler (`fc.scheduler`), driving the same model: every thread is an
 *   async task that awaits a scheduled promise before each step, fast-check picks which promise
 *   resolves next; a thread whose step is blocked waits again, and a run in which every thread
 *   left waits without a step in between is a deadlock. Median over the same seeds of the
 *   fast-check run (`numRuns`) that failed first, up to RANDOM_SCHEDULES runs.
 * Times are the search alone (no minimisation), in this process, one at a time.
 */
import fc from 'fast-check';
import { evaluatePredicates } from '../../src/check/evaluate.ts';
import { checkSpec, type CheckResult } from '../../src/check/run.ts';
import { expectsLiveness } from '../../src/check/search-mode.ts';
import { spec, type Spec } from '../../src/check/spec.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep } from '../../src/model/step.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';
import { fallocPop } from '../../models/falloc_pop.ts';
import { fallocAnyVsSpecific } from '../../models/falloc_any_vs_specific.ts';
import { rwlockWakeupPagefault } from '../../models/rwlock_wakeup_pagefault.ts';
import { pgattrUniform } from '../../models/pgattr_uniform.ts';
import { pgfaultLeafRace } from '../../models/pgfault_leaf_race.ts';
import { pgmapTableAllocRace } from '../../models/pgmap_table_alloc_race.ts';
import { alignTable, fmt, median, secs, type BenchContext } from './kernel.ts';

const SEEDS = Number(process.env.BENCH_TTB_SEEDS ?? 5);
const RANDOM_SCHEDULES = 10_000;
const BUDGET_MS = 30_000;
const EXHAUSTIVE_BUDGET_MS = 60_000;

/** Larger FAIL configurations with 5 cores (not in the catalogue: exhaustive search finds them in seconds). */
export function fiveCoreConfigurations(): Spec[] {
  const any4 = ['any', 'any', 'any', 'any', 'specific'] as const;
  return [
    spec({ name: 'falloc_pop/U/5cores', model: fallocPop, params: { variant: 'U', cores: 5, frames: 8 }, expect: { fail: 'I-own' } }),
    spec({ name: 'falloc_pop/L-TAS/5cores/3ops', model: fallocPop, params: { variant: 'L-TAS', cores: 5, frames: 8, ops: ['alloc', 'free', 'alloc'] }, expect: { fail: 'I-own' } }),
    spec({ name: 'falloc_any_vs_specific/Draft/5cores', model: fallocAnyVsSpecific, params: { variant: 'Draft', cores: [...any4], frames: 5 }, expect: { fail: 'I-own' } }),
    spec({ name: 'rwlock_wakeup_pagefault/V5/4readers', model: rwlockWakeupPagefault, params: { variant: 'V5', readers: 4 }, expect: { fail: 'deadlock' } }),
    spec({ name: 'pgattr_uniform/8b/5cores', model: pgattrUniform, params: { variant: '8b', cores: 5 }, expect: { fail: 'U1' } }),
    spec({ name: 'pgfault_leaf_race/Draft/5cores', model: pgfaultLeafRace, params: { variant: 'Draft', cores: 5 }, expect: { fail: 'I-no-overwrite' } }),
    spec({ name: 'pgmap_table_alloc_race/U/5cores', model: pgmapTableAllocRace, params: { variant: 'U', cores: 5 }, expect: { fail: 'I-visible' } }),
  ];
}

/** One mode's figure for one spec: how much it explored until the violation, and how long. */
export interface TtbCell {
  /** Schedules (random, fc.scheduler), states/nodes (stateful, bounded) or executions (DPOR) until the violation; null: not found. */
  readonly explored: number | null;
  readonly unit: string;
  readonly ms: number;
  readonly runs: number;
  /** Why it was not found: 'bound' (no violation within it), 'budget'. */
  readonly miss?: string;
}

export interface TtbRow {
  readonly spec: string;
  readonly cores: number;
  readonly cells: Record<string, TtbCell>;
}

export const TTB_MODES = ['pct3', 'random', 'k0', 'k1', 'k2', 'exhaustive', 'fc.scheduler'] as const;

function timed(s: Spec, opts: Parameters<typeof checkSpec>[1]): CheckResult {
  return checkSpec(s, { minimize: false, ...opts });
}

function randomCell(s: Spec, pctDepth: number | undefined): TtbCell {
  const firsts: number[] = [];
  const times: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const r = timed(s, { random: { schedules: RANDOM_SCHEDULES, seed, ...(pctDepth ? { pctDepth } : {}) }, bounds: { timeMs: BUDGET_MS } });
    firsts.push(r.ok ? r.search!.random!.foundAt[(s.expect as { fail: string }).fail]! : Infinity);
    times.push(r.ok ? r.durationMs : Infinity);
  }
  const m = median(firsts);
  return Number.isFinite(m) ? { explored: m, unit: 'schedules', ms: median(times), runs: SEEDS } : { explored: null, unit: 'schedules', ms: Infinity, runs: SEEDS, miss: `not in ${fmt(RANDOM_SCHEDULES)}` };
}

function deterministicCell(s: Spec, opts: Parameters<typeof checkSpec>[1], runs: number, budget: number): TtbCell {
  const times: number[] = [];
  let r: CheckResult | undefined;
  for (let i = 0; i < runs; i++) {
    r = timed(s, { ...opts, bounds: { timeMs: budget } });
    times.push(r.durationMs);
    if (r.durationMs > 10_000) break;
  }
  const unit = r!.engine === 'dpor' ? 'executions' : 'states';
  const explored = r!.engine === 'dpor' ? r!.stats.executions : r!.stats.states ?? 0;
  if (r!.ok) return { explored, unit, ms: median(times), runs: times.length };
  const miss = r!.cut.includes('time') ? `over ${secs(budget)}` : r!.verdict === 'INCOMPLETE' ? 'none within bound' : `${r!.verdict} ${r!.violation?.property ?? ''}`.trim();
  return { explored: null, unit, ms: median(times), runs: times.length, miss };
}

/**
 * fast-check's scheduler on the same model: is the expected property violated in this run?
 * One run is one schedule; the counts are fast-check's runs until the first failing one.
 */
async function fcSchedulerCell(s: Spec): Promise<TtbCell> {
  const program = new Program(s.model, { ...s.model.params, ...(s.params ?? {}) });
  const expected = s.expect === 'pass' ? '' : s.expect.fail;
  const deadlockIsViolation = s.deadlock !== 'allowed';
  const firsts: number[] = [];
  const times: number[] = [];
  for (let seed = 1; seed <= SEEDS; seed++) {
    const t0 = performance.now();
    const out = await fc.check(
      fc.asyncProperty(fc.scheduler(), async (sched) => !(await violatedUnder(program, sched, deadlockIsViolation, expected)).has(expected)),
      { seed, numRuns: RANDOM_SCHEDULES, endOnFailure: true, interruptAfterTimeLimit: BUDGET_MS },
    );
    times.push(performance.now() - t0);
    firsts.push(out.failed ? out.numRuns : Infinity);
  }
  const m = median(firsts);
  return Number.isFinite(m) ? { explored: m, unit: 'schedules', ms: median(times.filter((_, i) => Number.isFinite(firsts[i]!))), runs: SEEDS } : { explored: null, unit: 'schedules', ms: Infinity, runs: SEEDS, miss: `not in ${fmt(RANDOM_SCHEDULES)}` };
}

/**
 * Runs the threads as async tasks under fast-check's scheduler; returns the properties violated.
 * Like the engines, a run goes on past other properties' violations and stops at the expected one.
 */
async function violatedUnder(program: Program, sched: fc.Scheduler, deadlockIsViolation: boolean, expected: string): Promise<Set<string>> {
  let state: State = program.initial;
  const violated = new Set<string>();
  let over = false;
  let steps = 0;
  const live = new Set(program.threads.map((t) => t.tid));
  const waiting = new Set<number>(); // blocked since the last step anyone took
  const check = () => {
    for (const v of evaluatePredicates(program, state.shared, program.invariants, 'invariant')) violated.add(v);
    if (violated.has(expected)) over = true;
  };
  check();
  const task = async (tid: number) => {
    while (!over) {
      await sched.schedule(Promise.resolve(tid), `T${tid}`);
      if (over) return;
      const o = executeStep(program, state, tid);
      if (o.kind === 'done') {
        live.delete(tid);
        waiting.delete(tid);
        break;
      }
      if (o.kind === 'blocked') {
        waiting.add(tid);
        if (waiting.size === live.size) {
          if (deadlockIsViolation) violated.add('deadlock');
          over = true;
        }
        continue;
      }
      waiting.clear();
      state = o.state;
      for (const f of o.failures ?? []) violated.add(f.property);
      check();
      if (++steps > 2000) over = true;
    }
    if (live.size === 0 && !over) {
      for (const v of evaluatePredicates(program, state.shared, program.finals, 'final')) violated.add(v);
      over = true;
    }
  };
  const all = program.threads.map((t) => task(t.tid));
  await sched.waitAll();
  await Promise.all(all);
  return violated;
}

function cellText(c: TtbCell | undefined): string {
  if (c === undefined) return '';
  if (c.explored === null) return `– (${c.miss})`;
  return `${fmt(c.explored)} / ${secs(c.ms)}`;
}

export async function timeToBugSection(ctx: BenchContext): Promise<{ rows: TtbRow[]; table: string }> {
  const { catalogue, larger } = await loadCatalogue();
  // Liveness violations (lassos) need the whole state graph: bounded and random search cannot show them.
  const specs = [...catalogue, ...larger].filter((s) => s.expect !== 'pass' && !expectsLiveness(s, new Program(s.model, { ...s.model.params, ...(s.params ?? {}) })));
  const cases = [...specs, ...fiveCoreConfigurations()].filter((s) => !ctx.filter || ctx.filter.test(s.name));
  const rows: TtbRow[] = [];
  for (const s of cases) {
    const program = new Program(s.model, { ...s.model.params, ...(s.params ?? {}) });
    const cells: Record<string, TtbCell> = {};
    cells.pct3 = randomCell(s, 3);
    cells.random = randomCell(s, undefined);
    for (const k of [0, 1, 2]) cells[`k${k}`] = deterministicCell(s, { preemptions: k }, ctx.runs, BUDGET_MS);
    cells.exhaustive = deterministicCell(s, { engine: 'stateful' }, ctx.runs, EXHAUSTIVE_BUDGET_MS);
    cells['fc.scheduler'] = await fcSchedulerCell(s);
    const row = { spec: s.name, cores: program.threads.length, cells };
    rows.push(row);
    ctx.log(`ttb ${s.name}: ${TTB_MODES.map((m) => `${m} ${cellText(cells[m])}`).join(', ')}`);
  }
  const head = ['spec', 'threads', 'PCT d=3', 'random walk', 'K=0', 'K=1', 'K=2', 'exhaustive', 'fc.scheduler'];
  const lines = rows.map((r) => [r.spec, String(r.cores), ...TTB_MODES.map((m) => cellText(r.cells[m]))]);
  const found = (m: string) => rows.filter((r) => r.cells[m]?.explored !== null).length;
  const note = [
    `  cells: explored until the first violation of the expected property / search time (no minimisation); random modes and fc.scheduler: median over seeds 1..${SEEDS} of the first failing schedule (up to ${fmt(RANDOM_SCHEDULES)}), K and exhaustive (the stateful engine, what auto runs on these): states or nodes, median time of ${ctx.runs} runs.`,
    `  found: ${TTB_MODES.map((m) => `${m} ${found(m)}/${rows.length}`).join(', ')}.`,
  ].join('\n');
  return { rows, table: `${alignTable('time to first violation (issue 13): PCT, random walk, preemption bounds 0/1/2, exhaustive, fast-check scheduler', head, lines, 1)}\n${note}` };
}
