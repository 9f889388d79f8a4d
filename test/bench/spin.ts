/**
 * SPIN side of the benchmark (run by test/bench/run.ts when `spin` and `gcc` are installed, e.g.
 * Debian's `spin` package): lastzero(N) in Promela, checked by SPIN's stateful search with its
 * partial-order reduction, to set smpcheck's figures beside SPIN's on the same machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

export interface SpinResult {
  n: number;
  states: number;
  transitions: number;
  memoryMB: number;
  wallMs: number;
  peakRssMB: number;
  error?: string;
}

export function spinAvailable(): boolean {
  return spawnSync('spin', ['-V']).status === 0 && spawnSync('gcc', ['--version']).status === 0;
}

/** Generates, compiles (-O2 -DSAFETY, default POR) and runs pan; times the run, not the build. */
export function runSpinLastzero(n: number, timeoutMs = 120_000): SpinResult {
  const dir = mkdtempSync(join(tmpdir(), 'smpcheck-spin-'));
  writeFileSync(join(dir, 'lastzero.pml'), lastzeroPromela(n));
  spawnSync('spin', ['-a', 'lastzero.pml'], { cwd: dir });
  spawnSync('gcc', ['-O2', '-DSAFETY', '-DMEMLIM=20000', '-o', 'pan', 'pan.c'], { cwd: dir });
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', './pan', '-m100000'], { cwd: dir, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  return {
    n,
    states: num(/([\d.e+]+) states, stored/),
    transitions: num(/([\d.e+]+) transitions/),
    memoryMB: num(/([\d.]+)\s+total actual memory usage/),
    wallMs,
    peakRssMB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
    ...(r.status !== 0 ? { error: r.error ? String(r.error) : out.split('\n').slice(-5).join(' ') } : {}),
  };
}
