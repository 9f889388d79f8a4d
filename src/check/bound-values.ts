import { UsageError } from '../model/errors.ts';

/**
 * One rule for every bound, wherever it comes from (a CLI flag, a spec's `bounds`, an
 * `SMPCHECK_*` variable): a positive integer. `source` names where the value came from, as
 * the message shows it: `--max-depth`, `spec 'x': bounds.maxDepth`, `SMPCHECK_MAX_DEPTH`.
 */
export function positiveInteger(source: string, raw: unknown): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    throw new UsageError(`${source} must be a positive integer, got '${typeof raw === 'string' ? raw : String(raw)}'`);
  }
  return n;
}
