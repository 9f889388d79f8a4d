import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { positiveInteger } from '../check/bound-values.ts';
import { clearCoverage, coverageData, takeCoverage, type CoverageData } from '../check/coverage.ts';
import { Program } from '../model/program.ts';
import { NewThreads } from '../model/step.ts';
import { SharedFingerprintStore, RESIZE, SIZE } from './shared-store.ts';
import { FingerprintStore } from './state-store.ts';
import { untilThreadsKnown } from './spawns.ts';
import { dporHelperOptions, FirstThread } from './dpor-threads.ts';
import { StatefulSearch } from './stateful.ts';
import type { Bounds, Cut, ExploreOptions, ExploreResult } from './types.ts';

/**
 * One stateful search split across threads (issue 11): the threads share one visited-state
 * table (shared-store.ts), so each state is claimed and explored by exactly one of them, and a
 * thread that runs out of work takes an untaken transition another gives away (work sharing:
 * the giver's open state nearest the root, as a schedule from the initial state, which the taker
 * replays). This is the scheme of parallel SPIN and of LTSmin's multi-core backend (Laarman,
 * van de Pol and Weber, "Boosting Multi-Core Reachability Performance with Shared Hash
 * Tables", FMCAD 2010), with sleep sets kept per state in the table.
 *
 * What stays exact: a complete search visits every reachable state once, whatever the order,
 * so the distinct states, end states and deadlocks are those of the one-thread search; sleep
 * sets only decide which transitions are re-run, never which states are entered (DESIGN §4a).
 * Under a declared symmetry the table holds one representative per orbit, the same one whatever
 * the order states are met in (symmetry.ts canonicalKey), so the counts are the one-thread ones.
 * Transitions run, revisits and the deepest path depend on the order and say so in the README.
 * A violation (or a model error) is not taken from whichever thread met it first: the threads
 * stop and the search is run again on one thread, so the reported violation, its counterexample
 * and the counts are exactly those of a one-thread run. test/explore/split-search.test.ts checks
 * the split search against the naive explorer on random programs, in one thread with members
 * interleaved at random (`exploreSplitInterleaved`) and on real threads.
 */

/**
 * A search is split only once it holds this many states (SMPCHECK_SPLIT_STATES), past auto's
 * probe: smaller ones end before a helper thread has loaded the spec (0.3 s measured). A helper
 * started for a search that then ends soon costs only a CPU that was idle.
 */
export const SPLIT_MIN_STATES = 20_000;

/** SMPCHECK_SPLIT_STATES, else SPLIT_MIN_STATES; a value that is not a positive integer is a UsageError. */
export function splitStatesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.SMPCHECK_SPLIT_STATES;
  return v === undefined || v === '' ? SPLIT_MIN_STATES : positiveInteger('SMPCHECK_SPLIT_STATES', v);
}

/**
 * A DPOR search looks for spare CPUs once it has run this many maximal executions
 * (SMPCHECK_SPLIT_EXECUTIONS): 1–2 s of lastzero or readers. A helper costs a second isolate
 * (its start-up, its compiler and collector beside the first thread's), so a search of a few
 * seconds gains nothing from it (README, "A DPOR search on several threads").
 */
export const SPLIT_MIN_EXECUTIONS = 20_000;

/** SMPCHECK_SPLIT_EXECUTIONS, else SPLIT_MIN_EXECUTIONS; a value that is not a positive integer is a UsageError. */
export function splitExecutionsFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.SMPCHECK_SPLIT_EXECUTIONS;
  return v === undefined || v === '' ? SPLIT_MIN_EXECUTIONS : positiveInteger('SMPCHECK_SPLIT_EXECUTIONS', v);
}
/** Transitions between two looks at the team (stop, resize, someone idle). */
const TICK = 64;
const MAX_HELPERS = 64;

/**
 * What `smpcheck check` gives an engine (ExploreOptions.split) so that a large spec can use CPUs
 * no other spec needs. Made by `splitContext`; the stateful engine sees only this interface.
 */
export interface SplitContext {
  /** States stored before the search looks for spare CPUs. */
  readonly minStates: number;
  /** DPOR: maximal executions before the search looks for spare CPUs (dpor-threads.ts). */
  readonly minExecutions: number;
  /** Claims spare CPUs now: how many (0 when none). */
  claim(): number;
  /** Goes on with `helpers` helper threads (claimed); the result of the whole search. */
  search(s: StatefulSearch, helpers: number): ExploreResult;
  /** DPOR: the first thread of a team of helper threads (none started yet: FirstThread.add starts them on claimed CPUs). */
  dporTeam(program: Program, opts: ExploreOptions): FirstThread;
}

