import { parentPort, workerData } from 'node:worker_threads';
import { checkSpec, type CheckOptions, type CheckResult } from '../check/run.ts';
import type { Spec } from '../check/spec.ts';
import { splitContext } from '../explore/split-search.ts';
import type { Progress } from '../explore/types.ts';
import { UsageError } from '../model/errors.ts';
import { toWire, type WireResult } from '../report/wire.ts';
import { ExitCalled, loadSpecs } from './load.ts';

export type { WireResult };

/** What the main thread asks: check the spec of this name from this file. */
export interface CheckJob {
  readonly type: 'check';
  readonly index: number;
  readonly file: string;
  readonly name: string;
  readonly options: Omit<CheckOptions, 'onProgress' | 'clock'>;
}

export type WorkerMessage =
  | { readonly type: 'started'; readonly index: number }
  | { readonly type: 'progress'; readonly index: number; readonly progress: Progress }
  | { readonly type: 'result'; readonly index: number; readonly result: WireResult }
  /** The spec could not be checked (the worker could not load it, or checkSpec threw). */
  | { readonly type: 'failed'; readonly index: number; readonly message: string; readonly usage: boolean };

/** Progress crosses threads at most this often (the main thread redraws on its own timer). */
const PROGRESS_EVERY_MS = 100;

const port = parentPort;
if (port === null) throw new Error('src/cli/worker.ts runs in a worker thread (see run-specs.ts)');
const post = (m: WorkerMessage) => port.postMessage(m);

// In a worker, process.exit would end only this thread and lose the spec's result: a step (or
// a spec file) that calls it throws instead, so the spec ends as ERROR naming the call.
process.exit = ((code?: unknown) => {
  throw new ExitCalled(code);
}) as typeof process.exit;

const files = new Map<string, Promise<Spec[]>>();

/** The pool's count of workers with nothing left to check (run-specs.ts), for split searches. */
const spare = new Int32Array((workerData as { spare: SharedArrayBuffer }).spare);
const SPLIT_ENTRY = new URL('./split-entry.js', import.meta.url);

port.on('message', async (job: CheckJob) => {
  let spec: Spec | undefined;
  try {
    let specs = files.get(job.file);
    if (specs === undefined) files.set(job.file, (specs = loadSpecs([job.file])));
    spec = (await specs).find((s) => s.name === job.name);
    if (spec === undefined) throw new Error(`the spec file no longer exports spec '${job.name}'`);
  } catch (e) {
    post({ type: 'failed', index: job.index, message: e instanceof Error ? e.message : String(e), usage: false });
    return;
  }
  post({ type: 'started', index: job.index });
  let last = -Infinity;
  let phase: Progress['phase'];
  const onProgress = (p: Progress) => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS && p.phase === phase) return;
    last = now;
    phase = p.phase;
    post({ type: 'progress', index: job.index, progress: { ...p } });
  };
  let r: CheckResult;
  try {
    r = checkSpec(spec, { ...job.options, onProgress, split: splitContext(spare, SPLIT_ENTRY, { file: job.file, name: job.name }) });
  } catch (e) {
    // Not the model's fault (checkSpec reports those as ERROR): a fault of the checker itself.
    const message = e instanceof Error ? (process.env.SMPCHECK_DEBUG && !(e instanceof UsageError) ? e.stack ?? e.message : e.message) : String(e);
    post({ type: 'failed', index: job.index, message, usage: e instanceof UsageError });
    return;
  }
  post({ type: 'result', index: job.index, result: toWire(r) });
});
