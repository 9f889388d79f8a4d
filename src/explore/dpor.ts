import { evaluatePredicates } from '../check/evaluate.ts';
import { undoStores, type Recording, type UndoEntry } from '../model/draft.ts';
import { writesWhatIsRead, type Footprint } from '../model/footprint.ts';
import { isPrefix, type Loc } from '../model/location.ts';
import type { Frame, Program, State } from '../model/program.ts';
import { alternatives, branches, eachAlternative, moveOf, NoAlternative, StepError, type Blocked, type Outcome, type Stepped } from '../model/step.ts';
import { Dependence, type EventInfo } from './dependence.ts';
import { EventTable } from './event-table.ts';
import { stateKey } from './state-key.ts';
import { findRace, raceDetail, type PendingAccess } from './races.ts';
import { untilThreadsKnown } from './spawns.ts';
import { profiledStep } from './profile.ts';
import { deadlockDetail, Findings } from './findings.ts';
import type { Engine, ExploreOptions, ExploreResult, Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';
import { insertSequence, sleepCovers, WuNode, type Sequence } from './wakeup-tree.ts';

/**
 * Optimal DPOR: Abdulla, Aronis, Jonsson, Sagonas, "Optimal Dynamic Partial Order Reduction"
 * (POPL'14) and "Source Sets: A Foundation for Optimal DPOR" (JACM'17), Algorithm 2
 * (Optimal-DPOR), over the footprints the model API records. One complete execution per
 * Mazurkiewicz trace, none sleep-set blocked. States are immutable and stay on the DFS stack, so
 * backtracking re-executes nothing.
 *
 * What the paper's setting lacks and this adds (DESIGN §4):
 * - Blocking: a step whose guard is false is not an event. A thread found blocked at a node is a
 *   failed attempt that reads its guard's locations ("pseudo-event", like Nidhugg's failed lock
 *   probes); it races with the writes it read, and reversing such a race schedules the thread
 *   before them. A race whose reversed step would be blocked is not reversible.
 * - Value-dependent steps: a step may read different locations (or block) depending on what it
 *   reads, so the reversed event e' is re-executed in the state E'.notdep would reach (rebuilt by
 *   undoing, from the state before e', the stores of e and of what happens after it).
 * - Choices (`t.choose`): each alternative of a step is its own event of its thread (so dependent
 *   on the others, as program order makes every pair of one thread's events). Races never make
 *   one alternative from another, so wherever a choosing step is taken, its other alternatives
 *   not asleep are added to the node's wakeup tree as branches of their own (addAlternatives);
 *   wakeup-tree and sleep-set matching compare the alternative as well as the thread.
 * - Assumptions (`t.assume`): a thread held by one is blocked like an await; a maximal
 *   execution with such a thread is discarded (assumeBlocked), not a deadlock.
 * - Invariants and witnesses: steps that write locations they read are all mutually dependent
 *   (DESIGN §4, observers), so every equivalent execution passes through the same observed
 *   states. The observed set grows on demand, restarting the search.
 */
export const exploreDpor: Engine = (program, opts) => untilThreadsKnown(program, () => dpor(program, opts));

/**
 * Makes the search for one observed set: alone, or one that gives branches to helper threads
 * (dpor-split.ts). Every restart with a grown observed set makes a new one.
 */
export type DporMaker = (program: Program, opts: ExploreOptions, observed: readonly Loc[], pace: Pacer) => DporSearch;

export function dpor(program: Program, opts: ExploreOptions, make: DporMaker = (...a) => new DporSearch(...a)): ExploreResult {
  let observed = collectInitialObserved(program, opts.observed ?? []);
  const pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs); // one time budget for all restarts
  for (;;) {
    const search = make(program, opts, observed, pace);
    const r = search.run();
    if (search.grownObserved === null) return r;
    observed = search.grownObserved;
  }
}

function collectInitialObserved(program: Program, known: readonly Loc[]): Loc[] {
  const reads: Loc[] = [...known];
  evaluatePredicates(program, program.initial.shared, program.invariants, 'invariant', reads);
  evaluatePredicates(program, program.initial.shared, program.witnesses, 'witness', reads);
  return [...new Set(reads)];
}

/**
 * One executed event of the current execution. Its vector clock is row `position` of
 * DporSearch.vc: vc[position · threads + t] = 1 + position of the latest event of thread t that
 * happens before (or is) this one.
 */
export interface Ev extends EventInfo {
  readonly fp: Recording;
  /** Just the footprint (no undo log), for wakeup trees and sleep sets, which can hold many. */
  readonly info: EventInfo;
  /** Positions of the events this one is in an immediate race with (JACM'17 e ⋖_E e'). */
  readonly races: number[];
}