interface ThreadedSplit extends SplitContext {
  /** The count of spare CPUs, shared by the CLI's workers: claimed with a decrement, given back after. */
  readonly spare: Int32Array;
  /** The entry of a helper thread (src/cli/split-entry.js), which loads the same spec and calls `joinSplit`. */
  readonly entry: URL;
  /** What the helper loads: the spec file and the spec's name. */
  readonly source: HelperData['source'];
  /** Set once a helper met a thread it could not know (t.spawn): this spec is not split again. */
  disabled: boolean;
  /** Tests: the first thread waits until every helper has joined before it goes on. */
  readonly waitForHelpers: boolean;
}

/**
 * A split context over `spare` (an Int32Array of one word over a SharedArrayBuffer that the
 * CLI's pool keeps: workers with nothing left to check), starting helpers at `entry`.
 */
export function splitContext(spare: Int32Array, entry: URL, source: HelperData['source'], how: { minStates?: number; minExecutions?: number; waitForHelpers?: boolean } = {}): SplitContext {
  const split: ThreadedSplit = {
    minStates: how.minStates ?? splitStatesFromEnv(),
    minExecutions: how.minExecutions ?? splitExecutionsFromEnv(),
    waitForHelpers: how.waitForHelpers ?? false,
    spare,
    entry,
    source,
    disabled: false,
    claim() {
      if (split.disabled) return 0;
      for (;;) {
        const n = Atomics.load(spare, 0);
        if (n <= 0) return 0;
        const k = Math.min(n, MAX_HELPERS);
        if (Atomics.compareExchange(spare, 0, n, n - k) === n) return k;
      }
    },
    search: (s, helpers) => searchInParallel(s, helpers, split),
    dporTeam: (program, opts) => new FirstThread(() => new Program(program.model, program.params), entry, source, dporHelperOptions(opts), (n) => Atomics.add(spare, 0, n), split.waitForHelpers),
  };
  return split;
}

// The team's shared words (ctl). SIZE and RESIZE (0, 1) belong to the shared store.
const LOCK = 2;
const IDLE = 3;
const MEMBERS = 4;
const DONE = 5;
const STOP = 6; // 0, or why: RERUN (a violation or an error: run again on one thread), CUT
const STORE_EPOCH = 7;
const WORK_EPOCH = 8;
const REPORTS = 9;
const HEAD = 16;
/** Per member k ≥ 1: joined (1), parked at epoch e (e + 1); end states, transitions and untaken ones (progress). */
const SLOT = 5;
const JOINED = (k: number) => HEAD + SLOT * k;
const PARKED = (k: number) => HEAD + SLOT * k + 1;
const TERMINALS = (k: number) => HEAD + SLOT * k + 2;
const EVENTS = (k: number) => HEAD + SLOT * k + 3;
const FRONTIER = (k: number) => HEAD + SLOT * k + 4;
const RERUN = 1;
const CUT = 2;

// The board of work given away: COUNT entries, TOP words used; entries are [moves..., length].
const COUNT = 0;
const TOP = 1;
const BOARD_WORDS = 1 << 20;

/** What a member tells the first thread when it is done. */
interface MemberReport {
  readonly type: 'report';
  readonly terminals: number;
  readonly deadlocks: number;
  readonly assumeBlocked: number;
  readonly assumeRefused: number;
  readonly events: number;
  readonly revisits: number;
  readonly maxDepth: number;
  readonly witnesses: string[];
  readonly cut: Cut[];
  readonly terminalKeys: string[] | null;
  readonly deadlockKeys: string[] | null;
  /** A violation or a throw: the search runs again on one thread. */
  readonly rerun: boolean;
  /** A thread started by t.spawn that this member's program did not know. */
  readonly newThreads: boolean;
  /** What the member threw, if it did (SMPCHECK_SPLIT_DEBUG prints it). */
  readonly thrown?: string;
  readonly coverage: CoverageData;
}

