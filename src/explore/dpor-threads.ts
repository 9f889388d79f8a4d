import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Program } from '../model/program.ts';
import { exploreDpor } from './dpor.ts';
import { exploreDporSplit, UnitRunner, type Crew, type Unit, type UnitResult } from './dpor-split.ts';
import { defaultClock, Pacer } from './pace.ts';
import type { Bounds, Engine, ExploreOptions } from './types.ts';

/**
 * The threads of a split DPOR search (dpor-split.ts) as worker threads. Every thread, the first
 * and each helper (which loads the spec: src/cli/split-helper.ts), gives pending branches of
 * its search to threads that are idle, and explores those given to it while it is idle: a
 * helper between units, and any thread while it waits for a result it must take in (so the
 * thread whose branch takes longest gets help with it). Each pair of threads has a message
 * channel; shared words say who is idle (a giver claims an idle thread by compare-and-swap, so
 * no two give it a unit at once) and wake a thread that a message was posted to.
 */

// Shared words (ctl): STOP, then per thread k ≥ 0 (0: the first thread) its state, whether it
// takes units now, a counter bumped on every message posted to it, and the unit it should give up.
const STOP = 0;
const HEAD = 4;
const SLOT = 9;
const STATE = (k: number) => HEAD + SLOT * k;
const AVAILABLE = (k: number) => HEAD + SLOT * k + 1;
const SIGNAL = (k: number) => HEAD + SLOT * k + 2;
const CANCEL = (k: number) => HEAD + SLOT * k + 3;
/** Milliseconds this thread spent on units taken in, on units given back, and idle (SMPCHECK_SPLIT_DEBUG). */
const DONE_MS = (k: number) => HEAD + SLOT * k + 4;
const REDO_MS = (k: number) => HEAD + SLOT * k + 5;
const IDLE_MS = (k: number) => HEAD + SLOT * k + 6;
/** Progress: executions this thread explored in units it has not handed back yet (events beside it). */
const EXPLORED = (k: number) => HEAD + SLOT * k + 7;
const EXPLORED_EVENTS = (k: number) => HEAD + SLOT * k + 8;
const READY = 1;
const GONE = 2;
const MAX_HELPERS = 64;
/** Maximal executions between two looks for more spare CPUs. */
const CLAIM_EVERY = 1024;
/** Unit ids are made unique across threads by the giver's index in the high bits. */
const ID_STRIDE = 1 << 24;

/**
 * The `dpor` engine as `smpcheck check` runs it: once the search has run SplitContext's
 * minExecutions maximal executions, CPUs that no other spec needs (the CLI's pool) become
 * helper threads (dpor-split.ts). Not split: searches with an execution budget (where one stops
 * depends on the order results are taken in), and those that collect states by a key of the
 * caller's or profile themselves (tests, benchmarks).
 */
export const exploreDporWithHelpers: Engine = (program, opts) => {
  const split = opts.split;
  if (split === undefined || opts.bounds.maxExecutions !== Infinity || opts.terminalKey !== undefined || opts.profile !== undefined) return exploreDpor(program, opts);
  let team = null as FirstThread | null;
  let maximal = 0;
  try {
    return exploreDporSplit(program, opts, () => {
      maximal++;
      if (maximal >= split.minExecutions && (maximal - split.minExecutions) % CLAIM_EVERY === 0) {
        const n = split.claim();
        if (n > 0) (team ??= split.dporTeam(program, opts)).add(n);
      }
      return team;
    });
  } finally {
    team?.close();
  }
};

/** What a DPOR helper thread receives (workerData), besides the spec to load. */
export interface DporHelperData {
  readonly kind: 'dpor';
  readonly id: number;
  readonly ctl: SharedArrayBuffer;
  /** Its channels to the threads started before it (by index); later ones arrive as 'peer' messages. */
  readonly peers: readonly (readonly [number, MessagePort])[];
  readonly options: DporHelperOptions;
  readonly source: { readonly file: string; readonly name: string };
}

type DporHelperOptions = Pick<ExploreOptions, 'deadlockIsViolation' | 'races' | 'collectTerminals'> & { readonly bounds: Required<Bounds> };