/** A thread found blocked at a node: its guard reads, and the writes they race with. */
export interface Attempt {
  readonly tid: number;
  /** The alternative of a choosing step that was blocked (0 when it chose nothing). */
  readonly alt: number;
  readonly fp: Recording;
  readonly races: number[];
}

/** What a thread would do next at a node, cached down the stack while nothing it read changes. */
export interface Status {
  readonly outcome: Outcome;
  /** Depth of the node whose state `outcome.state` was computed from. */
  readonly at: number;
}

export interface SearchNode {
  readonly depth: number;
  readonly state: State;
  readonly status: (Status | null)[];
  /** Threads explored or inherited asleep here, with the event they would run (sleep(E)). */
  readonly sleep: EventInfo[];
  /** wut(E). */
  readonly wut: WuNode;
  attempts: Attempt[] | null;
}

/** Ends a search early: a violation it stops on, a bound, an observed-set restart (or, in a split search, a helper's branch cancelled). */
export class Abort extends Error {}

function sameFootprint(a: Footprint, b: Footprint): boolean {
  return sameLocs(a.reads, b.reads) && sameLocs(a.writes, b.writes) && sameLocs(a.navs, b.navs);
}

function sameLocs(x: readonly Loc[], y: readonly Loc[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function nondeterministic(program: Program, tid: number, o: Outcome | null): StepError {
  const where = o !== null && o.kind !== 'done' ? `${o.proc}.${o.label}` : '?';
  return new StepError(
    `thread ${program.threadName(tid)}${where === '?' ? '' : `, step ${where}`}: behaved differently when re-run in the same state (its reads or writes changed)`,
    tid, where.split('.')[0]!, where.split('.')[1] ?? '?',
    'steps must be deterministic: no Math.random(), Date.now(), or state kept outside s and t',
  );
}


/** How many writers an await may have to be moved past before a reversal gives up on it. */
const MAX_EXCLUSION_LEVELS = 64;

export class DporSearch {
  protected readonly dep: Dependence;
  /** Interned events and memoised dependence between them (the relation the tree walks use). */
  protected readonly table: EventTable;
  protected readonly nthreads: number;
  /** The program starts threads (t.spawn): thread ends and joins are dependences (fpOf). */
  private readonly spawns: boolean;
  private readonly evs: Ev[] = [];
  /**
   * Vector clocks of the events on the stack, one row of `nthreads` entries per position (see
   * Ev), plus one spare row past the top for the reversed event of a sequence being inserted.
   * One flat array: a clock per event would be an allocation per event and per reversal, and
   * past 16 entries (64 bytes, lastzero(16)) V8 gives each typed array an off-heap store.
   */
  private vc: Int32Array;
  /** prevPos[p]: position of the previous event of the thread of the event at p (-1: none). */
  private prevPos: Int32Array;
  /** lastPos[t]: position of thread t's latest event on the stack (-1: none). */
  private readonly lastPos: Int32Array;
  /** Scratch for the attempts' race scans (their clocks are not kept). */
  private readonly attemptClock: Int32Array;
  /** Scratch for reverse(): the events left out of a reversal. */
  private excludedBuf = new Uint8Array(64);
  /** Scratch for reverseExcluding(): the sequence v, reused by every reversal. */
  private readonly seq: Sequence;
  protected readonly nodes: SearchNode[] = [];
  protected readonly found: Findings;
  protected executions = 0;
  protected deadlocks = 0;
  protected assumeBlocked = 0;
  protected assumeRefused = 0;
  protected sleepBlocked = 0;
  protected events = 0;
  protected maxDepth = 0;
  /** Set when an invariant or witness read outside the observed set: the caller restarts. */
  grownObserved: Loc[] | null = null;

  constructor(
    protected readonly program: Program,
    private readonly opts: ExploreOptions,
    observed: readonly Loc[],
    private readonly pace: Pacer,
  ) {
    this.dep = new Dependence(observed);
    this.table = new EventTable(this.dep);
    this.nthreads = program.threads.length;
    this.spawns = program.threads.some((t) => t.parent !== null);
    this.found = new Findings(opts);
    this.vc = new Int32Array(64 * this.nthreads);
    this.prevPos = new Int32Array(64);
    this.lastPos = new Int32Array(this.nthreads).fill(-1);
    this.attemptClock = new Int32Array(this.nthreads);
    this.seq = { len: 0, events: [], offsets: new Int32Array(64), vc: this.vc, base: 0, threads: this.nthreads };
  }

  /** Room for clock rows 0 .. rows-1. */
  private ensureRows(rows: number): void {
    if (rows * this.nthreads <= this.vc.length) return;
    let cap = this.prevPos.length;
    while (cap < rows) cap *= 2;
    const vc = new Int32Array(cap * this.nthreads);
    vc.set(this.vc);
    this.vc = vc;
    this.seq.vc = vc;
    const prev = new Int32Array(cap);
    prev.set(this.prevPos);
    this.prevPos = prev;
  }

  protected pushEvent(ev: Ev): void {
    const pos = this.evs.length;
    this.evs.push(ev);
    this.prevPos[pos] = this.lastPos[ev.tid]!;
    this.lastPos[ev.tid] = pos;
  }

  private popEvent(): void {
    const pos = this.evs.length - 1;
    const ev = this.evs.pop()!;
    this.lastPos[ev.tid] = this.prevPos[pos]!;
  }

  run(): ExploreResult {
    const t0 = performance.now();
    let error: ExploreResult['error'];
    try {
      this.search();
    } catch (e) {
      if (e instanceof Abort) {
        // stopped: a violation the caller asked to stop on, a bound, or an observed-set restart
      } else if (e instanceof StepError) {
        error = { error: e, schedule: [...this.schedule(), e.move ?? e.tid] };
      } else if (e instanceof Error && e.name === 'ModelError') {
        error = { error: e, schedule: this.schedule() };
      } else {
        throw e;
      }
    }
    if (this.opts.profile) this.opts.profile.totalMs += performance.now() - t0;
    return this.found.result('dpor', {
      executions: this.executions,
      traces: this.found.cut.size === 0 && error === undefined ? this.executions : null,
      deadlocks: this.deadlocks,
      ...(this.assumeBlocked > 0 ? { assumeBlocked: this.assumeBlocked } : {}),
      ...(this.assumeRefused > 0 ? { assumeRefused: this.assumeRefused } : {}),
      sleepBlocked: this.sleepBlocked,
      events: this.events,
      states: null,
      maxDepth: this.maxDepth,
    }, error);
  }

  /** The whole search, from the initial state. */
  protected search(): void {
    const root: SearchNode = {
      depth: 0,
      state: this.program.initial,
      status: new Array<Status | null>(this.nthreads).fill(null),
      sleep: [],
      wut: new WuNode(null),
      attempts: null,
    };
    this.checkState(root.state);
    this.explore(root);
  }

  // ---------------------------------------------------------------- properties and bounds

  private report(v: Violation): void {
    if (this.found.report(v)) throw new Abort();
  }

  protected schedule(): number[] {
    return this.evs.map((e) => moveOf(e.tid, e.alt ?? 0));
  }

  /** Invariants and witnesses in a newly reached state (throws Abort when the search must restart). */
  private checkState(state: State): void {
    const p = this.program;
    if (p.invariants.length === 0 && p.witnesses.length === 0) return;
    const reads: Loc[] = [];
    const failing = evaluatePredicates(p, state.shared, p.invariants, 'invariant', reads);
    for (const name of evaluatePredicates(p, state.shared, p.witnesses, 'witness', reads)) this.found.witnesses.add(name);
    const obs = this.dep.observed;
    const outside = reads.filter((r) => !obs.some((o) => isPrefix(o, r)));
    if (outside.length > 0) {
      // DESIGN §4: V grew, so the dependence relation changed; start again with the larger V.
      this.grownObserved = [...new Set([...obs, ...outside])];
      throw new Abort();
    }
    for (const name of failing) this.report({ property: name, kind: 'invariant', schedule: this.schedule() });
  }

  /** Time and progress at every node (see Pacer); one node can run every thread's step. */
  protected checkBounds(depth: number): void {
    const due = this.pace.due();
    if (due === 'time') {
      this.found.cut.add('time');
      throw new Abort();
    }
    if (due === 'beat' && this.opts.onProgress) {
      const o = this.others();
      this.opts.onProgress({
        executions: this.executions + (o?.executions ?? 0), events: this.events + (o?.events ?? 0), depth, elapsedMs: this.pace.elapsed(),
        ...(o !== null && o.threads > 1 ? { threads: o.threads } : {}), phase: 'search',
      });
    }
  }

  /** In a split search (dpor-split.ts): what the other threads have explored and not yet handed back, for progress lines. */
  protected others(): { executions: number; events: number; threads: number } | null {
    return null;
  }

  // ---------------------------------------------------------------- the search (Algorithm 2)

  /** Every step the search runs goes through here, so a profile can count and time them. */
  private execute(state: State, move: number): Outcome {
    return profiledStep(this.program, state, move, this.opts.profile);
  }

  /**
   * What a step does for the reduction: its recorded footprint, plus, where threads are
   * started and joined (`t.spawn`, `t.join`), a location per spawned thread that the spawn and
   * the thread's last step write and that every step of the thread and every join of it read.
   * Thread state is no footprint of the draft's, but a thread's steps depend on its start and a
   * join on the thread's end like a read on a write: happens-before, races and sleep sets
   * must see that.
   */
  private fpOf(o: Stepped | Blocked): Recording {
    if (!this.spawns) return o.rec;
    const spawned = this.program.threads[o.tid]!.parent !== null;
    const joined = o.kind === 'step' ? o.joined : o.joins === null ? null : [o.joins];
    const starts = o.kind === 'step' ? o.spawned : null;
    const ends = o.kind === 'step' && spawned && o.state.threads[o.tid]!.length === 0;
    if (!spawned && joined === null && starts === null) return o.rec;
    const reads = [...o.rec.reads, ...(joined ?? []).map((t) => this.threadLoc(t))];
    if (spawned) reads.push(this.threadLoc(o.tid)); // after its start: the spawn writes it
    const writes = [...o.rec.writes, ...(starts ?? []).map((t) => this.threadLoc(t))];
    if (ends) writes.push(this.threadLoc(o.tid)); // before any join of it
    return { ...o.rec, reads, writes };
  }

  /** The location that stands for spawned thread `tid`'s start and end (fpOf). */
  private threadLoc(tid: number): Loc {
    const locs = this.program.locs;
    return locs.child(locs.child(locs.root, '$threads'), String(tid));
  }

  /**
   * The threads' frames after E up to `end` with the events in `excluded` left out: each
   * thread as its last event left (or the spawn that started it) left it. Steps read only their
   * own thread's frames, which are right at node j, except a join, which reads its child's.
   */
  private framesWithout(excluded: Uint8Array, first: number, end: number): readonly (readonly Frame[])[] {
    const threads = this.nodes[first]!.state.threads.slice();
    for (let m = first; m < end; m++) {
      if (excluded[m]) continue;
      const after = this.nodes[m + 1]!.state.threads;
      const tid = this.evs[m]!.tid;
      threads[tid] = after[tid]!;
      const o = this.nodes[m]!.status[tid]?.outcome;
      if (o?.kind === 'step') for (const c of o.spawned ?? []) threads[c] = after[c]!;
    }
    return threads;
  }

  /**
   * Fills in the status of every thread at `node`; a thread newly found blocked is an attempt.
   * A choosing step's status is its first alternative that can run (else its first), and each
   * of its blocked alternatives is an attempt of its own.
   */
  protected evaluate(node: SearchNode): void {
    for (let t = 0; t < this.nthreads; t++) {
      if (node.status[t] !== null) continue;
      let outcome = this.execute(node.state, t);
      if (outcome.kind !== 'done' && outcome.choices !== null) {
        let shown: Outcome | null = null;
        let refused = 0;
        for (const o of eachAlternative(t, (m) => this.execute(node.state, m), outcome)) {
          if (o.kind === 'step') shown ??= o;
          else if (o.kind === 'blocked') {
            (node.attempts ??= []).push({ tid: t, alt: o.alt, fp: this.fpOf(o), races: this.racesOf(t, this.fpOf(o)) });
            if (o.assumed) refused++;
          }
        }
        node.status[t] = { outcome: shown ?? outcome, at: node.depth };
        if (shown !== null) this.assumeRefused += refused;
        continue;
      }
      node.status[t] = { outcome, at: node.depth };
      if (outcome.kind === 'blocked') {
        (node.attempts ??= []).push({ tid: t, alt: 0, fp: this.fpOf(outcome), races: this.racesOf(t, this.fpOf(outcome)) });
      }
    }
  }

  /**
   * Data races among the steps the threads can take at `node` (explore/races.ts). A pair that
   * is co-enabled somewhere is in an immediate race in every execution of its trace, and
   * reversing it reaches a node where both are enabled, so checking the nodes DPOR visits
   * finds it.
   */
  private checkRaces(node: SearchNode): void {
    const pending: PendingAccess[] = [];
    for (let t = 0; t < this.nthreads; t++) {
      const o = node.status[t]!.outcome;
      if (o.kind !== 'step') continue;
      if (o.choices === null) pending.push({ tid: t, fp: o.rec, step: `${o.proc}.${o.label}` });
      else for (const x of alternatives(this.program, node.state, t, (m) => this.execute(node.state, m)).steps) pending.push({ tid: t, fp: x.rec, step: `${x.proc}.${x.label}` });
    }
    const race = findRace(this.program, pending);
    if (race !== null) this.report({ property: 'data-race', kind: 'race', detail: raceDetail(this.program, race), schedule: this.schedule() });
  }

  /** The first move of thread `t` at `node` that can run and is not asleep, as an interned event; null if none. */
  private firstAwake(node: SearchNode, t: number): EventInfo | null {
    const o = node.status[t]!.outcome;
    if (o.kind !== 'step') return null;
    if (o.choices === null) {
      return node.sleep.some((q) => q.tid === t) ? null : this.table.intern(t, this.fpOf(o), this.dep.observes(o.rec));
    }
    for (const x of eachAlternative(t, (m) => this.execute(node.state, m))) {
      if (x.kind !== 'step') continue;
      const alt = x.alt;
      if (!node.sleep.some((q) => q.tid === t && (q.alt ?? 0) === alt)) return this.table.intern(t, this.fpOf(x), this.dep.observes(x.rec), alt, branches(x));
    }
    return null;
  }

  /**
   * A choosing step of thread `t` is being taken at `node`: every other alternative of it that
   * can run joins the node's wakeup tree as the one-event sequence [t/alt], unless a sleeping
   * event is a weak initial of it (JACM'17 Algorithm 2, line 6) or the tree already covers it —
   * the same test a reversed race gets, so no alternative is explored twice.
   */
  private addAlternatives(node: SearchNode, t: number, taken: number): void {
    for (const x of eachAlternative(t, (m) => this.execute(node.state, m))) {
      if (x.kind !== 'step' || x.alt === taken) continue;
      this.insert(node.depth, this.single(this.table.intern(t, this.fpOf(x), this.dep.observes(x.rec), x.alt, branches(x)), node.depth));
    }
  }

  /** The scratch sequence set to the one event `info` right after position `base` (its clock: nothing in v before it). */
  private single(info: EventInfo, base: number): Sequence {
    const v = this.seq;
    const nt = this.nthreads;
    const at = (this.evs.length + 1) * nt; // the spare row: take() has written the row below it
    this.ensureRows(this.evs.length + 2);
    v.vc.fill(0, at, at + nt);
    v.events[0] = info;
    v.offsets[0] = at;
    v.len = 1;
    v.base = base;
    return v;
  }

  /** Explore(E, Sleep, WuT), with E = the events on the stack and `node` its last state. */
  private explore(node: SearchNode): void {
    this.nodes.push(node);
    this.checkBounds(node.depth);
    this.evaluate(node);
    if (this.opts.races) this.checkRaces(node);
    let anyEnabled = false;
    let allDone = true;
    for (const s of node.status) {
      if (s!.outcome.kind === 'step') anyEnabled = true;
      if (s!.outcome.kind !== 'done') allDone = false;
    }
    if (!anyEnabled) {
      // Line 2: E is maximal; lines 3-7 reverse its races.
      this.maximal(node, allDone);
    } else if (node.depth >= this.opts.bounds.maxDepth) {
      this.found.cut.add('depth');
      this.detectRaces();
    } else {
      // Lines 9-13: follow the wakeup tree, or start it with the first enabled thread not asleep.
      if (node.wut.isLeaf) {
        let first: EventInfo | null = null;
        for (let t = 0; t < this.nthreads && first === null; t++) first = this.firstAwake(node, t);
        if (first === null) {
          if (process.env.DBG) console.log("sleepblocked", this.schedule().join(" "), node.sleep.map((q) => `${q.tid}/${q.alt}`));
          this.sleepBlocked++;
          this.nodes.pop();
          return;
        }
        node.wut.append(new WuNode(first));
      }
      // Lines 15-21: explore the leftmost branch, put it to sleep, remove it, repeat.
      while (!node.wut.isLeaf) {
        const branch = node.wut.first!;
        // A branch a helper explored (dpor-split.ts) is taken in by its result, not explored again.
        const info = this.committed(node, branch) ? branch.info! : this.exploreBranch(node, branch);
        node.sleep.push(info); // line 20: add p to sleep(E)
        node.wut.dropFirst(); // line 21: remove p.w from wut(E)
      }
    }
    this.nodes.pop();
  }

  /** Lines 16-19: takes the branch's first event at `node` and explores below it; returns that event. */
  protected exploreBranch(node: SearchNode, branch: WuNode): EventInfo {
    const tid = branch.info!.tid;
    const ev = this.take(node, tid, branch.info!.alt ?? 0);
    this.checkBranch(branch, ev);
    if ((node.status[tid]!.outcome as Stepped).choices !== null) this.addAlternatives(node, tid, ev.alt ?? 0);
    const child: SearchNode = {
      depth: node.depth + 1,
      state: (node.status[tid]!.outcome as Stepped).state,
      status: this.inheritStatus(node, ev),
      sleep: node.sleep.filter((q) => !this.table.dependent(q, ev.info)), // line 17: Sleep'
      wut: branch, // line 18: WuT' = subtree(wut(E), p), shared, not copied
      attempts: null,
    };
    this.pushEvent(ev);
    if (child.depth > this.maxDepth) this.maxDepth = child.depth;
    for (const f of (node.status[tid]!.outcome as Stepped).failures ?? []) {
      this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: this.schedule() });
    }
    if (ev.obs) this.checkState(child.state); // only a store to what they read can change them
    this.explore(child); // line 19
    this.popEvent();
    return ev.info;
  }

  /** Whether `branch` of `node` was explored elsewhere and its result taken in (dpor-split.ts); alone: never. */
  protected committed(_node: SearchNode, _branch: WuNode): boolean {
    return false;
  }

  /** After each maximal execution: where a split search gives work away and takes results in (dpor-split.ts). */
  protected poll(): void {}

  /**
   * Runs thread `tid` at `node`, re-running it if its cached outcome was computed higher up. The
   * re-run must do what the cached run did (nothing it read has changed since): a cheap,
   * continuous check that steps are deterministic.
   */
  protected take(node: SearchNode, tid: number, alt: number): Ev {
    let st = node.status[tid]!;
    if (st.outcome.kind !== 'done' && st.outcome.alt !== alt) {
      st = { outcome: this.execute(node.state, moveOf(tid, alt)), at: node.depth };
      node.status[tid] = st;
    } else if (st.at !== node.depth) {
      const again = this.execute(node.state, moveOf(tid, alt));
      if (again.kind !== st.outcome.kind || (again.kind === 'step' && !sameFootprint(again.rec, (st.outcome as Stepped).rec))) {
        throw nondeterministic(this.program, tid, again);
      }
      st = { outcome: again, at: node.depth };
      node.status[tid] = st;
    }
    const o = st.outcome;
    if (o.kind !== 'step') throw new Error(`internal: the wakeup tree schedules thread ${tid}, which cannot run (${o.kind})`);
    this.events++;
    const pos = this.evs.length;
    // Row `pos` is free until the event is pushed (and the spare row above it stays free).
    this.ensureRows(pos + 2);
    const at = pos * this.nthreads;
    this.clockBefore(tid, pos, this.vc, at);
    const obs = this.dep.observes(o.rec);
    const fp = this.fpOf(o);
    const info = this.table.intern(tid, fp, obs, alt, branches(o));
    const races = this.scanRaces(tid, info, this.vc, at, pos);
    this.vc[at + tid] = pos + 1;
    return { tid, alt, fp, obs, races, info };
  }

  /** A branch of the wakeup tree must run as the step it was computed as (determinism check). */
  private checkBranch(branch: WuNode, ev: Ev): void {
    if (!sameFootprint(branch.info!.fp, ev.fp)) throw nondeterministic(this.program, ev.tid, null);
  }

  /** Statuses the child keeps: those whose outcome cannot have changed (nothing they read was written). */
  protected inheritStatus(node: SearchNode, ev: Ev): (Status | null)[] {
    const after = (node.status[ev.tid]!.outcome as Stepped).state;
    return node.status.map((s, t) => {
      if (t === ev.tid || s === null) return null;
      if (after.threads[t] !== node.state.threads[t]) return null; // started by ev (t.spawn)
      if (s.outcome.kind === 'done') return s;
      if (s.outcome.kind === 'blocked' && s.outcome.joins !== null) return null; // waits on a thread, not on a footprint
      if (s.outcome.choices !== null) return null; // its alternatives read different things: run them again
      return writesWhatIsRead(ev.fp, s.outcome.rec) ? null : s;
    });
  }

  /**
   * Copies into dst[at ..] the clock of thread `tid`'s last event before position `before` (zero
   * if none). `dst` may be this.vc, but not at the row of that event.
   */
  private clockBefore(tid: number, before: number, dst: Int32Array, at: number): void {
    let p = this.lastPos[tid]!;
    while (p >= before) p = this.prevPos[p]!;
    const nt = this.nthreads;
    if (p < 0) dst.fill(0, at, at + nt);
    else copyRow(this.vc, p * nt, dst, at, nt);
  }

  /**
   * Immediate races of a new event (or attempt) of thread `tid` with footprint `fp`, placed at
   * position `pos`: scanning backwards, a dependent event of another thread that is not yet known
   * to happen before it races with it (JACM'17 e ⋖_E e': no event in between in hb order), and
   * its clock joins the new event's clock. The clock is clock[at ..]; it starts as the thread's
   * previous event's clock. `me` is the interned event (thread, footprint, observed).
   */
  private scanRaces(tid: number, me: EventInfo, clock: Int32Array, at: number, pos: number): number[] {
    const races: number[] = [];
    const nt = this.nthreads;
    for (let k = pos - 1; k >= 0; k--) {
      const e = this.evs[k]!;
      if (e.tid === tid || clock[at + e.tid]! >= k + 1) continue;
      if (!this.table.dependent(e.info, me)) continue;
      races.push(k);
      joinClock(clock, at, this.vc, k * nt, nt);
    }
    return races;
  }

  /** Races of the attempt of thread `tid` blocked at the top of the stack (a failed read, never observed). */
  private racesOf(tid: number, fp: Recording): number[] {
    const depth = this.evs.length;
    this.clockBefore(tid, depth, this.attemptClock, 0);
    return this.scanRaces(tid, this.table.intern(tid, fp, false), this.attemptClock, 0, depth);
  }

  // ---------------------------------------------------------------- maximal executions

  private maximal(node: SearchNode, allDone: boolean): void {
    if (process.env.DBG) console.log("max", this.schedule().join(" "), allDone);
    if (allDone) {
      this.executions++;
      this.found.terminals?.add((this.opts.terminalKey ?? stateKey)(node.state));
      const p = this.program;
      for (const name of evaluatePredicates(p, node.state.shared, p.finals, 'final')) {
        this.report({ property: name, kind: 'final', schedule: this.schedule() });
      }
    } else if (node.status.some((s) => s!.outcome.kind === 'blocked' && s!.outcome.assumed)) {
      this.assumeBlocked++; // discarded: t.assume restricts the environment (step.ts)
    } else {
      this.deadlocks++;
      this.found.deadlockStates?.add((this.opts.terminalKey ?? stateKey)(node.state));
      if (this.opts.deadlockIsViolation) {
        const stuck = node.status.map((s, t) => (s!.outcome.kind === 'blocked' ? this.program.threadName(t) : null)).filter((x) => x !== null);
        this.report({ property: 'deadlock', kind: 'deadlock', detail: deadlockDetail(stuck), schedule: this.schedule() });
      }
    }
    if (this.executions + this.deadlocks + this.assumeBlocked >= this.opts.bounds.maxExecutions) {
      this.found.cut.add('executions');
      throw new Abort();
    }
    this.detectRaces();
    this.poll();
  }

  /** Lines 3-7: every race of E, reversed into the wakeup tree of pre(E, e) unless already covered. */
  private detectRaces(): void {
    for (let j = 0; j < this.evs.length; j++) {
      const races = this.evs[j]!.races;
      if (races.length > 0) this.checkBounds(j); // a long execution with many threads has many races to reverse
      for (const i of races) this.reverse(i, j, null);
    }
    for (const node of this.nodes) {
      for (const a of node.attempts ?? []) for (const i of a.races) this.reverse(i, node.depth, a);
    }
  }

  /**
   * Reverses the race between event i and event j (or the attempt of a thread blocked at node j):
   * v = notdep(e_i, E).e_j (JACM'17 Algorithm 2, line 5), inserted at pre(E, e_i) unless a
   * sleeping thread is a weak initial of v (line 6).
   */
  private reverse(i: number, j: number, attempt: Attempt | null): void {
    const ei = this.evs[i]!;
    // For an attempt, v is built from E up to it: it is not part of E, so nothing after it is
    // ordered by it.
    const end = attempt === null ? this.evs.length : j;
    if (this.excludedBuf.length < end) this.excludedBuf = new Uint8Array(Math.max(end, 2 * this.excludedBuf.length));
    // Only [0, end) is read, and reverseExcluding and unblock never write it (unblock copies).
    const excluded = this.excludedBuf;
    excluded.fill(0, 0, end);
    excluded[i] = 1;
    const vc = this.vc;
    const nt = this.nthreads;
    const ti = ei.tid;
    for (let m = i + 1; m < end; m++) if (vc[m * nt + ti]! >= i + 1) excluded[m] = 1;
    const tid = attempt === null ? this.evs[j]!.tid : attempt.tid;
    const alt = attempt === null ? this.evs[j]!.alt ?? 0 : attempt.alt;
    // e_j runs unchanged after notdep when it did not read what e_i wrote: its reads then see the
    // same stores (an event of notdep after e_j cannot write what e_j read, or it would happen
    // after e_j and so after e_i).
    const same = attempt === null && !writesWhatIsRead(ei.fp, this.evs[j]!.fp) ? this.evs[j]!.info : null;
    this.reverseExcluding(excluded, i, end, j, tid, alt, same, 0);
  }

  /**
   * Schedules thread `tid` (as it was at node j) right after E with the events in `excluded`
   * left out, at pre(E, first excluded event). `excluded` is closed under happens-after, so what
   * is left is an execution and its state is the state at `end` with the excluded stores undone
   * (the events left overwrote none of them). When the step would be blocked there, this is the
   * await a busy-waiting DPOR would see fail at that point; that failed read races with the last
   * writers of what its guard read, so each of them is left out too and the reversal is tried
   * again further up (cf. Nidhugg's SEQUENCE races). Returns nothing; inserts into wakeup trees.
   */
  private reverseExcluding(excluded: Uint8Array, first: number, end: number, j: number, tid: number, alt: number, same: EventInfo | null, level: number): void {
    let rev = same;
    if (rev === null) {
      const undo: UndoEntry[] = [];
      for (let m = first; m < end; m++) {
        if (!excluded[m]) continue;
        for (const u of this.evs[m]!.fp.undo) undo.push(u);
      }
      // undoStores applies the list backwards, so later stores are undone first.
      const shared = undoStores(this.nodes[end]!.state.shared, undo);
      const at: State = { shared, threads: this.spawns ? this.framesWithout(excluded, first, end) : this.nodes[j]!.state.threads };
      let o: Outcome;
      try {
        o = this.execute(at, moveOf(tid, alt));
      } catch (e) {
        // The step offers fewer values there: schedule its first alternative; addAlternatives
        // adds the others where it is taken.
        if (!(e instanceof NoAlternative)) throw e;
        alt = 0;
        o = this.execute(at, tid);
      }
      if (o.kind === 'blocked') {
        if (level < MAX_EXCLUSION_LEVELS) this.unblock(excluded, first, end, j, tid, alt, this.fpOf(o), level);
        return;
      }
      if (o.kind !== 'step') return;
      rev = this.table.intern(tid, this.fpOf(o), this.dep.observes(o.rec), alt, branches(o));
    }
    // v = the events after `first` that are left, then the reversed event. The scratch sequence
    // is filled only now: unblock above reverses recursively with the same scratch.
    const v = this.seq;
    const nt = this.nthreads;
    if (v.offsets.length < end - first) v.offsets = new Int32Array(Math.max(end - first, 2 * v.offsets.length));
    const events = v.events;
    const offsets = v.offsets;
    const vc = this.vc;
    let len = 0;
    for (let m = first + 1; m < end; m++) {
      if (excluded[m]) continue;
      events[len] = this.evs[m]!.info;
      offsets[len] = m * nt;
      len++;
    }
    // The clock of the reversed event inside v, in the spare row past the top of the stack: its
    // thread's previous event and every event of v it depends on.
    const at = this.evs.length * nt;
    this.clockBefore(tid, j, vc, at);
    for (let k = 0; k < len; k++) {
      if (!this.table.dependent(events[k]!, rev)) continue;
      joinClock(vc, at, vc, offsets[k]!, nt);
    }
    vc[at + tid] = this.evs.length + 1;
    events[len] = rev;
    offsets[len] = at;
    v.len = len + 1;
    v.base = first;
    this.insert(first, v);
  }

  /**
   * Line 6: v joins the wakeup tree of the node at depth `at` unless a sleeping thread there is
   * a weak initial of it. Returns the branch of that tree that grew (insertSequence), if any.
   */
  protected insert(at: number, v: Sequence): WuNode | null {
    const node = this.nodes[at]!;
    if (sleepCovers(node.sleep, v, this.table)) return null;
    return insertSequence(node.wut, v, this.table);
  }

  /** The guard of `tid` read `guard` and is false after E minus `excluded`: leave out its last writers. */
  private unblock(excluded: Uint8Array, first: number, end: number, j: number, tid: number, alt: number, guard: Recording, level: number): void {
    const nt = this.nthreads;
    // Its own clock: the recursive reversals below reuse every scratch buffer.
    const clock = new Int32Array(nt);
    this.clockBefore(tid, j, clock, 0);
    for (let p = end - 1; p >= 0; p--) {
      if (excluded[p]) continue;
      const e = this.evs[p]!;
      if (e.tid === tid || clock[e.tid]! >= p + 1 || !writesWhatIsRead(e.fp, guard)) continue;
      joinClock(clock, 0, this.vc, p * nt, nt);
      const more = excluded.slice(0, end);
      more[p] = 1;
      for (let m = p + 1; m < end; m++) if (!more[m] && this.vc[m * nt + e.tid]! >= p + 1) more[m] = 1;
      this.reverseExcluding(more, Math.min(first, p), end, j, tid, alt, null, level + 1);
    }
  }
}

/** clock[at ..] := max(clock[at ..], other[from ..]) over n entries (vector-clock join). */
function joinClock(clock: Int32Array, at: number, other: Int32Array, from: number, n: number): void {
  for (let t = 0; t < n; t++) if (other[from + t]! > clock[at + t]!) clock[at + t] = other[from + t]!;
}

function copyRow(src: Int32Array, from: number, dst: Int32Array, at: number, n: number): void {
  for (let t = 0; t < n; t++) dst[at + t] = src[from + t]!;
}
