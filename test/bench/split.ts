import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alignTable, fmt, median, secs, type BenchContext } from './kernel.ts';

/**
 * The `split` section (issue 11): one large spec checked with `--workers 1` and `--workers 2`,
 * as a user runs it (`smpcheck check FILE -t NAME$`, a whole process, start-up included). With
 * two workers and one spec the second worker is spare from the start, so the spec's stateful
 * search takes it once it holds SMPCHECK_SPLIT_STATES states (split-search.ts). The catalogue's
 * largest specs, and the kernel families' largest sizes of test/bench/kernel-sizes.spec.ts (the
 * configurations SPIN is set beside in the kernel section). Runs are interleaved (1, 2, 1, 2,
 * …) so that a change in the machine's load hits both sides of a ratio alike; medians of `runs`.
 */
export interface SplitRow {
  spec: string;
  file: string;
  verdict: string;
  states: number | null;
  executions: number;
  threads: number;
  oneMs: number;
  twoMs: number;
  speedup: number;
  samples: { one: number[]; two: number[] };
}

// The catalogue's largest (no symmetry declared), M1 without its symmetry (more states to share),
// and the kernel families under their declared symmetry at the sizes SPIN is set beside.
const CASES: { file: string; spec: string; args?: string[]; runs?: number }[] = [
  { file: 'specs/pgmap_table_alloc_race.spec.ts', spec: 'pgmap_table_alloc_race/Linux/4cores' },
  { file: 'specs/pgfault_leaf_race.spec.ts', spec: 'pgfault_leaf_race/Linux/4cores' },
  { file: 'specs/falloc_pop.spec.ts', spec: 'falloc_pop/L/4cores/2ops', args: ['--no-symmetry'] },
  { file: 'test/bench/kernel-sizes.spec.ts', spec: 'rwlock spinning readers=6 cores=7' },
  { file: 'test/bench/kernel-sizes.spec.ts', spec: 'M4 V2 readers=4 cores=5' },
  { file: 'test/bench/kernel-sizes.spec.ts', spec: 'falloc_pop L cores=4 ops=3 frames=4', runs: 1 },
  // Optimal DPOR split across threads (dpor-split.ts), on published programs.
  { file: 'test/bench/oracle-sizes.spec.ts', spec: 'lastzero(14)', args: ['--engine', 'dpor'] },
  { file: 'test/bench/oracle-sizes.spec.ts', spec: 'lastzero(15)', args: ['--engine', 'dpor'] },
  { file: 'test/bench/oracle-sizes.spec.ts', spec: 'readers(16)', args: ['--engine', 'dpor'] },
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function run(file: string, spec: string, workers: number, dir: string, args: string[]): { ms: number; row: Record<string, unknown> } {
  const report = join(dir, `w${workers}.json`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/smpcheck.js', 'check', file, '-t', `^${escape(spec)}$`, '-q', ...args, '--workers', String(workers), '--trace-dir', join(dir, 'traces'), '--reporter', `json=${report}`], { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`bench split: ${spec} with ${workers} workers exited ${r.status}:\n${r.stderr}`);
  return { ms, row: JSON.parse(readFileSync(report, 'utf8')).specs[0] };
}

export function splitSection(ctx: BenchContext): { rows: SplitRow[]; table: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smpcheck-bench-split-'));
  const rows: SplitRow[] = [];
  try {
    for (const c of CASES) {
      if (ctx.filter && !ctx.filter.test(c.spec)) continue;
      const one: number[] = [];
      const two: number[] = [];
      let last: Record<string, unknown> = {};
      let threads = 1;
      for (let k = 0; k < (c.runs ?? ctx.runs); k++) {
        const a = run(c.file, c.spec, 1, dir, c.args ?? []);
        one.push(a.ms);
        const b = run(c.file, c.spec, 2, dir, c.args ?? []);
        two.push(b.ms);
        // The split must not change what is found.
        // DPOR's split search is the one-thread search exactly: its events too.
        for (const key of ['verdict', 'states', 'executions', 'deadlocks', ...(a.row.states === null ? ['traces', 'events'] as const : [])] as const) {
          if (a.row[key] !== b.row[key]) throw new Error(`bench split: ${c.spec}: ${key} ${String(a.row[key])} with 1 worker, ${String(b.row[key])} with 2`);
        }
        last = b.row;
        threads = Math.max(threads, Number(b.row.threads ?? 1));
      }
      const row: SplitRow = {
        spec: `${c.spec}${c.args ? ` ${c.args.join(' ')}` : ''}`, file: c.file, verdict: String(last.verdict), states: (last.states as number | null) ?? null, executions: Number(last.executions), threads,
        oneMs: median(one), twoMs: median(two), speedup: median(one) / median(two), samples: { one, two },
      };
      rows.push(row);
      ctx.log(`split ${c.spec}: ${JSON.stringify(row)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const table = alignTable('one spec, 1 worker vs 2 (the second joins its search); whole processes, medians', ['spec', 'verdict', 'states', 'executions', '1 worker', '2 workers', 'speedup', 'threads'],
    rows.map((r) => [r.spec, r.verdict, fmt(r.states ?? NaN), r.states === null ? fmt(r.executions) : '', secs(r.oneMs), secs(r.twoMs), `${r.speedup.toFixed(2)}×`, String(r.threads)]), 1);
  return { rows, table };
}
