/**
 * `npm run bench`: performance figures (issues 3 and 8), measured on this machine.
 *
 * Sections (each prints one aligned table; all go to bench-results/bench.json):
 * - oracles: the published programs (lastzero, readers, casrot, lockinc) with the dpor, naive,
 *   stateful and auto engines, each in its own process (peak RSS and start-up are per run), plus
 *   the recording-draft micro-benchmark. dpor runs BENCH_RUNS times and the median is reported;
 *   naive runs under a 60 s budget, stateful and auto under 600 s, and they are repeated only
 *   when they finish fast (naive < 20 s, stateful/auto < 60 s). For stateful and auto: distinct
 *   states, states/s, and bytes per stored state (the fingerprint table's bytes / states).
 * - specs: the same for every spec in specs/ (the catalogue and its `larger` exports).
 * - kernel: SPIN beside smpcheck on the kernel families of spin-kernel.ts (test/bench/kernel.ts):
 *   SPIN 60 s / 8 GB, smpcheck (auto and stateful, own process, start to verdict) 120 s / 8 GB.
 * - larger: the `larger` configurations together, all and the 20 that existed before, each
 *   group in one process with the default engine: sum of explore times and the group's wall time.
 * - spin: SPIN 6.5 on lastzero(10..12), where `spin` and `gcc` are installed.
 * - ttb: time and schedules to the first violation of every FAIL spec and of 5-core FAIL
 *   configurations: PCT, random walk, preemption bounds 0/1/2, exhaustive, fc.scheduler
 *   (test/bench/time-to-bug.ts; BENCH_TTB_SEEDS seeds for the random modes, default 5).
 * - parallel: `npm run check`'s specs with --workers 1 and 2 (speedup in the same run), and a
 *   simulated 4-shard matrix: each shard's process, their sum, the slowest plus the merge
 *   (test/bench/parallel.ts).
 * - split: one large spec with --workers 1 and 2, the second joining its stateful search
 *   (catalogue specs and the kernel families' largest sizes; test/bench/split.ts).
 *
 * Environment:
 *   BENCH_RUNS=N         median of N runs (default 3) for every row that is repeated
 *   BENCH_FILTER=regex   only rows whose name matches: a program or spec name, a kernel row's
 *                        `<family> <size>` (e.g. 'M4 V2 readers=2'), a larger group's name
 *                        ('larger \(all\)', 'the 20 before'), or 'spin' for the lastzero SPIN rows
 *   BENCH_SECTIONS=list  comma list of oracles,specs,kernel,larger,spin,parallel,split,ttb (default: all)
 *   BENCH_ENGINES=list   engines of the oracles and specs sections (default: dpor,naive,stateful,auto)
 *   BENCH_RUNS=5 BENCH_FILTER='lastzero' npm run bench
 *   BENCH_SECTIONS=kernel,larger BENCH_RUNS=3 npm run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { findSpecFiles, loadSpecs } from '../../src/cli/load.ts';
import { oracleBench } from './cases.ts';
import { parallelSection, type ParallelRow } from './parallel.ts';
import { splitSection, type SplitRow } from './split.ts';
import { draftMicrobench } from './draft.ts';
import { alignTable, bytesPer, type CaseOut, fmt, kernelSection, largerSection, mb, median, secs, type BenchContext, type KernelRow, type LargerRow } from './kernel.ts';
import { runSpinLastzero, spinAvailable, type SpinResult } from './spin.ts';
import { timeToBugSection, type TtbRow } from './time-to-bug.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NAIVE_BUDGET_MS = 60_000;
const STATEFUL_BUDGET_MS = 600_000;
const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER) : null;
const ALL_SECTIONS = ['oracles', 'specs', 'kernel', 'larger', 'spin', 'parallel', 'split', 'ttb'] as const;
type Section = (typeof ALL_SECTIONS)[number];
const sections = new Set<Section>(
  (process.env.BENCH_SECTIONS ?? ALL_SECTIONS.join(',')).split(',').map((x) => x.trim()).filter(Boolean).map((x) => {
    if (!(ALL_SECTIONS as readonly string[]).includes(x)) throw new Error(`BENCH_SECTIONS: unknown section '${x}' (known: ${ALL_SECTIONS.join(', ')})`);
    return x as Section;
  }),
);
const ALL_ENGINES = ['dpor', 'naive', 'stateful', 'auto'] as const;
const ENGINES = (process.env.BENCH_ENGINES ?? ALL_ENGINES.join(',')).split(',').map((x) => {
  if (!(ALL_ENGINES as readonly string[]).includes(x)) throw new Error(`BENCH_ENGINES: unknown engine '${x}' (known: ${ALL_ENGINES.join(', ')})`);
  return x as (typeof ALL_ENGINES)[number];
});

/** One measurement as test/bench/case.ts prints it. */
type Sample = CaseOut;

