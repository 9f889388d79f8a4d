import { join, resolve } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { counterexampleOf } from '../report/counterexample.ts';
import { traceFileName, traceOf } from '../report/trace-file.ts';
import { UsageError } from '../model/errors.ts';
import { writeFileAtomic } from './write-file.ts';

/**
 * Writes the counterexample of every result that has one as a trace file in `dir` (one file
 * per spec, replaced atomically on each run) and returns where each went. A trace that cannot
 * be written goes to `onError` when given (the run's other outputs are still written), else throws.
 */
export function writeTraces(results: readonly CheckResult[], dir: string, onError?: (e: UsageError) => void): Map<CheckResult, string> {
  const written = new Map<CheckResult, string>();
  for (const r of results) {
    const cx = counterexampleOf(r);
    if (cx === undefined || cx.story.divergence !== undefined) continue;
    const path = resolve(join(dir, traceFileName(r.name, r.file)));
    try {
      writeFileAtomic(path, `${JSON.stringify(traceOf(r, cx, path), null, 2)}\n`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const problem = new UsageError(`${e.message.replace(/; choose another path$/, '')}; choose another folder for traces with --trace-dir`, { cause: e });
      if (onError === undefined) throw problem;
      onError(problem);
      continue;
    }
    written.set(r, path);
  }
  return written;
}