/** What of the first thread's options a helper needs: it has no budgets of its own (the first thread keeps them) and stops at a violation (which it gives back). */
export function dporHelperOptions(opts: ExploreOptions): DporHelperOptions {
  return {
    bounds: { ...opts.bounds, timeMs: Infinity, maxMemoryMB: Infinity, maxExecutions: Infinity },
    deadlockIsViolation: opts.deadlockIsViolation,
    ...(opts.races !== undefined ? { races: opts.races } : {}),
    ...(opts.collectTerminals !== undefined ? { collectTerminals: opts.collectTerminals } : {}),
  };
}

type Message = { readonly type: 'unit'; readonly from: number; readonly unit: Unit } | { readonly type: 'result'; readonly result: UnitResult } | { readonly type: 'peer'; readonly id: number; readonly port: MessagePort };

/** One thread's view of the team: it gives, takes, and waits. */
export class DporTeam implements Crew {
  protected readonly ctl: Int32Array;
  private readonly ports = new Map<number, MessagePort>();
  /** Units this thread gave, by id: the thread exploring it. */
  private readonly owner = new Map<number, number>();
  private readonly results = new Map<number, UnitResult>();
  private readonly units: { from: number; unit: Unit }[] = [];
  private nextId = 1;
  private readonly runner: UnitRunner;
  private readonly pace = new Pacer(defaultClock, Infinity);
  private readonly opts: ExploreOptions;

  constructor(
    ctl: SharedArrayBuffer,
    private readonly me: number,
    make: () => Program,
    options: DporHelperOptions,
  ) {
    this.ctl = new Int32Array(ctl);
    this.runner = new UnitRunner(make);
    this.opts = { ...options, stopOn: () => true };
  }

  addPeer(id: number, port: MessagePort): void {
    this.ports.set(id, port);
  }

  get threads(): number {
    let n = 0;
    for (let k = 0; k <= MAX_HELPERS; k++) if (k === this.me || Atomics.load(this.ctl, STATE(k)) === READY) n++;
    return n;
  }

  explored(executions: number, events: number): void {
    Atomics.add(this.ctl, EXPLORED(this.me), executions);
    Atomics.add(this.ctl, EXPLORED_EVENTS(this.me), events);
  }

  inFlight(): { executions: number; events: number; threads: number } {
    let executions = 0;
    let events = 0;
    for (let k = 0; k <= MAX_HELPERS; k++) {
      if (k === this.me) continue;
      executions += Atomics.load(this.ctl, EXPLORED(k));
      events += Atomics.load(this.ctl, EXPLORED_EVENTS(k));
    }
    return { executions, events, threads: this.threads };
  }

  idle(): number {
    let n = 0;
    for (const k of this.ports.keys()) if (Atomics.load(this.ctl, AVAILABLE(k)) === 1) n++;
    return n;
  }

  give(unit: Unit): number {
    for (const [k, port] of this.ports) {
      if (Atomics.compareExchange(this.ctl, AVAILABLE(k), 1, 0) !== 1) continue;
      unit.id = this.me * ID_STRIDE + this.nextId++;
      this.owner.set(unit.id, k);
      port.postMessage({ type: 'unit', from: this.me, unit } satisfies Message);
      this.signal(k);
      return unit.id;
    }
    return 0;
  }

  /** Hands thread k its channel to thread `id` (started after it). */
  protected postPeer(k: number, id: number, port: MessagePort): void {
    this.ports.get(k)!.postMessage({ type: 'peer', id, port } satisfies Message, [port]);
    this.signal(k);
  }

  result(id: number, waiting: () => void): UnitResult | null {
    return this.idleUntil(() => {
      const r = this.results.get(id);
      if (r !== undefined) {
        this.results.delete(id);
        this.owner.delete(id);
        return r;
      }
      const k = this.owner.get(id);
      if (k === undefined || Atomics.load(this.ctl, STATE(k)) === GONE) return null;
      return undefined;
    }, waiting);
  }

  cancel(id: number): void {
    const k = this.owner.get(id);
    this.owner.delete(id);
    this.results.delete(id);
    if (k !== undefined) Atomics.store(this.ctl, CANCEL(k), id);
  }

