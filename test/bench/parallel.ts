import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alignTable, median, secs, type BenchContext } from './kernel.ts';

/**
 * The `parallel` section (issue 11): `npm run check`'s specs with 1 and 2 workers (2 workers
 * both with the timings cache of the run before, the usual case on a developer's machine, and
 * with --no-cache, a fresh CI job: specs with more threads first), and
 * a simulated 4-shard CI matrix (each shard its own process, one after the other, one worker
 * each) plus the merge of their blob reports, split by hash and by --timings (the times of the
 * same run's single process). Every figure is a whole process's wall time,
 * start-up included; each is the median of `runs` runs, and the runs are interleaved so that a
 * change in the machine's load hits both sides of a ratio alike.
 */
export interface ParallelRow {
  what: string;
  runs: number;
  /** Median wall time of each run's figure, ms. */
  wallMs: number;
  samples: number[];
  /** Median user + system CPU time of the process and its threads, ms (Linux; else absent). */
  cpuMs?: number;
}

/** User + system CPU time of the children waited for so far, ms: /proc/self/stat's cutime and cstime (Linux). */
function childCpuMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return undefined;
  }
}

const cpu: Record<string, number[]> = {};

function timed(args: string[], key?: string): number {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/smpcheck.js', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`smpcheck ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  const c1 = childCpuMs();
  if (key !== undefined && c0 !== undefined && c1 !== undefined) (cpu[key] ??= []).push(c1 - c0);
  return ms;
}

/** The paths `npm run check` checks, from its script (`node bin/smpcheck.js check specs ...`). */
function checkPaths(): string[] {
  const script: string = JSON.parse(readFileSync('package.json', 'utf8')).scripts.check;
  const m = /^node bin\/smpcheck\.js check ((?:[\w./-]+ ?)+)$/.exec(script);
  if (m === null) throw new Error(`bench parallel: cannot read the paths of npm run check from '${script}'`);
  return m[1]!.trim().split(' ');
}