/** What a helper thread receives (workerData) besides the spec to load. */
export interface HelperData {
  readonly id: number;
  readonly ctl: SharedArrayBuffer;
  readonly board: SharedArrayBuffer;
  readonly store: SharedArrayBuffer;
  /** The table's epoch when the helper was started (a resize since is posted to `port`). */
  readonly epoch: number;
  readonly port: MessagePort;
  readonly options: HelperOptions;
  readonly source: { readonly file: string; readonly name: string };
}

type HelperOptions = Pick<ExploreOptions, 'deadlockIsViolation' | 'races' | 'collectTerminals' | 'symmetry' | 'sleepSets' | 'reuseSteps' | 'stepCache'> & { readonly bounds: Required<Bounds> };

/** The coordination of one split search over the shared words; one per member thread. */
class Team {
  private readonly ctl: Int32Array;
  private readonly board: Int32Array;
  /** The epoch of the table this member holds. */
  epoch: number;

  constructor(
    ctl: SharedArrayBuffer,
    board: SharedArrayBuffer,
    private readonly store: SharedFingerprintStore,
    private readonly id: number,
    /**
     * Member 0: its ports to the helpers, in id order (it posts a grown table to each; helpers
     * started later are appended); a helper: its port.
     */
    private readonly ports: readonly MessagePort[],
    epoch: number,
  ) {
    this.ctl = new Int32Array(ctl);
    this.board = new Int32Array(board);
    this.epoch = epoch;
  }

  private lock(): void {
    while (Atomics.compareExchange(this.ctl, LOCK, 0, 1) !== 0);
  }

  private unlock(): void {
    Atomics.store(this.ctl, LOCK, 0);
  }

  get stopped(): number {
    return Atomics.load(this.ctl, STOP);
  }

  get done(): boolean {
    return Atomics.load(this.ctl, DONE) === 1;
  }

  stop(why: number): void {
    Atomics.compareExchange(this.ctl, STOP, 0, why);
    Atomics.add(this.ctl, WORK_EPOCH, 1);
    Atomics.notify(this.ctl, WORK_EPOCH);
    Atomics.notify(this.ctl, STORE_EPOCH);
  }

  /** A helper joins, idle, holding the current table; false when the search already ended. */
  join(): boolean {
    for (;;) {
      this.takeTable();
      this.lock();
      if (this.done || this.stopped !== 0) {
        this.unlock();
        return false;
      }
      if (Atomics.load(this.ctl, RESIZE) === 0 && Atomics.load(this.ctl, STORE_EPOCH) === this.epoch) {
        Atomics.add(this.ctl, MEMBERS, 1);
        Atomics.add(this.ctl, IDLE, 1);
        Atomics.store(this.ctl, JOINED(this.id), 1);
        this.unlock();
        Atomics.notify(this.ctl, MEMBERS);
        return true;
      }
      this.unlock();
      Atomics.wait(this.ctl, STORE_EPOCH, Atomics.load(this.ctl, STORE_EPOCH), 2);
    }
  }

  /** A helper: the newest table member 0 posted, if newer than the one held. */
  private takeTable(): void {
    for (;;) {
      const m = receiveMessageOnPort(this.ports[0]!);
      if (m === undefined) return;
      const msg = m.message as { type: string; buffer: SharedArrayBuffer; epoch: number };
      if (msg.type === 'store' && msg.epoch > this.epoch) {
        this.store.adopt(msg.buffer);
        this.epoch = msg.epoch;
      }
    }
  }

  /**
   * Between two slices of work: false when the team stopped; else a resize is joined, progress
   * published, and work given to idle members.
   */
  tick(s: StatefulSearch): boolean {
    if (this.stopped !== 0) return false;
    if (Atomics.load(this.ctl, RESIZE) === 1 && !this.resize()) return false;
    if (this.id > 0) {
      Atomics.store(this.ctl, TERMINALS(this.id), s.terminals);
      Atomics.store(this.ctl, EVENTS(this.id), s.events);
      Atomics.store(this.ctl, FRONTIER(this.id), s.untaken());
    }
    const idle = Atomics.load(this.ctl, IDLE);
    if (idle > 0 && Atomics.load(this.board, COUNT) < idle) {
      let gave = false;
      this.lock();
      // A schedule given away is at most one move longer than the path here.
      while (this.board[COUNT]! < Atomics.load(this.ctl, IDLE) && this.room() > s.path.length + 2) {
        const path = s.donate();
        if (path === null) break;
        this.push(path);
        gave = true;
      }
      this.unlock();
      if (gave) {
        Atomics.add(this.ctl, WORK_EPOCH, 1);
        Atomics.notify(this.ctl, WORK_EPOCH);
      }
    }
    return true;
  }

