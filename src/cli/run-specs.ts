import { relative } from 'node:path';
import { Worker } from 'node:worker_threads';
import { specBase, type CheckOptions, type CheckResult } from '../check/run.ts';
import type { Spec } from '../check/spec.ts';
import type { Part } from '../explore/part-search.ts';
import { resolveBounds, type Cut, type Progress } from '../explore/types.ts';
import { UsageError } from '../model/errors.ts';
import { stoppedNotes } from '../report/text.ts';
import { fromWire } from '../report/wire.ts';
import { Dispatch, FILE_LOAD_MS, specCosts } from './schedule.ts';
import type { CheckJob, WorkerMessage } from './worker.ts';

/**
 * Checking is synchronous JavaScript: while a spec runs on the main thread, nothing else does —
 * no Ctrl-C handler, no timer, no progress line. So `smpcheck check` runs specs in worker
 * threads (worker.ts) and keeps the main thread free to draw progress, stop a spec whose step
 * never returns, and on SIGINT/SIGTERM write what it has. A pool of `workers` threads checks
 * that many specs at once, each spec whole in one worker (so its result does not depend on the
 * pool's size). Specs are handed out longest first, by recorded times when there are some
 * (schedule.ts), a worker preferring specs of the files it has loaded; results come back in any
 * order.
 */
export interface SpecRunOptions {
  readonly check: Omit<CheckOptions, 'onProgress' | 'clock'> & { engine: string };
  readonly workers?: number;
  /** The shard's part of spec `index` when it is split across shards (`--split-spec`). */
  readonly part?: (index: number) => Part | undefined;
  /**
   * Each spec's time in an earlier run, ms by name (the timings cache or `--timings`): the order
   * in which workers get specs, never their results. Without it, specs with more threads first.
   */
  readonly recorded?: ReadonlyMap<string, number>;
}

export interface SpecRunHooks {
  /** Spec `index` was handed to a worker (which may still be loading its spec file). */
  onStart?(index: number): void;
  /** Live figures of spec `index`, as its worker sends them. */
  onProgress?(index: number, p: Progress): void;
  /** Spec `index` has its result (in any order when workers > 1). */
  onResult?(index: number, r: CheckResult): void;
}

export interface RunOutcome {
  /** In spec order; a spec that never started has none (only after a stop or a usage error). */
  readonly results: CheckResult[];
  /** The run was stopped (a signal) before every spec had its result. */
  readonly stopped: boolean;
  /** Bad configuration that a worker found (e.g. an SMPCHECK_* value): the run ended early. */
  readonly usage?: UsageError;
  /** A hook threw (a bug of the CLI): the run ended early, workers stopped. */
  readonly failure?: unknown;
}

export interface SpecRun {
  readonly done: Promise<RunOutcome>;
  /** Ends the run now: each spec being checked becomes INCOMPLETE (interrupted) with its last figures. */
  stop(): void;
}

/**
 * How long past its time budget a spec may run before its worker is stopped: the engines and
 * the minimiser check the clock often, so only a step that never returns (or one that runs far
 * past the budget) gets here.
 */
export function hangLimitMs(budgetMs: number): number {
  return budgetMs + 1000 + budgetMs / 10;
}

const WORKER_ENTRY = new URL('./worker-entry.js', import.meta.url);

/** A worker thread that checks specs (worker.ts); what it prints goes to stderr. */
function newWorker(spare: Int32Array): Worker {
  // What a spec prints (console.log while debugging a model) goes to stderr: stdout may be a
  // JSON, JUnit or SARIF document that one stray line would break.
  const w = new Worker(WORKER_ENTRY, { stdout: true, stderr: false, workerData: { spare: spare.buffer } });
  w.stdout.on('data', (d: Buffer) => process.stderr.write(d));
  return w;
}

/**
 * Workers started before the specs are known (startWorkers), for the next runSpecs to take
 * over: a worker needs a few hundred milliseconds to start (a Node thread, tsx, the checker's
 * modules), which then overlap the main thread's loading of the spec files. Until taken they
 * are unref'd (they keep no process alive) and a failure is only noted (the run starts a fresh
 * worker instead).
 */
let early: { spare: Int32Array; workers: { worker: Worker; dead: boolean }[] } | undefined;

/** Starts `n` workers now, for the next runSpecs (see `early`); `releaseWorkers` ends those it did not take. */
export function startWorkers(n: number): void {
  releaseWorkers();
  const spare = new Int32Array(new SharedArrayBuffer(4));
  early = { spare, workers: [] };
  for (let k = 0; k < n; k++) {
    const e = { worker: newWorker(spare), dead: false };
    e.worker.once('error', () => (e.dead = true));
    e.worker.once('exit', () => (e.dead = true));
    e.worker.unref();
    early.workers.push(e);
  }
}

