/**
 * `npm run bench`: performance figures for issue 3, measured on this machine.
 *
 * For the published programs (lastzero, readers, casrot, lockinc) and every spec in specs/, each
 * engine runs in its own process (peak RSS and start-up are per run); DPOR runs BENCH_RUNS times
 * (default 3) and the median is reported; naive runs under a 60 s budget and is repeated only when
 * fast. Prints a table and writes the same figures to bench-results/bench.json.
 * Where `spin` and `gcc` are installed, SPIN 6.5 checks lastzero(10..12) on the same machine.
 *   BENCH_RUNS=5 BENCH_FILTER='lastzero' npm run bench
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { findSpecFiles, loadSpecs } from '../../src/cli/load.ts';
import { oracleBench } from './cases.ts';
import { draftMicrobench } from './draft.ts';
import { runSpinLastzero, spinAvailable, type SpinResult } from './spin.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const NAIVE_BUDGET_MS = 60_000;
const filter = process.env.BENCH_FILTER ? new RegExp(process.env.BENCH_FILTER) : null;

interface Sample {
  executions: number;
  traces: number | null;
  deadlocks: number;
  sleepBlocked: number;
  events: number;
  steps: number;
  stepMs: number;
  exploreMs: number;
  processMs: number;
  rssMB: number;
  cut: string[];
  violations: string[];
}

interface Row {
  program: string;
  kind: 'oracle' | 'spec';
  engine: string;
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(kind: 'oracle' | 'spec', name: string, engine: string, published: number | null): Row {
  const budget = engine === 'naive' ? NAIVE_BUDGET_MS : 600_000;
  const samples = [once(kind, name, engine, budget)];
  const finished = samples[0]!.cut.length === 0;
  const repeat = engine === 'dpor' || (finished && samples[0]!.exploreMs < 20_000);
  while (repeat && samples.length < RUNS) samples.push(once(kind, name, engine, budget));
  const explore = median(samples.map((s) => s.exploreMs));
  const s = samples.find((x) => x.exploreMs === explore)!;
  return {
    program: name,
    kind,
    engine,
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

const fmt = (n: number) => (n >= 1e9 ? n.toExponential(2) : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
const secs = (ms: number) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

const rows: Row[] = [];
const table: string[] = [];
const head = ['program', 'engine', 'runs', 'executions', 'traces', 'SSB', 'events', 'steps', 'exec/s', 'steps/s', 'explore', 'process', 'peak RSS', 'in steps'];
table.push(head.join('\t'));
function add(r: Row) {
  rows.push(r);
  const line = [r.program, r.engine, r.runs, r.finished ? fmt(r.executions) : `(cut at 60 s)`, r.traces === null ? '-' : fmt(r.traces), r.engine === 'dpor' ? r.sleepBlocked : '-', fmt(r.events), fmt(r.steps), fmt(r.executionsPerSec), fmt(r.stepsPerSec), secs(r.exploreMs), secs(r.processMs), `${Math.round(r.peakRssMB)} MB`, r.engine === 'dpor' ? `${Math.round(r.stepShare * 100)}%` : '-'].join('\t');
  table.push(line);
  process.stderr.write(`${line}\n`);
}

for (const c of oracleBench) {
  if (filter && !filter.test(c.name)) continue;
  add(measure('oracle', c.name, 'dpor', c.traces ?? null));
  add(measure('oracle', c.name, 'naive', c.traces ?? null));
}
for (const s of await loadSpecs(findSpecFiles(['specs']))) {
  if (filter && !filter.test(s.name)) continue;
  add(measure('spec', s.name, 'dpor', null));
  add(measure('spec', s.name, 'naive', null));
}

const draftRuns = Array.from({ length: 5 }, () => draftMicrobench());
const draft = {
  plainNs: median(draftRuns.map((d) => d.plainNs)),
  draftNs: median(draftRuns.map((d) => d.draftNs)),
  immerNs: median(draftRuns.map((d) => d.immerNs)),
};

// SPIN 6.5 on the same machine, where it is installed (Debian package `spin`).
const spin: SpinResult[] = [];
if (spinAvailable() && (!filter || filter.test('spin'))) {
  for (const n of [10, 11, 12]) {
    const r = runSpinLastzero(n);
    spin.push(r);
    process.stderr.write(`spin lastzero(${n}): ${JSON.stringify(r)}\n`);
  }
}

const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', date: new Date().toISOString() };
const out = { machine, runs: RUNS, naiveBudgetMs: NAIVE_BUDGET_MS, rows, draftMicrobench: draft, spin };
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/bench.json.tmp', `${JSON.stringify(out, null, 2)}\n`);
renameSync('bench-results/bench.json.tmp', 'bench-results/bench.json');

// Aligned table on stdout.
const cells = table.map((l) => l.split('\t'));
const widths = head.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
console.log(cells.map((c) => c.map((x, i) => (i < 2 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ')).join('\n'));
console.log(`\none small step (lastzero's store), median of 5 × 200k: plain copy ${draft.plainNs.toFixed(0)} ns, recording draft ${draft.draftNs.toFixed(0)} ns (${(draft.draftNs / draft.plainNs).toFixed(1)}× plain), immer produce ${draft.immerNs.toFixed(0)} ns (${(draft.immerNs / draft.draftNs).toFixed(1)}× the draft, no recording)`);
for (const r of spin) {
  console.log(`SPIN 6.5 lastzero(${r.n}) with partial-order reduction: ${r.error ? `did not finish (${r.error.slice(0, 80)})` : `${fmt(r.states)} states, ${secs(r.wallMs)}, ${Math.round(r.peakRssMB)} MB peak RSS`}`);
}
console.log(`machine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}; written to bench-results/bench.json`);