  private room(): number {
    return this.board.length - 2 - this.board[TOP]!;
  }

  private push(path: readonly number[]): void {
    const b = this.board;
    const top = b[TOP]!;
    for (let i = 0; i < path.length; i++) b[2 + top + i] = path[i]!;
    b[2 + top + path.length] = path.length;
    b[TOP] = top + path.length + 1;
    b[COUNT]!++;
  }

  private pop(): number[] {
    const b = this.board;
    const top = b[TOP]!;
    const len = b[2 + top - 1]!;
    const start = 2 + top - 1 - len;
    const path = Array.from(b.subarray(start, start + len));
    b[TOP] = top - 1 - len;
    b[COUNT]!--;
    return path;
  }

  /**
   * Out of work: waits for work given away, or for the end (every member idle and nothing on the
   * board, or a stop); null at the end. `s.outOfBudget` keeps member 0's budgets checked.
   */
  awaitWork(s: StatefulSearch, alreadyIdle: boolean): number[] | null {
    if (!alreadyIdle) {
      this.lock();
      Atomics.add(this.ctl, IDLE, 1);
      this.unlock();
    }
    for (;;) {
      if (this.stopped !== 0) return null;
      if (this.id === 0 && s.outOfBudget(0)) {
        s.halted = true;
        this.stop(CUT);
        return null;
      }
      if (Atomics.load(this.ctl, RESIZE) === 1 && !this.resize()) return null;
      const seen = Atomics.load(this.ctl, WORK_EPOCH);
      this.lock();
      if (this.done) {
        this.unlock();
        return null;
      }
      if (this.board[COUNT]! > 0) {
        const path = this.pop();
        Atomics.sub(this.ctl, IDLE, 1);
        this.unlock();
        return path;
      }
      if (Atomics.load(this.ctl, IDLE) === Atomics.load(this.ctl, MEMBERS)) {
        Atomics.store(this.ctl, DONE, 1);
        this.unlock();
        Atomics.add(this.ctl, WORK_EPOCH, 1);
        Atomics.notify(this.ctl, WORK_EPOCH);
        Atomics.notify(this.ctl, STORE_EPOCH);
        return null;
      }
      this.unlock();
      Atomics.wait(this.ctl, WORK_EPOCH, seen, 5);
    }
  }

  /**
   * The table is half full. Member 0 waits until every other member is parked, copies it into
   * one twice the size and posts that to each helper; a helper parks until then. False when the
   * team stopped meanwhile (the table is not touched again).
   */
  private resize(): boolean {
    const ctl = this.ctl;
    if (this.id > 0) {
      Atomics.store(ctl, PARKED(this.id), this.epoch + 1);
      Atomics.notify(ctl, PARKED(this.id));
      while (Atomics.load(ctl, STORE_EPOCH) === this.epoch) {
        if (this.stopped !== 0 || this.done) return false;
        Atomics.wait(ctl, STORE_EPOCH, this.epoch, 5);
      }
      Atomics.store(ctl, PARKED(this.id), 0);
      while (Atomics.load(ctl, STORE_EPOCH) !== this.epoch) this.takeTable();
      return true;
    }
    this.lock();
    const joined: number[] = [];
    for (let k = 1; k <= this.ports.length; k++) if (Atomics.load(ctl, JOINED(k)) === 1) joined.push(k);
    this.unlock();
    for (const k of joined) {
      while (Atomics.load(ctl, PARKED(k)) !== this.epoch + 1) {
        if (this.stopped !== 0) return false;
        Atomics.wait(ctl, PARKED(k), Atomics.load(ctl, PARKED(k)), 5);
      }
    }
    const buffer = this.store.grown();
    this.store.adopt(buffer);
    this.epoch++;
    for (const port of this.ports) port.postMessage({ type: 'store', buffer, epoch: this.epoch });
    Atomics.store(ctl, RESIZE, 0);
    Atomics.store(ctl, STORE_EPOCH, this.epoch);
    Atomics.notify(ctl, STORE_EPOCH);
    return true;
  }

