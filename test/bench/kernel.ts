/**
 * The `kernel` and `larger` sections of `npm run bench` (test/bench/run.ts), and the helpers the
 * sections share (one measurement in its own process, medians, aligned tables).
 *
 * - kernel: SPIN beside smpcheck on the kernel families of spin-kernel.ts. For each family and
 *   size, SPIN (spin -a + gcc + pan, 60 s / 8 GB) and smpcheck (a fresh `node` process running
 *   the same configuration, process start to verdict; default engine `auto` and `stateful`,
 *   120 s / 8 GB each) — verdict, states, wall time end to end, peak RSS, states/s, bytes per
 *   state, and SPIN time / smpcheck time. Once SPIN is stopped by its budget at one size it is
 *   not run at the sizes at least as large ({@link atLeastAsLarge}; marked `not run`), while
 *   smpcheck goes on; an smpcheck engine that is cut is not run at those sizes either, and a
 *   size is left out once every smpcheck engine was cut at a size no larger.
 * - larger: the `larger` exports of specs/*.spec.ts (specs/catalogue.ts), all of them and the 20
 *   that existed before the reach configurations were added, each group checked in one process
 *   with the default engine as `smpcheck check` does it: the sum of the specs' explore times and
 *   the group's wall time (process start to exit).
 */
import { spawnSync } from 'node:child_process';
import type { Spec } from '../../src/check/spec.ts';
import { kernelSpinFamilies, runKernelSpin, spinVerdictOf } from './spin-kernel.ts';
import type { SpinRun } from './spin.ts';

