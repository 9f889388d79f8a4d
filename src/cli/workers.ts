import { availableParallelism } from 'node:os';
import { positiveInteger } from '../check/bound-values.ts';

/**
 * How many specs `check` runs at once: `--workers`, else SMPCHECK_WORKERS, else one per CPU
 * the process may use. Each spec is checked whole by one worker, so verdicts, counts and
 * counterexamples do not depend on this number (test/cli/workers.test.ts).
 */
export function workerCount(flag: number | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) return flag;
  const v = env.SMPCHECK_WORKERS;
  if (v !== undefined && v !== '') return positiveInteger('SMPCHECK_WORKERS', v);
  return availableParallelism();
}