  /**
   * Takes units (explores them) until `done` returns something other than undefined. A thread
   * that stops taking units may have been claimed by a giver a moment before: then it waits for
   * that unit and explores it first.
   */
  idleUntil<T>(done: () => T | undefined, waiting: () => void = () => {}): T {
    const outer = this.waiting;
    this.waiting = waiting;
    try {
      return this.idle1(done, waiting);
    } finally {
      this.waiting = outer;
    }
  }

  /**
   * What the thread calls while it waits (the first thread: its search's time budget and
   * progress); a unit explored meanwhile calls it too, and gives up when it throws.
   */
  private waiting: () => void = () => {};

  private idle1<T>(done: () => T | undefined, waiting: () => void): T {
    Atomics.store(this.ctl, AVAILABLE(this.me), 1);
    for (;;) {
      const seen = Atomics.load(this.ctl, SIGNAL(this.me));
      if (this.takeOne()) {
        Atomics.store(this.ctl, AVAILABLE(this.me), 1);
        continue;
      }
      const r = done();
      if (r !== undefined) {
        // Claimed just before: a unit is on its way; it is explored first (`done` was answered: r is kept).
        if (Atomics.compareExchange(this.ctl, AVAILABLE(this.me), 1, 0) !== 1) this.awaitUnit();
        return r;
      }
      const t0 = performance.now();
      Atomics.wait(this.ctl, SIGNAL(this.me), seen, 20);
      Atomics.add(this.ctl, IDLE_MS(this.me), Math.round(performance.now() - t0));
      waiting();
    }
  }

  /** Claimed while leaving: the unit arrives soon; explores it, and leaves unavailable. */
  private awaitUnit(): void {
    for (;;) {
      const seen = Atomics.load(this.ctl, SIGNAL(this.me));
      if (this.takeOne()) return;
      Atomics.wait(this.ctl, SIGNAL(this.me), seen, 20);
    }
  }

  /** Explores the next unit posted to this thread, if there is one: true when it did. */
  private takeOne(): boolean {
    this.drain();
    const u = this.units.shift();
    if (u === undefined) return false;
    this.explore(u.from, u.unit);
    return true;
  }

  private explore(from: number, unit: Unit): void {
    const t0 = performance.now();
    const waiting = this.waiting;
    const cancelled = () => {
      if (Atomics.load(this.ctl, CANCEL(this.me)) === unit.id || Atomics.load(this.ctl, STOP) !== 0) return true;
      try {
        waiting();
        return false;
      } catch {
        return true; // out of budget: the wait it interrupted ends with it
      }
    };
    const r = this.runner.run(unit, this.opts, this.pace, cancelled, () => this);
    const ms = Math.round(performance.now() - t0);
    Atomics.add(this.ctl, r.kind === 'done' ? DONE_MS(this.me) : REDO_MS(this.me), ms);
    const port = this.ports.get(from)!;
    port.postMessage({ type: 'result', result: r } satisfies Message, [r.insertions.buffer as ArrayBuffer]);
    this.signal(from);
  }

  private signal(k: number): void {
    Atomics.add(this.ctl, SIGNAL(k), 1);
    Atomics.notify(this.ctl, SIGNAL(k));
  }

  /** Takes in what was posted to this thread. */
  private drain(): void {
    for (const port of [...this.ports.values()]) {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
        const msg = m.message as Message;
        if (msg.type === 'unit') this.units.push({ from: msg.from, unit: msg.unit });
        else if (msg.type === 'peer') this.ports.set(msg.id, msg.port);
        else if (this.owner.has(msg.result.id)) this.results.set(msg.result.id, msg.result);
      }
    }
  }

  get stopped(): boolean {
    return Atomics.load(this.ctl, STOP) !== 0;
  }
}

/** The first thread's team: it starts the helpers and ends them. */
export class FirstThread extends DporTeam {
  private readonly workers: Worker[] = [];
  /** CPUs claimed and not yet given back (release). */
  private claimed = 0;

