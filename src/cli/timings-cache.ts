import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { UsageError } from '../model/errors.ts';
import { shownFile } from './shard.ts';
import { writeFileAtomic } from './write-file.ts';

/**
 * The timings cache: what each spec took in the last run that checked it, so that the next run
 * hands the longest specs to the workers first (schedule.ts), as vitest does with its results
 * cache. It lives with the project, in `node_modules/.cache/smpcheck/timings.json` (the
 * find-cache-dir convention) of the nearest folder above the working directory that has a
 * package.json and a node_modules folder; a project without node_modules has no cache. It
 * changes the order in which workers get specs, never a result; a file that cannot be read is
 * ignored, and one that cannot be written is not written. `--no-cache` or `SMPCHECK_CACHE=0`
 * turn it off. The file is a valid `--timings` file (a JSON report reduced to names and times).
 */
export const CACHE_VERSION = 1;

/** Specs kept at most: those of the latest runs (a renamed spec's old entry goes in time). */
const MAX_ENTRIES = 5000;

interface Entry {
  name: string;
  file: string;
  durationMs: number;
}

/** Whether the cache is on: `--no-cache` (`flag` false) or SMPCHECK_CACHE=0 turns it off. */
export function cacheEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  const v = env.SMPCHECK_CACHE?.trim().toLowerCase();
  if (v !== undefined && v !== '' && !['0', '1', 'false', 'true'].includes(v)) {
    throw new UsageError(`SMPCHECK_CACHE must be 0 or 1 (the timings cache off or on), got '${env.SMPCHECK_CACHE}'`);
  }
  return flag !== false && v !== '0' && v !== 'false';
}

/** Where the project's timings cache is, or undefined when the project has no node_modules folder. */
export function timingsCachePath(cwd: string = process.cwd()): string | undefined {
  for (let d = cwd; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) {
      const modules = join(d, 'node_modules');
      try {
        return statSync(modules).isDirectory() ? join(modules, '.cache', 'smpcheck', 'timings.json') : undefined;
      } catch {
        return undefined;
      }
    }
    if (dirname(d) === d) return undefined;
  }
}

function readEntries(path: string): Entry[] {
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown; specs?: unknown };
    if (doc?.version !== CACHE_VERSION || !Array.isArray(doc.specs)) return [];
    return (doc.specs as Partial<Entry>[]).filter((e): e is Entry =>
      typeof e?.name === 'string' && typeof e.file === 'string' && typeof e.durationMs === 'number' && e.durationMs >= 0);
  } catch {
    return [];
  }
}

/** Each spec's recorded time (ms) by name; empty when there is no cache or it cannot be read. */
export function readTimingsCache(path: string): Map<string, number> {
  return new Map(readEntries(path).map((e) => [e.name, e.durationMs]));
}

/**
 * Records this run's times: each spec checked to its end (not one cut short by Ctrl-C), over
 * its earlier entry; the other entries stay. Best effort: a cache that cannot be written is
 * left as it was.
 */
export function writeTimingsCache(path: string, results: readonly CheckResult[], cwd: string = process.cwd()): void {
  const fresh = results.filter((r) => !r.cut.includes('interrupted') && Number.isFinite(r.durationMs))
    .map((r) => ({ name: r.name, file: shownFile(r.file, cwd), durationMs: Math.round(r.durationMs * 10) / 10 }));
  if (fresh.length === 0) return;
  const names = new Set(fresh.map((e) => e.name));
  const specs = [...fresh, ...readEntries(path).filter((e) => !names.has(e.name))].slice(0, MAX_ENTRIES);
  try {
    writeFileAtomic(path, `${JSON.stringify({ version: CACHE_VERSION, specs }, null, 1)}\n`);
  } catch {
    // a read-only node_modules, a full disk: the next run orders specs by the old cache or its guess
  }
}