/** Ends the workers startWorkers started that no run took (after a usage error, or fewer specs than workers). */
export function releaseWorkers(): void {
  for (const e of early?.workers ?? []) {
    e.worker.removeAllListeners();
    e.worker.on('error', () => {});
    void e.worker.terminate();
  }
  early = undefined;
}

/** A live early worker, without the listeners of its wait; undefined when none is left. */
function earlyWorker(): Worker | undefined {
  for (let e = early?.workers.shift(); e !== undefined; e = early?.workers.shift()) {
    if (!e.dead) {
      e.worker.removeAllListeners('error');
      e.worker.removeAllListeners('exit');
      e.worker.ref();
      return e.worker;
    }
    void e.worker.terminate();
  }
  return undefined;
}

interface Running {
  readonly index: number;
  startedAt: number | undefined;
  progress: Progress | undefined;
  timer: NodeJS.Timeout | undefined;
}

function baseResult(spec: Spec, check: SpecRunOptions['check'], cut: Cut, p: Progress | undefined, durationMs: number): CheckResult {
  return {
    ...specBase(spec, check.engine, check.bounds),
    verdict: 'INCOMPLETE',
    ok: false,
    stats: { executions: p?.executions ?? 0, traces: null, deadlocks: 0, sleepBlocked: 0, events: p?.events ?? 0, states: p?.states ?? null, maxDepth: p?.depth ?? 0 },
    durationMs,
    violations: [],
    violation: undefined,
    witnessesMissed: [],
    cut: [cut],
  };
}

/** The result of a spec the CLI had to cut short: INCOMPLETE, with what its worker last reported. */
export function cutShortResult(spec: Spec, check: SpecRunOptions['check'], cut: Cut, p: Progress | undefined, durationMs: number, note: string): CheckResult {
  const r = baseResult(spec, check, cut, p, durationMs);
  stoppedNotes.set(r, note);
  return r;
}

/** ERROR for a spec whose worker could not give a result (it died, or could not load the spec). */
function errorResultOf(spec: Spec, check: SpecRunOptions['check'], message: string, durationMs: number): CheckResult {
  return {
    ...baseResult(spec, check, 'stopped', undefined, durationMs),
    verdict: 'ERROR',
    cut: [],
    error: { message, hint: undefined },
  };
}