  constructor(
    make: () => Program,
    private readonly entry: URL,
    private readonly source: DporHelperData['source'],
    private readonly options: DporHelperOptions,
    /** Gives claimed CPUs back to the pool. */
    private readonly release: (n: number) => void,
    /** Tests: add() returns once the helpers it started are ready (or 120 s have passed), so that every one takes part. */
    private readonly waitForHelpers = false,
  ) {
    super(new SharedArrayBuffer(4 * (HEAD + SLOT * (MAX_HELPERS + 1))), 0, make, options);
    Atomics.store(this.ctl, STATE(0), READY);
  }

  /** Starts a helper on each of `n` claimed CPUs (those that cannot be started are given back). */
  add(n: number): void {
    let started = 0;
    try {
      for (let i = 0; i < n && this.workers.length < MAX_HELPERS; i++) {
        const id = this.workers.length + 1;
        // A channel to every thread started before it, this one included.
        const peers: [number, MessagePort][] = [];
        const mine = new MessageChannel();
        this.addPeer(id, mine.port1);
        peers.push([0, mine.port2]);
        for (let j = 1; j < id; j++) {
          const c = new MessageChannel();
          peers.push([j, c.port2]);
          this.postPeer(j, id, c.port1);
        }
        const data: DporHelperData = { kind: 'dpor', id, ctl: this.ctl.buffer as SharedArrayBuffer, peers, options: this.options, source: this.source };
        const w = new Worker(this.entry, { workerData: data, transferList: peers.map(([, p]) => p) });
        w.on('error', () => {}); // a helper that fails to start is never available: it is never given work
        w.unref();
        this.workers.push(w);
        started++;
      }
    } catch {
      // no (more) thread could be started: the search goes on with those that did
    }
    this.claimed += started;
    if (started < n) this.release(n - started);
    if (this.waitForHelpers) {
      const ctl = this.ctl;
      const until = performance.now() + 120_000;
      for (let k = 1; k <= this.workers.length; k++) {
        while (Atomics.load(ctl, STATE(k)) === 0 && performance.now() < until) Atomics.wait(ctl, STATE(k), 0, 50);
      }
    }
  }

  /** Ends every helper and gives their CPUs back. */
  close(): void {
    const ctl = this.ctl;
    Atomics.store(ctl, AVAILABLE(0), 0);
    Atomics.store(ctl, STATE(0), GONE);
    if (process.env.SMPCHECK_SPLIT_DEBUG) {
      for (let k = 0; k <= this.workers.length; k++) console.error(`dpor split: thread ${k}: units taken in ${Atomics.load(ctl, DONE_MS(k))} ms, given back ${Atomics.load(ctl, REDO_MS(k))} ms, idle ${Atomics.load(ctl, IDLE_MS(k))} ms`);
    }
    Atomics.store(ctl, STOP, 1);
    for (let k = 1; k <= this.workers.length; k++) Atomics.notify(ctl, SIGNAL(k));
    // Helpers that are between units end at once; one still exploring a cancelled unit is stopped.
    const until = performance.now() + 100;
    for (let k = 1; k <= this.workers.length; k++) {
      while (Atomics.load(ctl, STATE(k)) === READY && performance.now() < until) Atomics.wait(ctl, STATE(k), READY, 5);
    }
    for (const w of this.workers) void w.terminate();
    this.release(this.claimed);
    this.claimed = 0;
  }
}

/** A helper thread: takes units until the search ends. */
export function serveDpor(make: () => Program, data: DporHelperData): void {
  const ctl = new Int32Array(data.ctl);
  const team = new DporTeam(data.ctl, data.id, make, data.options);
  for (const [k, port] of data.peers) team.addPeer(k, port);
  Atomics.store(ctl, STATE(data.id), READY);
  Atomics.notify(ctl, STATE(data.id));
  try {
    team.idleUntil(() => (team.stopped ? true : undefined));
  } finally {
    // However it ends, no thread must wait for a result of this one.
    Atomics.store(ctl, AVAILABLE(data.id), 0);
    Atomics.store(ctl, STATE(data.id), GONE);
    Atomics.notify(ctl, STATE(data.id));
    for (let k = 0; k <= MAX_HELPERS; k++) {
      Atomics.add(ctl, SIGNAL(k), 1);
      Atomics.notify(ctl, SIGNAL(k));
    }
  }
}