  /** Member 0: waits until `n` members have joined, or `ms` have passed. */
  awaitMembers(n: number, ms: number): void {
    const until = performance.now() + ms;
    for (let m = Atomics.load(this.ctl, MEMBERS); m < n && performance.now() < until; m = Atomics.load(this.ctl, MEMBERS)) Atomics.wait(this.ctl, MEMBERS, m, 50);
  }

  /** Member 0: transitions and end states the helpers have reported so far (progress lines). */
  others(): { terminals: number; events: number; frontier: number; threads: number } {
    let terminals = 0;
    let events = 0;
    let frontier = 0;
    let threads = 1;
    for (let k = 1; k <= this.ports.length; k++) {
      if (Atomics.load(this.ctl, JOINED(k)) !== 1) continue;
      threads++;
      terminals += Atomics.load(this.ctl, TERMINALS(k));
      events += Atomics.load(this.ctl, EVENTS(k));
      frontier += Atomics.load(this.ctl, FRONTIER(k));
    }
    // Work given away and not yet taken is frontier too.
    return { terminals, events, frontier: frontier + Atomics.load(this.board, COUNT), threads };
  }

  /** Member 0, at the end: every joined helper's report (a helper that never joined has none). */
  reports(): MemberReport[] {
    if (!this.done) this.stop(RERUN); // ends the helpers; overwritten by nothing if a stop was set
    const out: MemberReport[] = [];
    for (let k = 1; k <= this.ports.length; k++) {
      // A stop or the end is set, so a helper that has not joined now never will (join() looks under the lock).
      this.lock();
      const joined = Atomics.load(this.ctl, JOINED(k)) === 1;
      this.unlock();
      if (!joined) continue;
      for (;;) {
        const seen = Atomics.load(this.ctl, REPORTS);
        const m = receiveMessageOnPort(this.ports[k - 1]!);
        if (m !== undefined && (m.message as { type: string }).type === 'report') {
          out.push(m.message as MemberReport);
          break;
        }
        if (m === undefined) Atomics.wait(this.ctl, REPORTS, seen, 10);
      }
    }
    return out;
  }

  /** A helper: posts its report to member 0. */
  report(r: MemberReport): void {
    this.ports[0]!.postMessage(r);
    Atomics.add(this.ctl, REPORTS, 1);
    Atomics.notify(this.ctl, REPORTS);
  }
}

/** Ticks between two looks for more spare CPUs (member 0). */
const CLAIM_EVERY = 64;

/** Runs one member until the team ends; `more` (member 0): starts helpers for CPUs that became spare. */
function drive(s: StatefulSearch, team: Team, joined: boolean, more?: () => void): void {
  let idle = joined;
  let ticks = 0;
  for (;;) {
    if (!idle) {
      const going = s.work(TICK);
      if (s.found.violations.length > 0) return team.stop(RERUN);
      if (s.halted) return team.stop(CUT);
      if (going) {
        if (!team.tick(s)) return;
        if (more !== undefined && ++ticks % CLAIM_EVERY === 0) more();
        continue;
      }
    }
    const path = team.awaitWork(s, idle);
    idle = false;
    if (path === null) return;
    s.adopt(path);
  }
}

function reportOf(s: StatefulSearch, rerun: boolean, newThreads: boolean, thrown?: string): MemberReport {
  const p = s.program;
  return {
    type: 'report',
    ...(thrown !== undefined ? { thrown } : {}),
    terminals: s.terminals,
    deadlocks: s.deadlocks,
    assumeBlocked: s.assumeBlocked,
    assumeRefused: s.assumeRefused,
    events: s.events,
    revisits: s.revisits,
    maxDepth: s.maxDepth,
    witnesses: [...s.found.witnesses],
    cut: [...s.found.cut],
    terminalKeys: s.found.terminals ? [...s.found.terminals] : null,
    deadlockKeys: s.found.deadlockStates ? [...s.found.deadlockStates] : null,
    rerun: rerun || s.found.violations.length > 0,
    newThreads,
    coverage: coverageData(p),
  };
}

/** Adds a member's figures and coverage to member 0's search. */
function absorb(s: StatefulSearch, r: MemberReport): void {
  s.terminals += r.terminals;
  s.deadlocks += r.deadlocks;
  s.assumeBlocked += r.assumeBlocked;
  s.assumeRefused += r.assumeRefused;
  s.events += r.events;
  s.revisits += r.revisits;
  s.maxDepth = Math.max(s.maxDepth, r.maxDepth);
  s.found.takeIn({ cut: r.cut, witnesses: r.witnesses, terminals: r.terminalKeys, deadlockStates: r.deadlockKeys });
  takeCoverage(s.program, r.coverage);
}