export function parallelSection(ctx: BenchContext): { rows: ParallelRow[]; table: string; ratios: Record<string, number> } {
  const paths = checkPaths();
  const dir = mkdtempSync(join(tmpdir(), 'smpcheck-bench-parallel-'));
  const SHARDS = 4;
  const s: Record<string, number[]> = { w1: [], w2: [], w2fresh: [], shardSum: [], shardMax: [], merge: [], timedSum: [], timedMax: [] };
  const shardTimes: number[][] = Array.from({ length: SHARDS }, () => []);
  const timedTimes: number[][] = Array.from({ length: SHARDS }, () => []);
  try {
    for (let run = 0; run < ctx.runs; run++) {
      const base = ['check', ...paths, '-q', '--trace-dir', join(dir, 'traces'), '--reporter', `json=${join(dir, 'r.json')}`];
      s.w1!.push(timed([...base, '--workers', '1'], 'w1'));
      s.w2fresh!.push(timed([...base, '--workers', '2', '--no-cache'], 'w2fresh'));
      s.w2!.push(timed([...base, '--workers', '2'], 'w2')); // the timings cache of the runs before
      const each = Array.from({ length: SHARDS }, (_, k) => timed(['check', ...paths, '-q', '--workers', '1', '--shard', `${k + 1}/${SHARDS}`, '--trace-dir', join(dir, 'traces'), '--reporter', `blob=${join(dir, `b${k + 1}.json`)}`]));
      each.forEach((ms, k) => shardTimes[k]!.push(ms));
      s.shardSum!.push(each.reduce((a, b) => a + b, 0));
      s.shardMax!.push(Math.max(...each));
      s.merge!.push(timed(['merge', ...each.map((_, k) => join(dir, `b${k + 1}.json`)), '--trace-dir', join(dir, 'traces'), '--reporter', `json=${join(dir, 'm.json')}`]));
      // The same split balanced by the times of this run's single process (--timings).
      const balanced = Array.from({ length: SHARDS }, (_, k) => timed(['check', ...paths, '-q', '--workers', '1', '--shard', `${k + 1}/${SHARDS}`, '--timings', join(dir, 'r.json'), '--trace-dir', join(dir, 'traces'), '--reporter', `blob=${join(dir, `t${k + 1}.json`)}`]));
      balanced.forEach((ms, k) => timedTimes[k]!.push(ms));
      s.timedSum!.push(balanced.reduce((a, b) => a + b, 0));
      s.timedMax!.push(Math.max(...balanced));
      ctx.log(`parallel run ${run + 1}: 1 worker ${secs(s.w1!.at(-1)!)}, 2 workers ${secs(s.w2!.at(-1)!)} (--no-cache ${secs(s.w2fresh!.at(-1)!)}), shards ${each.map(secs).join(' ')}, merge ${secs(s.merge!.at(-1)!)}, shards by --timings ${balanced.map(secs).join(' ')}`);
    }
    const specs = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).specs.length as number;
    const m = (k: string) => median(s[k]!);
    const cpuOf = (k: string) => (cpu[k]?.length ? { cpuMs: median(cpu[k]!) } : {});
    const rows: ParallelRow[] = [
      { what: `npm run check's ${specs} specs, --workers 1`, runs: ctx.runs, wallMs: m('w1'), samples: s.w1!, ...cpuOf('w1') },
      { what: 'the same, --workers 2 (timings cache)', runs: ctx.runs, wallMs: m('w2'), samples: s.w2!, ...cpuOf('w2') },
      { what: 'the same, --workers 2 --no-cache', runs: ctx.runs, wallMs: m('w2fresh'), samples: s.w2fresh!, ...cpuOf('w2fresh') },
      ...shardTimes.map((t, k) => ({ what: `shard ${k + 1}/${SHARDS} (--workers 1)`, runs: ctx.runs, wallMs: median(t), samples: t })),
      { what: `sum of the ${SHARDS} shards`, runs: ctx.runs, wallMs: m('shardSum'), samples: s.shardSum! },
      { what: `slowest shard (the matrix's wall time)`, runs: ctx.runs, wallMs: m('shardMax'), samples: s.shardMax! },
      { what: `merge of the ${SHARDS} blob reports`, runs: ctx.runs, wallMs: m('merge'), samples: s.merge! },
      ...timedTimes.map((t, k) => ({ what: `shard ${k + 1}/${SHARDS} --timings (--workers 1)`, runs: ctx.runs, wallMs: median(t), samples: t })),
      { what: `sum of the ${SHARDS} shards, --timings`, runs: ctx.runs, wallMs: m('timedSum'), samples: s.timedSum! },
      { what: 'slowest shard, --timings', runs: ctx.runs, wallMs: m('timedMax'), samples: s.timedMax! },
    ];
    const ratios = {
      workers2Speedup: m('w1') / m('w2'),
      workers2NoCacheSpeedup: m('w1') / m('w2fresh'),
      shardSumOverOne: m('shardSum') / m('w1'),
      matrixSpeedup: m('w1') / (m('shardMax') + m('merge')),
      timedMatrixSpeedup: m('w1') / (m('timedMax') + m('merge')),
    };
    const table = `${alignTable(`parallel: npm run check's specs with 1 and 2 workers, and a simulated ${SHARDS}-shard matrix (whole processes, median of ${ctx.runs})`, ['run', 'runs', 'wall', 'user+sys'], rows.map((r) => [r.what, String(r.runs), secs(r.wallMs), r.cpuMs !== undefined ? secs(r.cpuMs) : '']), 1)}
  speedup with 2 workers: ${ratios.workers2Speedup.toFixed(2)}x (${ratios.workers2NoCacheSpeedup.toFixed(2)}x with --no-cache); ${SHARDS} shards: sum ${ratios.shardSumOverOne.toFixed(2)}x one process (start-up per shard), slowest shard + merge ${ratios.matrixSpeedup.toFixed(2)}x faster than one process (by hash), ${ratios.timedMatrixSpeedup.toFixed(2)}x (by --timings)`;
    return { rows, table, ratios };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