// ---------------------------------------------------------------------------------------------
// Shared helpers

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export const fmt = (n: number) => (!Number.isFinite(n) ? '-' : n >= 1e9 ? n.toExponential(2) : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n)));
export const secs = (ms: number) => (!Number.isFinite(ms) ? '-' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
export const mb = (x: number) => (Number.isFinite(x) ? `${Math.round(x)} MB` : '-');
export const bytesPer = (bytes: number | undefined, states: number | null | undefined) =>
  bytes !== undefined && states ? bytes / states : NaN;

/**
 * An aligned table: `left` columns are left-aligned, the rest right-aligned. Returns its lines.
 */
export function alignTable(title: string, head: string[], lines: string[][], left = 2): string {
  const cells = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  const body = cells.map((c) => c.map((x, i) => (i < left ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ').trimEnd());
  return [`== ${title}`, ...body].join('\n');
}

/** What test/bench/case.ts prints for one measurement (fields by mode; see there). */
export interface CaseOut {
  engine: string;
  engineWhy?: string;
  verdict?: string;
  executions: number;
  traces: number | null;
  deadlocks: number;
  sleepBlocked: number;
  events: number;
  steps: number;
  stepMs: number;
  states: number | null;
  revisits?: number;
  storeBytes?: number;
  collisionProbability?: number;
  exploreMs: number;
  processMs: number;
  rssMB: number;
  cut: string[];
  violations: string[];
  /** group mode: one entry a spec. */
  specs?: { name: string; verdict: string; ok: boolean; engine: string; durationMs: number; states: number | null }[];
}

/** One run of test/bench/case.ts in a fresh process; `wallMs` is spawn to exit, seen from here. */
export function runCase(args: string[], killAfterMs: number): { out: CaseOut | null; wallMs: number; failure?: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/bench/case.ts', ...args], {
    encoding: 'utf8', maxBuffer: 1 << 26, timeout: killAfterMs, killSignal: 'SIGKILL',
  });
  const wallMs = performance.now() - t0;
  const last = (r.stdout ?? '').trim().split('\n').at(-1) ?? '';
  if (r.status === 0 && last.startsWith('{')) return { out: JSON.parse(last) as CaseOut, wallMs };
  const why = r.error ? String(r.error.message) : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  return { out: null, wallMs, failure: `${why}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
}

export interface BenchContext {
  runs: number;
  filter: RegExp | null;
  log: (line: string) => void;
}

// ---------------------------------------------------------------------------------------------
// kernel: SPIN beside smpcheck

export const SPIN_TIMEOUT_MS = 60_000;
export const SPIN_MEMLIMIT_MB = 8192;
export const SMPCHECK_KERNEL_BUDGET_MS = 120_000;
export const SMPCHECK_KERNEL_MEMORY_MB = 8192;
/** Runs are repeated (median of BENCH_RUNS) only when one takes less than this. */
const REPEAT_BELOW_MS = 20_000;
export const KERNEL_ENGINES = ['auto', 'stateful'] as const;

export interface KernelSide {
  /** `spin` or the smpcheck engine asked for; `engine` is the one that ran (auto resolves). */
  tool: string;
  engine: string;
  /** The engine asked for (`auto`, `stateful`; `spin` for SPIN). */
  asked: string;
  /** Run at this size (false: stopped at a smaller size). */
  ran: boolean;
  runs: number;
  verdict: string;
  /** The verdict is a complete one (PASS or FAIL), not a budget's cut. */
  finished: boolean;
  /** What stopped it (TIMEOUT, MEMLIMIT, time, memory, crash …), when it did not finish. */
  stoppedBy?: string;
  states: number;
  transitions?: number;
  wallMs: number;
  /** SPIN: spin -a + gcc; pan alone. smpcheck: explore alone. */
  buildMs?: number;
  searchMs: number;
  peakRssMB: number;
  statesPerSec: number;
  bytesPerState: number;
  collisionProbability?: number;
  /** SPIN: pan's state vector, bytes. */
  stateVectorBytes?: number;
  message?: string;
}

export interface KernelRow {
  family: string;
  size: string;
  expect: string;
  spin: KernelSide;
  smpcheck: KernelSide[];
  /** SPIN total time / smpcheck total time, per smpcheck engine (NaN when either did not finish). */
  ratio: Record<string, number>;
  /** SPIN was stopped by its time budget while smpcheck finished: the ratio is a lower bound. */
  ratioLowerBound: boolean;
}

function notRun(tool: string, engine: string): KernelSide {
  return { tool, engine, asked: engine, ran: false, runs: 0, verdict: 'not run', finished: false, states: NaN, wallMs: NaN, searchMs: NaN, peakRssMB: NaN, statesPerSec: NaN, bytesPerState: NaN };
}

function measureSpin(family: (typeof kernelSpinFamilies)[number], size: (typeof kernelSpinFamilies)[number]['sizes'][number], runs: number): KernelSide {
  const samples: SpinRun[] = [];
  for (;;) {
    samples.push(runKernelSpin(family, size, { timeoutMs: SPIN_TIMEOUT_MS, memLimitMB: SPIN_MEMLIMIT_MB }));
    const first = samples[0]!;
    const done = first.verdict === 'PASS' || first.verdict === 'FAIL';
    if (!done || first.totalMs >= REPEAT_BELOW_MS || samples.length >= runs) break;
  }
  const total = median(samples.map((s) => s.totalMs));
  const s = samples.find((x) => x.totalMs === total)!;
  const verdict = spinVerdictOf(s);
  const finished = verdict === 'PASS' || verdict === 'FAIL';
  // pan's own memory figure over stored states: what SPIN holds a state in (vector + hash slot).
  return {
    tool: 'spin',
    engine: 'spin',
    asked: 'spin',
    ran: true,
    runs: samples.length,
    verdict: s.verdict === 'FAIL' ? `FAIL ${s.errorKind ?? ''}`.trim() : s.verdict,
    finished,
    ...(finished ? {} : { stoppedBy: s.verdict }),
    states: s.states,
    transitions: s.transitions,
    wallMs: total,
    buildMs: s.buildMs,
    searchMs: s.panMs,
    peakRssMB: s.peakRssMB,
    statesPerSec: s.states / (s.panMs / 1000),
    bytesPerState: (s.memoryMB * 2 ** 20) / s.states,
    stateVectorBytes: s.stateVectorBytes,
    ...(s.message ? { message: s.message.slice(0, 200) } : {}),
  };
}

function measureSmpcheck(familyName: string, label: string, engine: string, runs: number): KernelSide {
  const args = ['kernel', familyName, label, engine, String(SMPCHECK_KERNEL_BUDGET_MS), String(SMPCHECK_KERNEL_MEMORY_MB)];
  const killAfter = SMPCHECK_KERNEL_BUDGET_MS + 60_000;
  const samples: { out: CaseOut; wallMs: number }[] = [];
  for (;;) {
    const r = runCase(args, killAfter);
    if (r.out === null) {
      return { tool: 'smpcheck', engine, asked: engine, ran: true, runs: 1, verdict: 'CRASH', finished: false, stoppedBy: 'crash', states: NaN, wallMs: r.wallMs, searchMs: NaN, peakRssMB: NaN, statesPerSec: NaN, bytesPerState: NaN, message: r.failure!.slice(0, 300) };
    }
    samples.push({ out: r.out, wallMs: r.wallMs });
    const first = samples[0]!;
    const done = first.out.verdict === 'PASS' || first.out.verdict === 'FAIL';
    if (!done || first.wallMs >= REPEAT_BELOW_MS || samples.length >= runs) break;
  }
  const wall = median(samples.map((x) => x.wallMs));
  const { out } = samples.find((x) => x.wallMs === wall)!;
  const verdict = out.verdict ?? '?';
  const finished = verdict === 'PASS' || verdict === 'FAIL';
  const states = out.states ?? NaN;
  return {
    tool: 'smpcheck',
    engine: engine === out.engine ? engine : `${engine}→${out.engine}`,
    asked: engine,
    ran: true,
    runs: samples.length,
    verdict: verdict === 'FAIL' ? `FAIL ${out.violations.join(',')}` : verdict,
    finished,
    ...(finished ? {} : { stoppedBy: out.cut.filter((c) => c !== 'stopped').join(',') || verdict }),
    states,
    transitions: out.events,
    wallMs: wall,
    buildMs: out.processMs - out.exploreMs,
    searchMs: out.exploreMs,
    peakRssMB: median(samples.map((x) => x.out.rssMB)),
    statesPerSec: states / (out.exploreMs / 1000),
    bytesPerState: bytesPer(out.storeBytes, out.states),
    ...(out.collisionProbability !== undefined ? { collisionProbability: out.collisionProbability } : {}),
  };
}

/**
 * `a` is at least as large as `b`: every `key=number` of b's label is in a's with a value no
 * smaller (`cores=4 ops=2` is not at least as large as `cores=4 ops=3`, `readers=5` is as `readers=4`).
 */
export function atLeastAsLarge(a: string, b: string): boolean {
  const nums = (l: string) => new Map([...l.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
  const na = nums(a);
  return [...nums(b)].every(([k, v]) => (na.get(k) ?? -Infinity) >= v);
}

const ratioText = (r: number | undefined) => (r !== undefined && Number.isFinite(r) ? (r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`) : '-');

const expectText = (e: 'pass' | { fail: string }) => (e === 'pass' ? 'PASS' : `FAIL ${e.fail}`);

export function kernelSection(ctx: BenchContext): { rows: KernelRow[]; table: string } {
  const rows: KernelRow[] = [];
  const lines: string[][] = [];
  const head = ['family', 'size', 'tool', 'engine', 'runs', 'verdict', 'states', 'transitions', 'wall', 'search', 'peak RSS', 'states/s', 'B/state', 'SPIN/this'];
  const sideLine = (row: KernelRow, s: KernelSide): string[] => [
    row.family, row.size, s.tool, s.engine, s.ran ? String(s.runs) : '-',
    !s.ran ? 'not run' : s.finished || s.stoppedBy === s.verdict ? s.verdict : `${s.verdict} (${s.tool === 'spin' ? `> ${SPIN_TIMEOUT_MS / 1000} s / ${SPIN_MEMLIMIT_MB / 1024} GB` : `cut: ${s.stoppedBy}`})`,
    s.ran ? `${s.finished ? '' : '≥'}${fmt(s.states)}` : '-',
    s.ran ? fmt(s.transitions ?? NaN) : '-',
    s.ran ? secs(s.wallMs) : '-', s.ran ? secs(s.searchMs) : '-', s.ran ? mb(s.peakRssMB) : '-',
    s.ran ? fmt(s.statesPerSec) : '-', Number.isFinite(s.bytesPerState) ? s.bytesPerState.toFixed(1) : '-',
    s.tool === 'spin' ? '' : `${row.ratioLowerBound && Number.isFinite(row.ratio[s.asked] ?? NaN) ? '>' : ''}${ratioText(row.ratio[s.asked])}`,
  ];
  for (const family of kernelSpinFamilies) {
    // Where each tool was stopped: a size at least as large as one of these is not run.
    const stopped = new Map<string, string[]>([['spin', []], ...KERNEL_ENGINES.map((e) => [e, []] as [string, string[]])]);
    const isStopped = (tool: string, label: string) => stopped.get(tool)!.some((cut) => atLeastAsLarge(label, cut));
    for (const size of family.sizes) {
      const name = `${family.name} ${size.label}`;
      if (ctx.filter && !ctx.filter.test(name)) continue;
      if (KERNEL_ENGINES.every((e) => isStopped(e, size.label))) {
        ctx.log(`kernel ${name}: not run, smpcheck was cut at a smaller size`);
        continue;
      }
      const spin = isStopped('spin', size.label) ? notRun('spin', 'spin') : measureSpin(family, size, ctx.runs);
      if (spin.ran && !spin.finished) stopped.get('spin')!.push(size.label);
      const smp: KernelSide[] = [];
      for (const engine of KERNEL_ENGINES) {
        if (isStopped(engine, size.label)) {
          smp.push(notRun('smpcheck', engine));
          continue;
        }
        const side = measureSmpcheck(family.name, size.label, engine, ctx.runs);
        if (!side.finished) stopped.get(engine)!.push(size.label);
        smp.push(side);
      }
      const ratio: Record<string, number> = {};
      const lowerBound = spin.ran && spin.stoppedBy === 'TIMEOUT';
      for (const s of smp) ratio[s.asked] = (spin.finished || lowerBound) && s.finished ? spin.wallMs / s.wallMs : NaN;
      const row: KernelRow = { family: family.name, size: size.label, expect: expectText(size.expect), spin, smpcheck: smp, ratio, ratioLowerBound: lowerBound };
      rows.push(row);
      for (const s of [spin, ...smp]) {
        const l = sideLine(row, s);
        lines.push(l);
        ctx.log(l.join('  '));
      }
    }
  }
  const table = alignTable(
    `kernel families: SPIN 6.5 (spin -a + gcc -O2 + pan, ${SPIN_TIMEOUT_MS / 1000} s / ${SPIN_MEMLIMIT_MB / 1024} GB) beside smpcheck (own process, start to verdict, ${SMPCHECK_KERNEL_BUDGET_MS / 1000} s / ${SMPCHECK_KERNEL_MEMORY_MB / 1024} GB)`,
    head, lines, 4,
  ) + '\n  wall: end to end (SPIN: spin -a + gcc + pan; smpcheck: node start to verdict). search: pan alone / explore alone.' +
    '\n  B/state: SPIN: pan\'s total memory / stored states; smpcheck: fingerprint table bytes / states. SPIN/this: SPIN wall / smpcheck wall (>: SPIN was stopped at its 60 s, a lower bound).' +
    '\n  ≥: the count where the budget stopped it. not run: SPIN (or that engine) was already stopped at a smaller size of the family.';
  return { rows, table };
}

// ---------------------------------------------------------------------------------------------
// larger: the larger configurations together

/**
 * The 20 larger specs that existed before the stateful engine's reach configurations were added
 * (by name, so that later additions and renames do not move them into this group).
 */
export const LARGER_BEFORE = [
  'bbuddy_level_locks/Vdiploma/3cores', 'falloc_any_vs_specific/RW/3cores', 'falloc_merge_inflight/F1/2ops',
  'falloc_merge_inflight/F2/2ops', 'falloc_pop/L/3cores', 'falloc_pop/L/3ops', 'frame_refcount/9d-i/2sharers',
  'frame_refcount/9d-ii/2sharers', 'pgattr_uniform/8b-fix/3cores', 'pgattr_uniform/8c-fix/3cores',
  'pgfault_leaf_race/Whole/3cores', 'pgfault_leaf_race/Linux/3cores', 'pgfault_leaf_race/Advise-linux/3cores',
  'pgmap_table_alloc_race/L/3cores', 'pgmap_table_alloc_race/Draft-walk/3cores', 'pgmap_table_alloc_race/Linux/3cores',
  'rwlock_upgrade/5b-fix/2faults', 'rwlock_upgrade/5c-fix/2faults', 'rwlock_wakeup_pagefault/V4/2readers',
  'rwlock_wakeup_pagefault/V5/2readers',
];

export const LARGER_GROUPS = {
  'larger (all)': (s: Spec) => Boolean(s),
  'larger (the 20 before)': (s: Spec) => LARGER_BEFORE.includes(s.name),
} as const;
export type LargerGroup = keyof typeof LARGER_GROUPS;

export interface LargerRow {
  group: string;
  engine: string;
  runs: number;
  specs: number;
  ok: number;
  verdicts: Record<string, number>;
  /** Sum of the specs' explore times (checkSpec's durationMs), median over runs. */
  exploreSumMs: number;
  /** The group's process, start to exit, as seen from run.ts. */
  wallMs: number;
  peakRssMB: number;
  states: number;
  engines: Record<string, number>;
  perSpec: { name: string; verdict: string; engine: string; durationMs: number; states: number | null }[];
  failure?: string;
}

export const LARGER_BUDGET_MS = 600_000;

export function largerSection(ctx: BenchContext, engine = 'auto'): { rows: LargerRow[]; table: string } {
  const rows: LargerRow[] = [];
  const lines: string[][] = [];
  const head = ['group', 'engine', 'runs', 'specs', 'ok', 'verdicts', 'states', 'explore sum', 'wall (group)', 'peak RSS', 'engines'];
  for (const group of Object.keys(LARGER_GROUPS) as LargerGroup[]) {
    if (ctx.filter && !ctx.filter.test(group)) continue;
    const samples: { out: CaseOut; wallMs: number }[] = [];
    let failure: string | undefined;
    while (samples.length < ctx.runs) {
      const r = runCase(['group', group, engine, String(LARGER_BUDGET_MS)], LARGER_BUDGET_MS * 30);
      if (r.out === null) {
        failure = r.failure;
        break;
      }
      samples.push({ out: r.out, wallMs: r.wallMs });
    }
    if (samples.length === 0) {
      ctx.log(`larger ${group}: failed: ${failure}`);
      lines.push([group, engine, '0', '-', '-', `failed: ${failure?.slice(0, 60)}`, '-', '-', '-', '-', '-']);
      continue;
    }
    const wall = median(samples.map((x) => x.wallMs));
    const explore = median(samples.map((x) => x.out.exploreMs));
    const { out } = samples.find((x) => x.wallMs === wall)!;
    const perSpec = out.specs!;
    if (group === 'larger (the 20 before)' && perSpec.length !== LARGER_BEFORE.length) {
      ctx.log(`larger ${group}: only ${perSpec.length} of the ${LARGER_BEFORE.length} names were found (renamed?): ${LARGER_BEFORE.filter((n) => !perSpec.some((s) => s.name === n)).join(', ')}`);
    }
    const verdicts: Record<string, number> = {};
    const engines: Record<string, number> = {};
    for (const s of perSpec) {
      verdicts[s.verdict] = (verdicts[s.verdict] ?? 0) + 1;
      engines[s.engine] = (engines[s.engine] ?? 0) + 1;
    }
    const row: LargerRow = {
      group, engine, runs: samples.length, specs: perSpec.length, ok: perSpec.filter((s) => s.ok).length, verdicts,
      exploreSumMs: explore, wallMs: wall, peakRssMB: median(samples.map((x) => x.out.rssMB)),
      states: perSpec.reduce((a, s) => a + (s.states ?? 0), 0), engines, perSpec,
      ...(failure ? { failure } : {}),
    };
    rows.push(row);
    const l = [group, engine, String(row.runs), String(row.specs), String(row.ok), Object.entries(verdicts).map(([k, v]) => `${v} ${k}`).join(', '), fmt(row.states), secs(explore), secs(wall), mb(row.peakRssMB), Object.entries(engines).map(([k, v]) => `${v} ${k}`).join(', ')];
    lines.push(l);
    ctx.log(l.join('  '));
  }
  const table = alignTable(`the larger configurations together (specs/*.spec.ts \`larger\` exports, one process a group, --engine ${engine})`, head, lines, 2) +
    '\n  explore sum: the specs\' explore times added up (checkSpec durationMs, median of runs); wall: the group\'s process from start to exit (loading, minimising counterexamples, everything).';
  return { rows, table };
}
