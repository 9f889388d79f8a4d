/**
 * SPIN side of the benchmark (run by test/bench/run.ts when `spin` and `gcc` are installed, e.g.
 * Debian's `spin` package): Promela models checked by SPIN's stateful search with its default
 * partial-order reduction, to set smpcheck's figures beside SPIN's on the same machine.
 *
 * {@link runSpin} runs any Promela source (`spin -a`, `gcc -O2 -DSAFETY -DMEMLIM=…`, `./pan`
 * under `/usr/bin/time -v` and `timeout`) and reports states, transitions, memory, peak RSS,
 * times and whether SPIN found an error. lastzero(N) (ORACLES.md) and the kernel families of
 * spin-kernel.ts both go through it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** lastzero(N) as ORACLES.md writes it: one read or one write per Promela statement. */
export function lastzeroPromela(n: number): string {
  return `#define N ${n}
byte a[N+1];
active proctype reader() {
  byte i = N;
  do
  :: a[i] != 0 -> i--
  :: else -> break
  od
}
active [N] proctype writer() {
  byte j = _pid;
  byte v;
  v = a[j-1];
  a[j] = v + 1
}
`;
}

/** The lastzero figures run.ts prints (kept for its callers). `wallMs` is pan's run alone. */
export interface SpinResult {
  n: number;
  states: number;
  transitions: number;
  memoryMB: number;
  wallMs: number;
  peakRssMB: number;
  error?: string;
}

export interface SpinOptions {
  /** Budget for the whole run (spin -a + gcc + pan), ms; pan is killed when it is spent. Default 60 000. */
  timeoutMs?: number;
  /** pan's memory limit in MB (-DMEMLIM); pan stops and reports when it reaches it. Default 8192. */
  memLimitMB?: number;
  /** -DCOLLAPSE: compress state vectors (worth it when they are large). Default false. */
  collapse?: boolean;
  /** -DNOREDUCE: switch partial-order reduction off (for comparing state counts). Default false. */
  noReduce?: boolean;
  /** pan -m: most DFS depth (default 1 000 000); reaching it makes the search INCOMPLETE. */
  maxDepth?: number;
  /** pan -w: log2 of the hash table's slots (default: pan's own, 24). */
  hashBits?: number;
  /** File name of the model in the temporary directory (for messages). Default model.pml. */
  name?: string;
  /** Keep the temporary directory (pan.c, pan, the .trail of an error); its path is in `dir`. */
  keep?: boolean;
}

/**
 * - PASS: the search was exhaustive and found no error;
 * - FAIL: SPIN found an error (assertion violated, invalid end state: a deadlock, …);
 * - TIMEOUT / MEMLIMIT: the budget stopped pan first;
 * - INCOMPLETE: pan finished but its depth bound cut the search;
 * - ERROR: spin -a, gcc or pan failed for another reason.
 */
export type SpinVerdict = 'PASS' | 'FAIL' | 'TIMEOUT' | 'MEMLIMIT' | 'INCOMPLETE' | 'ERROR';

export interface SpinRun {
  verdict: SpinVerdict;
  /** SPIN found an error (`errors: N` with N > 0). */
  errorFound: boolean;
  /** `errors: N` as pan printed it (NaN when pan did not finish). */
  errors: number;
  /** The error pan reported first, e.g. `assertion violated (owners[h]<=1)` or `invalid end state`. */
  errorKind?: string;
  states: number;
  transitions: number;
  stateVectorBytes: number;
  depth: number;
  /** pan's own figure: total actual memory usage, MB. */
  memoryMB: number;
  /** Peak resident set size of pan, MB (/usr/bin/time -v). */
  peakRssMB: number;
  /** spin -a + gcc + pan, from the first process start to the verdict. */
  totalMs: number;
  /** spin -a and gcc alone. */
  buildMs: number;
  /** pan alone. */
  panMs: number;
  /** pan's output (stdout + time -v), for diagnosis. */
  output: string;
  /** What went wrong when the verdict is ERROR, TIMEOUT or MEMLIMIT. */
  message?: string;
  dir?: string;
}

export function spinAvailable(): boolean {
  return spawnSync('spin', ['-V']).status === 0 && spawnSync('gcc', ['--version']).status === 0;
}

/**
 * Runs SPIN on a Promela source: `spin -a`, `gcc -O2 -DSAFETY -DMEMLIM=M` (safety: assertions
 * and invalid end states; default partial-order reduction), then `./pan -m<depth>` under
 * `/usr/bin/time -v` and `timeout` (so a run that exceeds the budget is interrupted, SIGINT and
 * then SIGKILL, and reported as TIMEOUT with the states pan had stored, rather than left hanging).
 */