interface Row {
  program: string;
  kind: 'oracle' | 'spec';
  engine: string;
  /** The engine that ran (auto resolves to stateful or dpor). */
  ranEngine: string;
  engineWhy?: string;
  states: number | null;
  statesPerSec: number;
  storeBytes?: number;
  bytesPerState: number;
  collisionProbability?: number;
  runs: number;
  publishedTraces: number | null;
  executions: number;
  traces: number | null;
  sleepBlocked: number;
  events: number;
  steps: number;
  executionsPerSec: number;
  stepsPerSec: number;
  exploreMs: number;
  processMs: number;
  peakRssMB: number;
  stepShare: number;
  finished: boolean;
}

function once(kind: string, name: string, engine: string, timeMs: number): Sample {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/bench/case.ts', kind, name, engine, String(timeMs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench case ${name} (${engine}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

function measure(kind: 'oracle' | 'spec', name: string, engine: string, published: number | null): Row {
  const budget = engine === 'naive' ? NAIVE_BUDGET_MS : STATEFUL_BUDGET_MS;
  const samples = [once(kind, name, engine, budget)];
  const finished = samples[0]!.cut.length === 0;
  const repeat = engine === 'dpor' || (finished && samples[0]!.exploreMs < (engine === 'naive' ? 20_000 : 60_000));
  while (repeat && samples.length < RUNS) samples.push(once(kind, name, engine, budget));
  const explore = median(samples.map((s) => s.exploreMs));
  const s = samples.find((x) => x.exploreMs === explore)!;
  return {
    program: name,
    kind,
    engine,
    ranEngine: s.engine,
    ...(s.engineWhy !== undefined ? { engineWhy: s.engineWhy } : {}),
    states: s.states,
    statesPerSec: s.states === null ? NaN : (s.states / explore) * 1000,
    ...(s.storeBytes !== undefined ? { storeBytes: s.storeBytes } : {}),
    bytesPerState: bytesPer(s.storeBytes, s.states),
    ...(s.collisionProbability !== undefined ? { collisionProbability: s.collisionProbability } : {}),
    runs: samples.length,
    publishedTraces: published,
    executions: s.executions,
    traces: s.traces,
    sleepBlocked: s.sleepBlocked,
    events: s.events,
    steps: s.steps,
    executionsPerSec: (s.executions / explore) * 1000,
    stepsPerSec: (s.steps / explore) * 1000,
    exploreMs: explore,
    processMs: median(samples.map((x) => x.processMs)),
    peakRssMB: median(samples.map((x) => x.rssMB)),
    stepShare: s.stepMs > 0 ? s.stepMs / explore : 0,
    finished,
  };
}

const head = ['program', 'engine', 'runs', 'executions', 'traces', 'SSB', 'states', 'events', 'steps', 'exec/s', 'states/s', 'steps/s', 'explore', 'process', 'peak RSS', 'B/state', 'in steps'];
const cutText = (r: Row) => `(cut at ${r.engine === 'naive' ? NAIVE_BUDGET_MS / 1000 : STATEFUL_BUDGET_MS / 1000} s)`;
function line(r: Row): string[] {
  const stateful = r.ranEngine === 'stateful';
  return [
    r.program,
    r.engine === 'auto' ? `auto→${r.ranEngine}` : r.engine,
    String(r.runs),
    !r.finished ? cutText(r) : stateful ? '-' : fmt(r.executions),
    r.traces === null ? '-' : fmt(r.traces),
    r.ranEngine === 'dpor' ? String(r.sleepBlocked) : '-',
    r.states === null ? '-' : fmt(r.states),
    fmt(r.events),
    fmt(r.steps),
    stateful ? '-' : fmt(r.executionsPerSec),
    r.states === null ? '-' : fmt(r.statesPerSec),
    fmt(r.stepsPerSec),
    secs(r.exploreMs),
    secs(r.processMs),
    mb(r.peakRssMB),
    Number.isFinite(r.bytesPerState) ? r.bytesPerState.toFixed(1) : '-',
    r.ranEngine === 'dpor' && r.engine === 'dpor' ? `${Math.round(r.stepShare * 100)}%` : '-',
  ];
}

const ctx: BenchContext = { runs: RUNS, filter, log: (l) => process.stderr.write(`${l}\n`) };
const rows: Row[] = [];
const tables: string[] = [];
function engineSection(title: string, cases: { kind: 'oracle' | 'spec'; name: string; published: number | null }[]) {
  const lines: string[][] = [];
  for (const c of cases) {
    if (filter && !filter.test(c.name)) continue;
    for (const engine of ENGINES) {
      const r = measure(c.kind, c.name, engine, c.published);
      rows.push(r);
      const l = line(r);
      lines.push(l);
      ctx.log(l.join('  '));
    }
  }
  tables.push(`${alignTable(title, head, lines)}\n  stateful/auto: states = distinct states stored; B/state = fingerprint table bytes / states; auto→x: the engine auto chose.`);
}

if (sections.has('oracles')) {
  engineSection('published programs (dpor, naive, stateful, auto; one process a run)', oracleBench.map((c) => ({ kind: 'oracle' as const, name: c.name, published: c.traces ?? null })));
}
if (sections.has('specs')) {
  const specs = await loadSpecs(findSpecFiles(['specs']));
  engineSection('specs (dpor, naive, stateful, auto; one process a run)', specs.map((s) => ({ kind: 'spec' as const, name: s.name, published: null })));
}

let draft: { plainNs: number; draftNs: number; immerNs: number } | null = null;
if (sections.has('oracles')) {
  const draftRuns = Array.from({ length: 5 }, () => draftMicrobench());
  draft = {
    plainNs: median(draftRuns.map((d) => d.plainNs)),
    draftNs: median(draftRuns.map((d) => d.draftNs)),
    immerNs: median(draftRuns.map((d) => d.immerNs)),
  };
}

let kernel: KernelRow[] = [];
if (sections.has('kernel')) {
  if (spinAvailable()) {
    const k = kernelSection(ctx);
    kernel = k.rows;
    tables.push(k.table);
  } else {
    tables.push('== kernel families: skipped, spin or gcc is not installed');
  }
}

let larger: LargerRow[] = [];
if (sections.has('larger')) {
  const l = largerSection(ctx);
  larger = l.rows;
  tables.push(l.table);
}

// SPIN 6.5 on the same machine, where it is installed (Debian package `spin`).
const spin: SpinResult[] = [];
if (sections.has('spin') && spinAvailable() && (!filter || filter.test('spin'))) {
  for (const n of [10, 11, 12]) {
    const r = runSpinLastzero(n);
    spin.push(r);
    ctx.log(`spin lastzero(${n}): ${JSON.stringify(r)}`);
  }
  tables.push(alignTable('SPIN 6.5 on lastzero(N) with partial-order reduction (pan alone)', ['program', 'states', 'transitions', 'pan', 'peak RSS', 'memory'],
    spin.map((r) => [`lastzero(${r.n})`, r.error ? `did not finish (${r.error.slice(0, 80)})` : fmt(r.states), fmt(r.transitions), secs(r.wallMs), mb(r.peakRssMB), mb(r.memoryMB)]), 1));
}

let parallel: { rows: ParallelRow[]; ratios: Record<string, number> } | null = null;
if (sections.has('parallel')) {
  const p = parallelSection(ctx);
  parallel = { rows: p.rows, ratios: p.ratios };
  tables.push(p.table);
}

let split: SplitRow[] = [];
if (sections.has('split')) {
  const p = splitSection(ctx);
  split = p.rows;
  tables.push(p.table);
}

// Time to the first violation: bounded and random search beside exhaustive and fc.scheduler (issue 13).
let ttb: TtbRow[] = [];
if (sections.has('ttb')) {
  const t = await timeToBugSection(ctx);
  ttb = t.rows;
  tables.push(t.table);
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', loadavg: loadavg(), date: new Date().toISOString() };
const out = {
  machine, runs: RUNS, sections: [...sections], filter: filter?.source ?? null, naiveBudgetMs: NAIVE_BUDGET_MS, statefulBudgetMs: STATEFUL_BUDGET_MS,
  rows, draftMicrobench: draft, kernel, larger, spin, parallel, split, ttb,
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/bench.json.tmp', `${JSON.stringify(out, null, 2)}\n`);
renameSync('bench-results/bench.json.tmp', 'bench-results/bench.json');

console.log(tables.join('\n\n'));
if (draft) {
  console.log(`\none small step (lastzero's store), median of 5 × 200k: plain copy ${draft.plainNs.toFixed(0)} ns, recording draft ${draft.draftNs.toFixed(0)} ns (${(draft.draftNs / draft.plainNs).toFixed(1)}× plain), immer produce ${draft.immerNs.toFixed(0)} ns (${(draft.immerNs / draft.draftNs).toFixed(1)}× the draft, no recording)`);
}
console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load average at the end ${machine.loadavg.map((x) => x.toFixed(2)).join(' ')}; sections ${[...sections].join(',')}; written to bench-results/bench.json`);