/**
 * The search again on one thread, from the start and with what the first attempt left in the
 * program (coverage, the determinism sample) cleared: exactly the one-thread run, within the
 * time that is left.
 */
export function rerunAlone(s: StatefulSearch): ExploreResult {
  const p = s.program;
  clearCoverage(p);
  p.stepsRun = 0;
  p.recheckedSteps.clear();
  const { split: _split, ...opts } = s.opts;
  const timeMs = Math.max(1, opts.bounds.timeMs - s.elapsed());
  return new StatefulSearch(p, { ...opts, bounds: { ...opts.bounds, timeMs } }).run();
}

/** The first search's visited states, copied into a shared table with room to grow. */
function sharedCopy(s: StatefulSearch, ctl: Int32Array): SharedFingerprintStore {
  const local = s.store;
  if (!(local instanceof FingerprintStore)) throw new Error('internal: only a fingerprint store can be shared');
  let cap = 1 << 16;
  while (cap < local.size * 8) cap *= 2;
  const shared = new SharedFingerprintStore(SharedFingerprintStore.allocate(cap), ctl);
  shared.fill(local.entries());
  return shared;
}

function helperOptions(opts: ExploreOptions): HelperOptions {
  return {
    // Member 0 keeps the time and memory budgets (memory is the process's); depth and states are shared.
    bounds: { ...opts.bounds, timeMs: Infinity, maxMemoryMB: Infinity },
    deadlockIsViolation: opts.deadlockIsViolation,
    ...(opts.races !== undefined ? { races: opts.races } : {}),
    ...(opts.collectTerminals !== undefined ? { collectTerminals: opts.collectTerminals } : {}),
    ...(opts.symmetry !== undefined ? { symmetry: opts.symmetry } : {}),
    ...(opts.sleepSets !== undefined ? { sleepSets: opts.sleepSets } : {}),
    ...(opts.reuseSteps !== undefined ? { reuseSteps: opts.reuseSteps } : {}),
    ...(opts.stepCache !== undefined ? { stepCache: opts.stepCache } : {}),
  };
}

/**
 * Member 0: the search `s` (on this thread, `helpers` spare CPUs claimed) goes on with that many
 * helper threads, and returns the result of the whole search.
 */
function searchInParallel(s: StatefulSearch, helpers: number, split: ThreadedSplit): ExploreResult {
  const ctlBuffer = new SharedArrayBuffer(4 * (HEAD + SLOT * (MAX_HELPERS + 1)));
  const ctl = new Int32Array(ctlBuffer);
  const board = new SharedArrayBuffer(4 * BOARD_WORDS);
  const store = sharedCopy(s, ctl);
  s.store = store;
  Atomics.store(ctl, MEMBERS, 1);
  const ports: MessagePort[] = [];
  const workers: Worker[] = [];
  const options = helperOptions(s.opts);
  let claimed = 0;
  const team = new Team(ctlBuffer, board, store, 0, ports, 0);
  /** Starts `n` helpers on claimed CPUs (ids after those started so far). */
  const start = (n: number) => {
    claimed += n;
    try {
      for (let k = 0; k < n && workers.length < MAX_HELPERS; k++) {
        const { port1, port2 } = new MessageChannel();
        const data: HelperData = { id: workers.length + 1, ctl: ctlBuffer, board, store: store.buffer, epoch: team.epoch, port: port2, options, source: split.source };
        const w = new Worker(split.entry, { workerData: data, transferList: [port2] });
        w.on('error', () => {}); // a helper that fails to start never joins; the search goes on without it
        w.unref();
        ports.push(port1);
        workers.push(w);
      }
    } catch {
      // no (more) thread could be started: the search goes on with those that did
    }
  };
  start(helpers);
  s.others = () => team.others();
  if (split.waitForHelpers) team.awaitMembers(workers.length + 1, 120_000);
  let error: ExploreResult['error'];
  try {
    drive(s, team, false, () => {
      // Workers of the pool that have finished their specs since: more spare CPUs.
      if (workers.length < MAX_HELPERS) {
        const n = split.claim();
        if (n > 0) start(n);
      }
    });
  } catch (e) {
    error = s.failure(e);
    team.stop(RERUN);
  }
  const reports = team.reports();
  // How the work was shared, for tuning (a stderr line; not part of any report).
  if (process.env.SMPCHECK_SPLIT_DEBUG) console.error(`split: ${s.events} transitions on the first thread, ${reports.map((r) => r.events).join(', ') || 'none'} on helpers; ${s.elapsed().toFixed(0)} ms; stop ${team.stopped}${reports.map((r) => (r.thrown ? `; a helper threw: ${r.thrown}` : '')).join('')}${error ? `; the first thread threw: ${error.error.message}` : ''}`);
  for (const w of workers) void w.terminate();
  Atomics.add(split.spare, 0, claimed);
  s.others = null;
  if (reports.some((r) => r.newThreads)) split.disabled = true;
  if (error !== undefined || team.stopped === RERUN || reports.some((r) => r.rerun) || s.found.violations.length > 0) return rerunAlone(s);
  for (const r of reports) absorb(s, r);
  if (team.stopped === CUT && s.found.cut.size === 0) s.found.cut.add('stopped');
  const r = s.result(undefined);
  return { ...r, stats: { ...r.stats, threads: 1 + reports.length } };
}