export function runSpin(source: string, opts: SpinOptions = {}): SpinRun {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const memLimitMB = opts.memLimitMB ?? 8192;
  const name = opts.name ?? 'model.pml';
  const dir = mkdtempSync(join(tmpdir(), 'smpcheck-spin-'));
  const t0 = performance.now();
  const left = () => Math.max(1, Math.floor(timeoutMs - (performance.now() - t0)));
  const base: SpinRun = {
    verdict: 'ERROR', errorFound: false, errors: NaN, states: NaN, transitions: NaN, stateVectorBytes: NaN, depth: NaN,
    memoryMB: NaN, peakRssMB: NaN, totalMs: 0, buildMs: 0, panMs: 0, output: '', ...(opts.keep ? { dir } : {}),
  };
  const finish = (r: SpinRun): SpinRun => {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    return r;
  };
  try {
    writeFileSync(join(dir, name), source);
    const a = spawnSync('spin', ['-a', name], { cwd: dir, encoding: 'utf8', timeout: left() });
    if (a.status !== 0) return finish({ ...base, totalMs: performance.now() - t0, message: `spin -a failed: ${a.error ?? ''}${a.stdout}${a.stderr}`.trim() });
    const cflags = ['-O2', '-DSAFETY', `-DMEMLIM=${memLimitMB}`, ...(opts.collapse ? ['-DCOLLAPSE'] : []), ...(opts.noReduce ? ['-DNOREDUCE'] : [])];
    const c = spawnSync('gcc', [...cflags, '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8', timeout: left() });
    if (c.status !== 0) return finish({ ...base, totalMs: performance.now() - t0, message: `gcc failed: ${c.error ?? ''}${c.stderr}`.trim() });
    const buildMs = performance.now() - t0;
    const budgetS = Math.max(1, Math.ceil(left() / 1000));
    const panArgs = [`-m${opts.maxDepth ?? 1_000_000}`, ...(opts.hashBits ? [`-w${opts.hashBits}`] : [])];
    const t1 = performance.now();
    const r = spawnSync('/usr/bin/time', ['-v', 'timeout', '-s', 'INT', '-k', '10', `${budgetS}s`, './pan', ...panArgs], {
      cwd: dir, encoding: 'utf8', timeout: budgetS * 1000 + 30_000, maxBuffer: 1 << 26,
    });
    const t2 = performance.now();
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
    const exit = num(/Exit status: (\d+)/);
    const errors = num(/errors: (\d+)/);
    const firstError = /pan:\d+: (.*)/.exec(out)?.[1]?.trim();
    const run: SpinRun = {
      ...base,
      errors,
      errorFound: errors > 0,
      ...(firstError !== undefined ? { errorKind: firstError } : {}),
      states: num(/([\d.e+]+) states, stored/),
      transitions: num(/([\d.e+]+) transitions \(= stored\+matched\)/),
      stateVectorBytes: num(/State-vector (\d+) byte/),
      depth: num(/depth reached (\d+)/),
      memoryMB: num(/([\d.]+)\s+total actual memory usage/),
      peakRssMB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
      totalMs: t2 - t0,
      buildMs,
      panMs: t2 - t1,
      output: out,
    };
    if (/reached -DMEMLIM bound|out of memory/.test(out)) return finish({ ...run, verdict: 'MEMLIMIT', errorFound: false, message: `pan reached -DMEMLIM=${memLimitMB} MB` });
    if (exit === 124 || exit === 137 || r.error || /^Interrupted/m.test(out)) return finish({ ...run, verdict: 'TIMEOUT', errorFound: false, message: `pan stopped after ${budgetS} s` });
    if (errors > 0) return finish({ ...run, verdict: 'FAIL' });
    if (Number.isNaN(errors)) return finish({ ...run, message: `pan did not report: ${out.split('\n').slice(-8).join(' ')}` });
    if (/max search depth too small/.test(out)) return finish({ ...run, verdict: 'INCOMPLETE', message: 'pan -m depth bound reached' });
    return finish({ ...run, verdict: 'PASS' });
  } catch (e) {
    return finish({ ...base, totalMs: performance.now() - t0, message: String(e) });
  }
}

/** lastzero(N) through {@link runSpin}; `wallMs` times pan's run, not the build. */
export function runSpinLastzero(n: number, timeoutMs = 120_000): SpinResult {
  const r = runSpin(lastzeroPromela(n), { timeoutMs, memLimitMB: 20_000, maxDepth: 100_000, name: 'lastzero.pml' });
  return {
    n,
    states: r.states,
    transitions: r.transitions,
    memoryMB: r.memoryMB,
    wallMs: r.panMs,
    peakRssMB: r.peakRssMB,
    ...(r.verdict !== 'PASS' ? { error: r.message ?? r.errorKind ?? r.verdict } : {}),
  };
}
