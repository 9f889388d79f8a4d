import { evaluatePredicates } from '../check/evaluate.ts';
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
import { stateBudget, type Engine, type ExploreOptions, type ExploreResult, type Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';

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
  /** Transitions to take from here, already executed. */
  readonly todo: readonly Stepped[];
  next: number;
  /** Transitions taken from here so far (they join the sleep sets of later siblings). */
  readonly taken: Asleep[];
  /** What the invariants and witnesses read here, when they were evaluated here; else null. */
  readonly predReads: Footprint | null;
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

const NOTHING: Footprint = Object.freeze({ reads: [], navs: [], writes: [] });

function unionFootprint(a: Footprint, b: Footprint): Footprint {
  return { reads: [...a.reads, ...b.reads], navs: [...a.navs, ...b.navs], writes: [...a.writes, ...b.writes] };
}

class StatefulSearch {
  private readonly found: Findings;
  private readonly store: StateStore;
  private readonly path: number[] = [];
  private readonly pace: Pacer;
  private readonly sleepSets: boolean;
  private events = 0;
  private revisits = 0;
  private terminals = 0;
  private deadlocks = 0;
  private assumeBlocked = 0;
  private assumeRefused = 0;
  private maxDepth = 0;
  private stopped = false;
  private abandoned = false;
  private readonly maxStates: number;
  private readonly sym: SymmetryReduction | null;
  private readonly reuse: boolean;

  constructor(
    private readonly program: Program,
    private readonly opts: ExploreOptions,
  ) {
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs);
    this.found = new Findings(opts);
    this.store = opts.exactStates ? new ExactStore() : new FingerprintStore();
    this.sleepSets = opts.sleepSets ?? true;
    this.reuse = opts.reuseSteps ?? true;
    this.sym = opts.symmetry !== false && program.symmetry !== null ? new SymmetryReduction(program, program.symmetry) : null;
    this.maxStates = stateBudget(opts.bounds, opts.exactStates ? 2_000_000 : 500_000_000);
  }

  private report(v: Violation): void {
    if (this.found.report(v)) this.stopped = true;
  }

  private execute(state: State, move: number): Outcome {
    return profiledStep(this.program, state, move, this.opts.profile);
  }

  /** Invariants and witnesses of a newly entered state; returns what they read. */
  private checkState(state: State): Footprint {
    const p = this.program;
    if (p.invariants.length === 0 && p.witnesses.length === 0) return NOTHING;
    const reads: Loc[] = [];
    for (const name of evaluatePredicates(p, state.shared, p.invariants, 'invariant', reads)) {
      this.report({ property: name, kind: 'invariant', schedule: [...this.path] });
    }
    for (const name of evaluatePredicates(p, state.shared, p.witnesses, 'witness', reads)) this.found.witnesses.add(name);
    return { reads, navs: [], writes: [] };
  }

  /**
   * A state entered for the first time: its properties, then the steps of every thread not
   * asleep. A state with a sleeping transition has an enabled thread, so it is neither
   * terminal nor deadlocked.
   */
  private enter(state: State, shared: Hash2, threads: readonly Hash2[], sleep: readonly Asleep[], predReads: Footprint | null, via: Arrival | null): OpenState | null {
    const p = this.program;
    const reads = predReads ?? this.checkState(state);
    this.sym?.check(state);
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
      } else if (allDone) {
        this.terminals++;
        for (const name of evaluatePredicates(p, state.shared, p.finals, 'final')) {
          this.report({ property: name, kind: 'final', schedule: [...this.path] });
        }
        this.found.terminals?.add((this.opts.terminalKey ?? stateKey)(state));
      } else {
        this.deadlocks++;
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
  private outOfBudget(depth: number): boolean {
    const due = this.pace.budget(this.opts.bounds.maxMemoryMB, 16384);
    if (due === 'time' || due === 'memory') {
      this.found.cut.add(due);
      return true;
    }
    if (due === 'beat') {
      this.opts.onProgress?.({ executions: this.terminals, events: this.events, depth, elapsedMs: this.pace.elapsed(), states: this.store.size, phase: 'search' });
    }
    return false;
  }

  run(): ExploreResult {
    const p = this.program;
    const b = this.opts.bounds;
    const t0 = performance.now();
    let error: ExploreResult['error'];
    try {
      const init = p.initial;
      const shared0 = hashShared(p.locs, init.shared);
      const threads0 = init.threads.map((f) => hashThread(f));
      const [fp0, canon0] = this.key(init, shared0, threads0, 0);
      this.store.visit(fp0, canon0, 0);
      const stack: OpenState[] = [];
      const root = this.enter(init, shared0, threads0, [], null, null);
      if (root !== null) stack.push(root);
      while (stack.length > 0 && !this.stopped) {
        if (this.outOfBudget(stack.length)) break;
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
          } else if (this.store.size > this.maxStates) {
            this.found.cut.add('states');
            break;
          } else if (this.store.size === this.opts.probe?.states && !this.opts.probe.keepGoing({ states: this.store.size, events: this.events, revisits: this.revisits })) {
            this.abandoned = true;
            break;
          } else {
            // Properties read only shared state: a step that wrote nothing they read leaves
            // every invariant and witness as it was in the parent, already reported there.
            const inherit = top.predReads !== null && !writesWhatIsRead(e.rec, top.predReads) ? top.predReads : null;
            child = this.enter(next, shared, threads, sleep, inherit, { from: top, by: e });
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
    } catch (e) {
      if (!(e instanceof StepError) && !(e instanceof Error)) throw e;
      const schedule = e instanceof StepError ? [...this.path, e.move ?? e.tid] : [...this.path];
      error = { error: e, schedule };
    }
    if (this.opts.profile) this.opts.profile.totalMs += performance.now() - t0;
    if (this.abandoned) return { ...this.found.result('stateful', this.stats(), error), abandoned: true };
    return this.found.result('stateful', this.stats(), error);
  }

  private stats(): ExploreResult['stats'] {
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
    const r = this.sym.renamingOf(threads);
    return [this.sym.fingerprint(state, r, concrete, shared, threads), this.store.exact ? this.sym.canonical(state, r) : state, this.sym.toCanonical(mask, r), r];
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
