import type { CheckResult } from '../check/run.ts';
import type { ReportContext } from './context.ts';
import { stoppedNotes } from './text.ts';
import { toWire, wireJson, type WireResult } from './wire.ts';

/**
 * The shard report (`--reporter blob=FILE`, Playwright's name): everything `smpcheck merge`
 * needs to check that shards fit together and to render every reporter as one run would.
 * Version 1:
 * `{ smpcheckBlob: 1, version, shard: {index, total}, specs: [{name, file, sha256}], assigned,
 *    options, startedAt, elapsedMs, hostname, results: [{index, stopped?, result}] }`
 * `specs` is the whole run's list (every shard's), `assigned` the indices this shard checked,
 * `split` (when `--split-spec` split some) the indices every shard checked its part of,
 * `options` what decides verdicts (the check options and the SMPCHECK_* variables).
 * `result` is a WireResult (wire.ts) with its `file` relative to where smpcheck ran; non-finite
 * numbers are encoded as `wireJson` does.
 */
export const BLOB_VERSION = 1;

export interface RunSpec {
  readonly name: string;
  /** Relative to where smpcheck runs, `/`-separated. */
  readonly file: string;
  /** Of the spec file's bytes: shards of different checkouts must not merge. */
  readonly sha256: string;
}

/** What a shard knows of the whole run, beyond its own results. */
export interface RunInfo {
  readonly version: string;
  readonly shard: { readonly index: number; readonly total: number };
  readonly specs: readonly RunSpec[];
  readonly assigned: readonly number[];
  /**
   * Specs split across every shard (`--split-spec`): each shard's result for them is its part
   * (CheckResult.part), and the merge combines one part from each shard. Absent: none.
   */
  readonly split?: readonly number[];
  readonly options: Readonly<Record<string, unknown>>;
}

export interface BlobEntry {
  readonly index: number;
  /** The CLI cut this spec short (stoppedNotes): why. */
  readonly stopped?: string;
  readonly result: WireResult;
}

export interface Blob extends RunInfo {
  readonly smpcheckBlob: typeof BLOB_VERSION;
  readonly startedAt: string;
  readonly elapsedMs: number;
  readonly hostname: string;
  readonly results: readonly BlobEntry[];
}

export function blobOf(ctx: ReportContext): Blob {
  const run = ctx.run;
  if (run === undefined) throw new Error('the blob reporter needs the run (spec list, shard, options)');
  const index = new Map(run.specs.map((s, i) => [s.name, i]));
  const entry = (r: CheckResult): BlobEntry => {
    const i = index.get(r.name);
    if (i === undefined) throw new Error(`spec ${r.name} is not in the run's spec list`);
    const stopped = stoppedNotes.get(r);
    return { index: i, ...(stopped !== undefined ? { stopped } : {}), result: { ...toWire(r), file: run.specs[i]!.file } };
  };
  return {
    smpcheckBlob: BLOB_VERSION,
    version: run.version,
    shard: run.shard,
    specs: run.specs,
    assigned: run.assigned,
    ...(run.split && run.split.length > 0 ? { split: run.split } : {}),
    options: run.options,
    startedAt: ctx.startedAt.toISOString(),
    elapsedMs: Math.round(ctx.elapsedMs),
    hostname: ctx.hostname,
    results: ctx.results.map(entry),
  };
}

export function blobReport(ctx: ReportContext): string {
  return `${wireJson(blobOf(ctx))}\n`;
}