export function runSpecs(specs: readonly Spec[], opts: SpecRunOptions, hooks: SpecRunHooks = {}): SpecRun {
  const results: (CheckResult | undefined)[] = specs.map(() => undefined);
  const poolSize = Math.max(1, Math.min(opts.workers ?? 1, specs.length));
  // Workers with nothing left to check (and those never started): a large spec's stateful
  // search may use them (explore/split-search.ts). Shared with every worker.
  const spare = early?.spare ?? new Int32Array(new SharedArrayBuffer(4));
  spare[0] = Math.max(0, (opts.workers ?? 1) - poolSize);
  const estimate = specCosts(specs, opts.recorded);
  const dispatch = new Dispatch(specs.map((s) => s.site.file), estimate.costs, estimate.source === 'recorded' ? FILE_LOAD_MS : 0);
  let ended = false;
  let usage: UsageError | undefined;
  let failure: unknown;
  const slots = new Set<Slot>();
  let finish!: (o: RunOutcome) => void;
  const done = new Promise<RunOutcome>((res) => (finish = res));

  const shown = (s: Spec) => relative(process.cwd(), s.site.file);

  function complete(stopped: boolean): void {
    if (ended) return;
    ended = true;
    for (const slot of slots) slot.close();
    slots.clear();
    finish({ results: results.filter((r): r is CheckResult => r !== undefined), stopped, ...(usage ? { usage } : {}), ...(failure !== undefined ? { failure } : {}) });
  }

  /** Calls a hook from a worker's event: a throw there would crash the process with a stack. */
  function safely(f: () => void): void {
    try {
      f();
    } catch (e) {
      failure = e;
      for (const slot of slots) slot.interrupt();
      complete(true);
    }
  }

  function settle(index: number, r: CheckResult): void {
    results[index] = r;
    safely(() => hooks.onResult?.(index, r));
  }

  /** One worker and the spec it is checking; replaced by a fresh one when its worker dies. */
  class Slot {
    worker: Worker;
    running: Running | undefined;
    closed = false;
    /** The spec files this slot's worker has loaded (it keeps each one it was given a spec of). */
    loaded = new Set<string>();

    constructor() {
      this.worker = this.spawn(earlyWorker());
    }

    /** Listens to `w` (a fresh worker unless one started early is given). */
    spawn(w: Worker = newWorker(spare)): Worker {
      w.on('message', (m: WorkerMessage) => this.onMessage(m));
      w.on('error', (e) => this.onDeath(`crashed: ${e.message}`));
      w.on('exit', () => this.onDeath('called process.exit while being checked; a spec must not exit the process'));
      return w;
    }

    take(): void {
      if (ended || this.closed) return;
      const index = dispatch.take(this.loaded);
      if (index === undefined) {
        this.close();
        Atomics.add(spare, 0, 1);
        slots.delete(this);
        if (slots.size === 0) complete(false);
        return;
      }
      const spec = specs[index]!;
      this.loaded.add(spec.site.file);
      this.running = { index, startedAt: undefined, progress: undefined, timer: undefined };
      const part = opts.part?.(index);
      const job: CheckJob = { type: 'check', index, file: spec.site.file, name: spec.name, options: part ? { ...opts.check, part } : opts.check };
      this.worker.postMessage(job);
      safely(() => hooks.onStart?.(index));
    }

    onMessage(m: WorkerMessage): void {
      const run = this.running;
      if (ended || run === undefined || m.index !== run.index) return;
      const spec = specs[run.index]!;
      switch (m.type) {
        case 'started': {
          run.startedAt = performance.now();
          const budget = resolveBounds({ ...spec.bounds, ...opts.check.bounds }).timeMs;
          if (Number.isFinite(budget)) run.timer = setTimeout(() => this.onHang(budget), hangLimitMs(budget));
          return;
        }
        case 'progress':
          run.progress = m.progress;
          safely(() => hooks.onProgress?.(run.index, m.progress));
          return;
        case 'result':
          this.finishJob(fromWire(spec, m.result));
          return;
        case 'failed':
          if (m.usage) {
            usage = new UsageError(m.message);
            complete(true);
            return;
          }
          this.finishJob(errorResultOf(spec, opts.check, `spec ${spec.name} (${shown(spec)}) could not be checked: ${m.message}`, this.elapsed()));
      }
    }

    elapsed(): number {
      return this.running?.startedAt === undefined ? 0 : performance.now() - this.running.startedAt;
    }

    finishJob(r: CheckResult): void {
      const run = this.running!;
      clearTimeout(run.timer);
      this.running = undefined;
      settle(run.index, r);
      this.take();
    }

    /** The spec's step never returned: stop this worker, record INCOMPLETE (time), go on with a fresh one. */
    onHang(budget: number): void {
      const run = this.running;
      if (ended || run === undefined) return;
      const spec = specs[run.index]!;
      const r = cutShortResult(spec, opts.check, 'time', run.progress, this.elapsed(),
        `still running ${Math.round(hangLimitMs(budget) - budget)} ms after its time budget of ${budget} ms (a step that never returns?); its worker was stopped`);
      this.replaceWorker();
      this.finishJob(r);
    }

    /** The worker ended without a result: an uncaught error, or process.exit in a step. */
    onDeath(what: string): void {
      if (ended || this.closed) return;
      const run = this.running;
      this.replaceWorker();
      if (run === undefined) return;
      const spec = specs[run.index]!;
      this.finishJob(errorResultOf(spec, opts.check, `spec ${spec.name} (${shown(spec)}) ${what}`, this.elapsed()));
    }

    replaceWorker(): void {
      const old = this.worker;
      old.removeAllListeners();
      old.on('error', () => {});
      void old.terminate();
      this.worker = this.spawn();
      this.loaded.clear();
    }

    /** Stops the worker; the spec it was checking becomes INCOMPLETE (interrupted). */
    interrupt(): void {
      const run = this.running;
      if (run !== undefined) {
        clearTimeout(run.timer);
        const spec = specs[run.index]!;
        results[run.index] = cutShortResult(spec, opts.check, 'interrupted', run.progress, this.elapsed(), 'the run was interrupted while this spec was being checked');
        this.running = undefined;
      }
      this.close();
    }

    close(): void {
      if (this.closed) return;
      this.closed = true;
      clearTimeout(this.running?.timer);
      this.worker.removeAllListeners();
      this.worker.on('error', () => {});
      void this.worker.terminate();
    }
  }

  if (specs.length === 0) complete(false); // a shard may get no spec: no worker to start
  else for (let k = 0; k < poolSize; k++) slots.add(new Slot());
  releaseWorkers(); // early workers beyond the pool's size
  for (const slot of [...slots]) slot.take();

  return {
    done,
    stop() {
      if (ended) return;
      for (const slot of slots) slot.interrupt();
      complete(true);
    },
  };
}