/** A helper thread: joins the split search of `program` described by `data`. */
export function joinSplit(program: Program, data: HelperData): void {
  const ctl = new Int32Array(data.ctl);
  const store = new SharedFingerprintStore(data.store, ctl);
  const team = new Team(data.ctl, data.board, store, data.id, [data.port], data.epoch);
  const s = new StatefulSearch(program, { ...data.options, stopOn: () => true }, store);
  if (!team.join()) return;
  let rerun = false;
  let newThreads = false;
  let thrown: string | undefined;
  try {
    drive(s, team, true);
  } catch (e) {
    rerun = true;
    newThreads = e instanceof NewThreads;
    thrown = e instanceof Error ? e.message : String(e);
    team.stop(RERUN);
  }
  team.report(reportOf(s, rerun, newThreads, thrown));
}

/**
 * The split search with `members` members interleaved on this thread: each works a random
 * number of transitions (seeded), idle members take work the others give away, over one
 * visited-state store. It exercises what the threads do (states claimed by another member still
 * being explored, work given away and replayed, sleep masks of states entered by another) on
 * every random program a test can afford. With `rerun: false` a violation is returned as the
 * members found it, so that tests can compare the violated properties with the naive explorer.
 */
export function exploreSplitInterleaved(program: Program, opts: ExploreOptions, how: { members: number; seed: number; rerun?: boolean }): ExploreResult {
  return untilThreadsKnown(program, () => interleaved(program, opts, how));
}

function interleaved(program: Program, opts: ExploreOptions, how: { members: number; seed: number; rerun?: boolean }): ExploreResult {
  let seed = how.seed >>> 0 || 1;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const store = new FingerprintStore();
  const first = new StatefulSearch(program, opts, store);
  const members = [first];
  for (let k = 1; k < how.members; k++) members.push(new StatefulSearch(program, opts, store));
  const board: number[][] = [];
  const idle = new Set<StatefulSearch>(members.slice(1));
  let error: ExploreResult['error'];
  let failed: StatefulSearch | null = null;
  try {
    first.start();
    for (;;) {
      if (members.some((m) => m.halted)) break;
      if (how.rerun !== false && members.some((m) => m.found.violations.length > 0)) break;
      for (const m of [...idle]) {
        const path = board.pop();
        if (path === undefined) break;
        idle.delete(m);
        failed = m;
        m.adopt(path);
        failed = null;
      }
      const busy = members.filter((m) => !idle.has(m));
      if (busy.length === 0) break;
      if (idle.size > board.length) {
        const giver = busy[rand(busy.length)]!;
        const path = giver.donate();
        if (path !== null) board.push(path);
      }
      const m = busy[rand(busy.length)]!;
      failed = m;
      if (!m.work(1 + rand(TICK))) if (!m.halted) idle.add(m);
      failed = null;
    }
  } catch (e) {
    error = (failed ?? first).failure(e);
  }
  if (how.rerun !== false && (error !== undefined || members.some((m) => m.found.violations.length > 0))) return rerunAlone(first);
  for (const m of members.slice(1)) {
    absorb(first, reportOf(m, false, false));
    for (const v of m.found.violations) first.found.violations.push(v);
  }
  return first.result(error);
}
