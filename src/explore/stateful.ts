import { evaluatePredicates, predicateFails } from '../check/evaluate.ts';
import { footprintsConflict, writesWhatIsRead, type Footprint } from '../model/footprint.ts';
import type { Loc } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import type { Renaming } from '../model/symmetry.ts';
import { alternatives, moveOf, StepError, type Blocked, type Outcome, type Stepped } from '../model/step.ts';
import { profiledStep } from './profile.ts';
import { deadlockDetail, Findings } from './findings.ts';
import { combine, hashShared, hashThread, updateShared, type Hash2 } from './fingerprint.ts';
import { stateKey } from './state-key.ts';
import { findRace, raceDetail } from './races.ts';
import { untilThreadsKnown } from './spawns.ts';
import { ExactStore, FingerprintStore, type StateStore } from './state-store.ts';
import { SymmetryReduction } from './symmetry.ts';
import { reuseStep } from './reuse.ts';
import { StepCache } from './step-cache.ts';
import { stateBudget, type Engine, type ExploreOptions, type ExploreResult, type Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';

/** Transitions between two looks at whether other threads can join (split-search.ts). */
const SLICE = 4096;

/**
 * The stateful explorer built for reach (DESIGN §4a): depth-first search with an explicit stack
 * over a visited-state store of 64-bit fingerprints (or full canonical keys with
 * `exactStates`), with sleep sets and state matching (Godefroid, "Partial-Order Methods for
 * the Verification of Concurrent Systems", LNCS 1032, 1996, §5.2 and Fig. 5.2's revisit rule).
 *
 * Sleep sets prune transitions, never states: every reachable state is entered, so invariants
 * and witnesses are evaluated everywhere and need no visibility rule. A transition asleep at a
 * state was taken at an ancestor and is independent of every step since, so it reads what it
 * read there: its assertions, enabledness and successor are the ones already explored. On a
 * revisit with sleep set Z' of a state stored with Z, the transitions in Z \ Z' are explored and
 * Z ∩ Z' is stored. A transition into a visited state ends that path, so cycles terminate and
 * a finished search is complete for safety properties.
 *
 * Threads 32 and up are never put to sleep (the mask is 32 bits): a smaller sleep set only
 * prunes less. test/explore/stateful-vs-naive.test.ts checks the engine against the naive
 * explorer on random programs, with and without sleep sets, exact and fingerprinted.
 */
export const exploreStateful: Engine = (program, opts) => untilThreadsKnown(program, () => new StatefulSearch(program, opts).run());

/** What a shard's part of a split spec keeps of its search (part-search.ts). */
export interface StateRecorder {
  stored(fp: Hash2): void;
  ended(kind: 'terminal' | 'deadlock' | 'discarded', fp: Hash2): void;
}

/** A transition asleep, or explored from the current state: its thread and footprint. */
interface Asleep {
  readonly tid: number;
  readonly fp: Footprint;
  /** `proc.label`, for data-race reports (an asleep transition is enabled where it sleeps). */
  readonly step: string;
}

interface OpenState {
  readonly state: State;
  readonly shared: Hash2;
  readonly threads: readonly Hash2[];
  /** Sleep set the state was entered with (this visit). */
  readonly sleep: readonly Asleep[];
  /** Transitions to take from here, already executed (the last ones may be given away: donate). */
  readonly todo: Stepped[];
  next: number;
  /** Transitions taken from here so far (they join the sleep sets of later siblings). */
  readonly taken: Asleep[];
  /**
   * What each invariant, then each witness, read where its value here was taken (evaluated here
   * or inherited, checkState); null for one not known here (a witness reached, a revisit).
   */
  readonly predReads: readonly (Footprint | null)[] | null;
  /** Per thread, its blocked attempt here when it was run here (sparse). */
  readonly blocked: readonly (Blocked | undefined)[];
  /** Per thread, its step from here when it was run here (sparse). */
  readonly stepped: readonly (Stepped | undefined)[];
}

/** How a state was reached: the parent's open state and the transition taken from it. */
interface Arrival {
  readonly from: OpenState;
  readonly by: Stepped;
}

const NONE: readonly (Footprint | null)[] = Object.freeze([]);

function unionFootprint(a: Footprint, b: Footprint): Footprint {
  return { reads: [...a.reads, ...b.reads], navs: [...a.navs, ...b.navs], writes: [...a.writes, ...b.writes] };
}

export class StatefulSearch {
  readonly found: Findings;
  /** Replaced by a shared store when other threads join (split-search.ts). */
  store: StateStore;
  readonly path: number[] = [];
  private readonly pace: Pacer;
  private readonly sleepSets: boolean;
  events = 0;
  revisits = 0;
  terminals = 0;
  deadlocks = 0;
  assumeBlocked = 0;
  assumeRefused = 0;
  maxDepth = 0;
  /** A violation that stops the search was reported. */
  stopped = false;
  private abandoned = false;
  private readonly maxStates: number;
  private readonly sym: SymmetryReduction | null;
  private readonly reuse: boolean;
  private readonly cache: StepCache | null;

  constructor(
    readonly program: Program,
    readonly opts: ExploreOptions,
    store?: StateStore,
  ) {
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs);
    this.found = new Findings(opts);
    this.store = store ?? (opts.exactStates ? new ExactStore() : new FingerprintStore());
    this.sleepSets = opts.sleepSets ?? true;
    this.reuse = opts.reuseSteps ?? true;
    this.cache = (opts.stepCache ?? true) ? new StepCache(program) : null;
    this.sym = opts.symmetry !== false && program.symmetry !== null ? new SymmetryReduction(program, program.symmetry) : null;
    this.maxStates = stateBudget(opts.bounds, opts.exactStates ? 2_000_000 : 500_000_000);
  }

  private report(v: Violation): void {
    if (this.found.report(v)) this.stopped = true;
  }

  private execute(state: State, move: number): Outcome {
    return this.cache === null ? profiledStep(this.program, state, move, this.opts.profile) : this.cache.step(state, move, this.opts.profile);
  }

  /**
   * Invariants and witnesses of a newly entered state. Properties read only shared state, so
   * one that read nothing the step from the parent (`by`) wrote has its value at the parent,
   * already reported there, and is not evaluated again; nor is a witness already reached
   * (nothing more to learn from it). Returns what each read (OpenState.predReads).
   */
  private checkState(state: State, parent: readonly (Footprint | null)[] | null, by: Footprint | null): readonly (Footprint | null)[] {
    const p = this.program;
    const ni = p.invariants.length;
    const n = ni + p.witnesses.length;
    if (n === 0) return NONE;
    const out: (Footprint | null)[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const was = parent === null ? null : parent[i]!;
      if (was !== null && by !== null && !writesWhatIsRead(by, was)) {
        out[i] = was;
        continue;
      }
      const invariant = i < ni;
      const pred = invariant ? p.invariants[i]! : p.witnesses[i - ni]!;
      if (!invariant && this.found.witnesses.has(pred.name)) {
        out[i] = null;
        continue;
      }
      const reads: Loc[] = [];
      if (predicateFails(p, state.shared, pred, invariant ? 'invariant' : 'witness', reads)) {
        if (invariant) this.report({ property: pred.name, kind: 'invariant', schedule: [...this.path] });
        else this.found.witnesses.add(pred.name);
      }
      out[i] = { reads, navs: [], writes: [] };
    }
    return out;
  }

  /**
   * A state entered for the first time: its properties, then the steps of every thread not
   * asleep. A state with a sleeping transition has an enabled thread, so it is neither
   * terminal nor deadlocked.
   */
  private enter(state: State, shared: Hash2, threads: readonly Hash2[], sleep: readonly Asleep[], via: Arrival | null): OpenState | null {
    const p = this.program;
    const reads = this.checkState(state, via === null ? null : via.from.predReads, via === null ? null : via.by.rec);
    this.sym?.check(state, this.entering);
    let asleep = 0;
    for (const u of sleep) asleep |= 1 << u.tid;
    const todo: Stepped[] = [];
    const blockedHere: (Blocked | undefined)[] = [];
    const steppedHere: (Stepped | undefined)[] = [];
    let allDone = true;
    let held: Blocked[] | null = null;
    for (let tid = 0; tid < p.threads.length; tid++) {
      if (tid < 32 && (asleep & (1 << tid)) !== 0) {
        allDone = false;
        continue;
      }
      // A blocked attempt is a function of its thread's frames and of what its guard read: when
      // the step that led here wrote none of that, the thread is blocked here the same way.
      // Likewise a step independent of the one that led here: see reuse.ts.
      let o: Outcome | undefined;
      if (via !== null && via.by.tid !== tid && state.threads[tid] === via.from.state.threads[tid]) {
        const blockedBefore = via.from.blocked[tid];
        const steppedBefore = via.from.stepped[tid];
        if (blockedBefore !== undefined && blockedBefore.choices === null && blockedBefore.joins === null && !writesWhatIsRead(via.by.rec, blockedBefore.rec)) o = blockedBefore;
        else if (steppedBefore !== undefined && steppedBefore.spawned === null && this.reuse && !footprintsConflict(via.by.rec, steppedBefore.rec)) o = reuseStep(steppedBefore, state, p.freeze);
      }
      o ??= this.execute(state, tid);
      if (o.kind !== 'done' && o.choices !== null) {
        // A choosing step: every alternative is a transition (none is reused, see reuse.ts).
        const a = alternatives(p, state, tid, (m) => (m === tid ? o! : this.execute(state, m)));
        for (const x of a.steps) todo.push(x);
        this.assumeRefused += a.refused;
        if (a.held !== null) o = a.held;
        else o = undefined;
        if (a.steps.length === 1 && a.held === null) steppedHere[tid] = a.steps[0]!;
      } else if (o.kind === 'step') {
        todo.push(o);
        steppedHere[tid] = o;
      }
      if (o === undefined) {
        allDone = false;
        continue;
      }
      if (o.kind === 'blocked') {
        blockedHere[tid] = o;
        (held ??= []).push(o);
      }
      if (o.kind !== 'done') allDone = false;
    }
    this.events += todo.length;
    if (this.opts.races) {
      // Every enabled transition: those run here, and those asleep (taken at an ancestor, unchanged since).
      const pending = [...todo.map((o) => ({ tid: o.tid, fp: o.rec, step: `${o.proc}.${o.label}` })), ...sleep];
      const race = findRace(p, pending);
      if (race !== null) this.report({ property: 'data-race', kind: 'race', detail: raceDetail(p, race), schedule: [...this.path] });
    }
    if (todo.length === 0 && sleep.length === 0) {
      if (held?.some((b) => b.assumed)) {
        this.assumeBlocked++; // discarded: t.assume restricts the environment (step.ts)
        this.recorder?.ended('discarded', this.entering);
      } else if (allDone) {
        this.terminals++;
        this.recorder?.ended('terminal', this.entering);
        for (const name of evaluatePredicates(p, state.shared, p.finals, 'final')) {
          this.report({ property: name, kind: 'final', schedule: [...this.path] });
        }
        this.found.terminals?.add((this.opts.terminalKey ?? stateKey)(state));
      } else {
        this.deadlocks++;
        this.recorder?.ended('deadlock', this.entering);
        this.found.deadlockStates?.add((this.opts.terminalKey ?? stateKey)(state));
        if (this.opts.deadlockIsViolation) {
          this.report({ property: 'deadlock', kind: 'deadlock', detail: deadlockDetail((held ?? []).map((b) => p.threadName(b.tid))), schedule: [...this.path] });
        }
      }
      return null;
    }
    if (todo.length === 0) return null;
    return { state, shared, threads, sleep, todo, next: 0, taken: [], predReads: reads, blocked: blockedHere, stepped: steppedHere };
  }

  /** A visited state reached again with a smaller sleep set: take the transitions in `wake`. */
  private reenter(state: State, shared: Hash2, threads: readonly Hash2[], sleep: readonly Asleep[], wake: number): OpenState | null {
    const todo: Stepped[] = [];
    for (let tid = 0; tid < 32 && tid < this.program.threads.length; tid++) {
      if ((wake & (1 << tid)) === 0) continue;
      // asleep transitions are enabled; anything else is a no-op
      for (const o of alternatives(this.program, state, tid, (m) => this.execute(state, m)).steps) todo.push(o);
    }
    this.events += todo.length;
    if (todo.length === 0) return null;
    return { state, shared, threads, sleep, todo, next: 0, taken: [], predReads: null, blocked: [], stepped: [] };
  }

  /**
   * Time and progress on every transition (see Pacer); memory every 16,384 transitions and on
   * every progress beat, so that slow transitions do not leave it unchecked for minutes.
   */
  outOfBudget(depth: number): boolean {
    const due = this.pace.budget(this.opts.bounds.maxMemoryMB, 16384);
    if (due === 'time' || due === 'memory') {
      this.found.cut.add(due);
      return true;
    }
    if (due === 'beat' && this.opts.onProgress) {
      const o = this.others?.() ?? { terminals: 0, events: 0, frontier: 0, threads: 1 };
      this.opts.onProgress({
        executions: this.terminals + o.terminals, events: this.events + o.events, depth, elapsedMs: this.pace.elapsed(), states: this.store.size,
        frontier: this.untaken() + o.frontier, ...(o.threads > 1 ? { threads: o.threads } : {}), phase: 'search',
      });
    }
    return false;
  }

  /** A shard's part of a split spec (part-search.ts): told of every state stored and every end state. */
  recorder: StateRecorder | null = null;
  /** The fingerprint of the state being entered (for the recorder). */
  private entering: Hash2 = { a: 0, b: 0 };

  /** While split across threads: what the other threads have done so far (progress lines). */
  others: (() => { terminals: number; events: number; frontier: number; threads: number }) | null = null;

  /** Milliseconds since the search started. */
  elapsed(): number {
    return this.pace.elapsed();
  }

  /** Open states, root first; `stack[k]` was reached by `path.slice(0, base + k)`. */
  readonly stack: OpenState[] = [];
  /** Length of the schedule that reached `stack[0]`: 0 from the initial state, more for adopted work. */
  private base = 0;
  /** The search stopped for good (a violation that stops it, a cut, the probe): no more work. */
  halted = false;

  run(): ExploreResult {
    const t0 = performance.now();
    let error: ExploreResult['error'];
    try {
      this.start();
      for (;;) {
        if (!this.work(SLICE)) break;
        const split = this.opts.split;
        // Past the probe (auto decides on one search's figures) and large enough to pay for
        // starting threads: spare CPUs join (split-search.ts). Results do not depend on it (under
        // symmetry too: every state of an orbit has one representative, symmetry.ts canonicalKey).
        if (split !== undefined && !this.opts.exactStates && this.store.size >= split.minStates && (this.opts.probe === undefined || this.store.size > this.opts.probe.states)) {
          const helpers = split.claim();
          if (helpers > 0) return split.search(this, helpers);
        }
      }
    } catch (e) {
      error = this.failure(e);
    }
    if (this.opts.profile) this.opts.profile.totalMs += performance.now() - t0;
    return this.result(error);
  }

  /** A throw out of a step or property, as a result's error with the schedule that led to it. */
  failure(e: unknown): NonNullable<ExploreResult['error']> {
    if (!(e instanceof StepError) && !(e instanceof Error)) throw e;
    const schedule = e instanceof StepError ? [...this.path, e.move ?? e.tid] : [...this.path];
    return { error: e, schedule };
  }

  result(error: ExploreResult['error']): ExploreResult {
    if (this.abandoned) return { ...this.found.result('stateful', this.stats(), error), abandoned: true };
    return this.found.result('stateful', this.stats(), error);
  }

  /** Stores the initial state and opens it. */
  start(): void {
    const p = this.program;
    const init = p.initial;
    const shared0 = hashShared(p.locs, init.shared);
    const threads0 = init.threads.map((f) => hashThread(f));
    const [fp0, canon0] = this.key(init, shared0, threads0, 0);
    this.store.visit(fp0, canon0, 0);
    this.base = 0;
    this.entering = fp0;
    const root = this.enter(init, shared0, threads0, [], null);
    if (root !== null) this.stack.push(root);
  }

  /**
   * Takes up work another searcher gave away (`donate`): the state reached by `schedule` from
   * the initial state, whose last move was not yet taken. It is entered as that searcher would
   * have, with an empty sleep set (a smaller sleep set only prunes less).
   */
  adopt(schedule: readonly number[]): void {
    const p = this.program;
    let state = p.initial;
    let last: Stepped | null = null;
    this.path.length = 0;
    for (const move of schedule) {
      const o = this.execute(state, move);
      if (o.kind !== 'step') throw new Error(`internal: move ${move} of a schedule given away is not a step here (${o.kind})`);
      this.path.push(move);
      state = o.state;
      last = o;
    }
    if (last === null) throw new Error('internal: empty schedule given away');
    if (this.path.length > this.maxDepth) this.maxDepth = this.path.length;
    for (const f of last.failures ?? []) this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: [...this.path] });
    const shared = hashShared(p.locs, state.shared);
    const threads = state.threads.map((f) => hashThread(f));
    const [fp, canon, , r] = this.key(state, shared, threads, 0);
    const old = this.store.visit(fp, canon, 0);
    this.base = this.path.length;
    let child: OpenState | null = null;
    if (old === -1) {
      this.recorder?.stored(fp);
      this.entering = fp;
      child = this.admit(state, shared, threads, [], null);
    }
    else {
      this.revisits++;
      if (old !== 0) child = this.reenter(state, shared, threads, [], this.sym === null ? old : this.sym.toConcrete(old, r));
    }
    if (child !== null) this.stack.push(child);
    else this.path.length = 0;
  }

  /**
   * Gives away one untaken transition of the open state nearest the root (the largest piece of
   * work), as the schedule that takes it; null when there is none. It is not added to its
   * state's taken transitions, so no later sibling sleeps on it: that only prunes less.
   */
  donate(): number[] | null {
    for (let k = 0; k < this.stack.length - 1; k++) {
      const s = this.stack[k]!;
      if (s.next < s.todo.length) {
        const e = s.todo.pop()!;
        return [...this.path.slice(0, this.base + k), moveOf(e.tid, e.alt)];
      }
    }
    return null;
  }

  /** Transitions on the stack not yet taken. */
  untaken(): number {
    let n = 0;
    for (const s of this.stack) n += s.todo.length - s.next;
    return n;
  }

  /**
   * Keeps, of the untaken transitions on the stack (root first, each state's in order), those
   * whose position is `index` modulo `total`: one shard's share of a split spec (part-search.ts).
   * The others are dropped as given away, so no sibling sleeps on them.
   */
  partition(index: number, total: number): void {
    let k = 0;
    for (const s of this.stack) {
      const keep: Stepped[] = [];
      for (let j = s.next; j < s.todo.length; j++, k++) if (k % total === index) keep.push(s.todo[j]!);
      s.todo.length = s.next;
      s.todo.push(...keep);
    }
  }

  /**
   * Explores up to `limit` transitions. Returns true while there is more to do here; false when
   * the stack is empty or the search stopped (`halted`).
   */
  work(limit: number): boolean {
    const b = this.opts.bounds;
    const stack = this.stack;
    for (let n = 0; n < limit; n++) {
      if (this.stopped || this.halted) {
        this.halted = true;
        return false;
      }
      if (stack.length === 0) return false;
      if (this.outOfBudget(this.path.length)) {
        this.halted = true;
        return false;
      }
      const top = stack[stack.length - 1]!;
      if (top.next === top.todo.length) {
        stack.pop();
        this.path.pop();
        continue;
      }
      const e = top.todo[top.next++]!;
      this.path.push(moveOf(e.tid, e.alt));
      if (this.path.length > this.maxDepth) this.maxDepth = this.path.length;
      for (const f of e.failures ?? []) {
        this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: [...this.path] });
      }
      const sleep = this.sleepSets ? this.childSleep(top, e) : [];
      let mask = 0;
      for (const u of sleep) mask |= 1 << u.tid;
      const next = e.state;
      const p = this.program;
      const shared = updateShared(p.locs, top.shared, top.state.shared, next.shared, e.rec.writes);
      const threads = top.threads.slice();
      threads[e.tid] = hashThread(next.threads[e.tid]!);
      for (const c of e.spawned ?? []) threads[c] = hashThread(next.threads[c]!);
      const [fp, canon, cmask, r] = this.key(next, shared, threads, mask);
      const old = this.store.visit(fp, canon, cmask);
      let child: OpenState | null = null;
      if (old === -1) {
        if (this.path.length > b.maxDepth) {
          this.found.cut.add('depth');
        } else {
          this.recorder?.stored(fp);
          this.entering = fp;
          child = this.admit(next, shared, threads, sleep, { from: top, by: e });
          if (this.halted) return false;
        }
      } else {
        this.revisits++;
        const wake = old & ~cmask;
        if (wake !== 0) child = this.reenter(next, shared, threads, sleep, this.sym === null ? wake : this.sym.toConcrete(wake, r));
      }
      // The alternatives of a choosing step are taken one after another: they sleep as one
      // transition of their thread, with the union of their footprints.
      const last = top.taken[top.taken.length - 1];
      if (last !== undefined && last.tid === e.tid) top.taken[top.taken.length - 1] = { tid: e.tid, fp: unionFootprint(last.fp, e.rec), step: last.step };
      else top.taken.push({ tid: e.tid, fp: e.rec, step: `${e.proc}.${e.label}` });
      if (child !== null) stack.push(child);
      else this.path.pop();
    }
    return stack.length > 0;
  }

  /** A newly stored state, within the state budget and the probe: entered; else the search halts. */
  private admit(state: State, shared: Hash2, threads: readonly Hash2[], sleep: readonly Asleep[], via: Arrival | null): OpenState | null {
    const size = this.store.size;
    if (size > this.maxStates) {
      this.found.cut.add('states');
      this.halted = true;
      return null;
    }
    if (size === this.opts.probe?.states && !this.opts.probe.keepGoing({ states: size, events: this.events, revisits: this.revisits })) {
      this.abandoned = true;
      this.halted = true;
      return null;
    }
    return this.enter(state, shared, threads, sleep, via);
  }

  stats(): ExploreResult['stats'] {
    return {
      executions: this.terminals,
      traces: null,
      deadlocks: this.deadlocks,
      ...(this.assumeBlocked > 0 ? { assumeBlocked: this.assumeBlocked } : {}),
      ...(this.assumeRefused > 0 ? { assumeRefused: this.assumeRefused } : {}),
      sleepBlocked: 0,
      events: this.events,
      states: this.store.size,
      maxDepth: this.maxDepth,
      revisits: this.revisits,
      storeBytes: this.store.bytes,
      collisionProbability: this.store.collisionProbability(),
      symmetry: this.sym !== null,
    };
  }

  /**
   * What the store keys a state by: its fingerprint, the state (for exact keys) and its sleep
   * mask, all of the canonical state under symmetry; and the renaming that made it canonical.
   */
  private key(state: State, shared: Hash2, threads: readonly Hash2[], mask: number): [Hash2, State, number, Renaming | null] {
    const concrete = combine(shared, threads);
    if (this.sym === null) return [concrete, state, mask, null];
    const { fp, r } = this.sym.canonicalKey(state, concrete, shared, threads);
    return [fp, this.store.exact ? this.sym.canonical(state, r) : state, this.sym.toCanonical(mask, r), r];
  }

  /**
   * The sleep set after taking `e` from `top`: what slept there, and the siblings taken before
   * `e`, that are independent of `e` (Godefroid Fig. 5.2, line "Sleep' := {t ∈ Sleep | t I e}").
   */
  private childSleep(top: OpenState, e: Stepped): Asleep[] {
    const out: Asleep[] = [];
    for (const u of top.sleep) if (u.tid !== e.tid && !footprintsConflict(u.fp, e.rec)) out.push(u);
    for (const u of top.taken) if (u.tid < 32 && u.tid !== e.tid && !footprintsConflict(u.fp, e.rec)) out.push(u);
    return out;
  }
}
