import { evaluatePredicates } from '../check/evaluate.ts';
import type { Loc } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import { alternatives, moveOf, StepError, type Blocked, type Stepped } from '../model/step.ts';
import { Dependence, type EventInfo } from './dependence.ts';
import { stateKey } from './state-key.ts';
import { findRace, raceDetail } from './races.ts';
import { untilThreadsKnown } from './spawns.ts';
import { deadlockDetail, Findings } from './findings.ts';
import { stateBudget, type Clock, type Engine, type ExploreOptions, type ExploreResult, type Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';

/**
 * The reference explorer: every enabled step of every reachable state, no reduction. It is a
 * stateful depth-first search, so each state and each transition is executed once, and the
 * numbers of complete interleavings and of Mazurkiewicz traces are computed exactly by
 * dynamic programming over the state graph instead of by listing paths (lastzero(6) has ~10^8
 * interleavings but ~10^5 states). Covering every transition of every reachable state covers
 * every interleaving for all the properties of DESIGN §3, which are properties of states and
 * transitions. test/explore/naive.test.ts checks the counts against brute-force enumeration.
 */
/** Default state budget of the naive explorer: it keeps a canonical string of 5–9 KB per state. */
const NAIVE_MAX_STATES = 2_000_000;

export const exploreNaive: Engine = (program, opts) => untilThreadsKnown(program, () => new NaiveSearch(program, opts).run());

interface OpenState {
  readonly state: State;
  readonly key: string;
  readonly enabled: readonly Stepped[];
  next: number;
  execs: bigint;
}

class NaiveSearch {
  private readonly memo = new Map<string, bigint | 'open'>();
  private readonly found: Findings;
  private readonly observed = new Set<Loc>();
  private readonly path: number[] = [];
  private readonly pace: Pacer;
  private events = 0;
  private assumeBlocked = 0;
  private assumeRefused = 0;
  private maxDepth = 0;
  private stopped = false;

  constructor(
    private readonly program: Program,
    private readonly opts: ExploreOptions,
  ) {
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs);
    this.found = new Findings(opts);
  }

  private report(v: Violation): void {
    if (this.found.report(v)) this.stopped = true;
  }

  /** Checks a newly reached state; returns its frame, or its execution count for a leaf. */
  private enter(state: State, key: string): OpenState | bigint {
    const p = this.program;
    this.memo.set(key, 'open');
    const reads: Loc[] = [];
    for (const name of evaluatePredicates(p, state.shared, p.invariants, 'invariant', reads)) {
      this.report({ property: name, kind: 'invariant', schedule: [...this.path] });
    }
    for (const name of evaluatePredicates(p, state.shared, p.witnesses, 'witness', reads)) this.found.witnesses.add(name);
    for (const l of reads) this.observed.add(l);
    const enabled: Stepped[] = [];
    const held: Blocked[] = [];
    for (let tid = 0; tid < p.threads.length; tid++) {
      const a = alternatives(p, state, tid);
      for (const o of a.steps) enabled.push(o);
      if (a.held !== null) held.push(a.held);
      this.assumeRefused += a.refused;
    }
    this.events += enabled.length;
    if (this.opts.races) {
      const race = findRace(p, enabled.map((o) => ({ tid: o.tid, fp: o.rec, step: `${o.proc}.${o.label}` })));
      if (race !== null) this.report({ property: 'data-race', kind: 'race', detail: raceDetail(p, race), schedule: [...this.path] });
    }
    if (enabled.length > 0) return { state, key, enabled, next: 0, execs: 0n };
    let execs = 0n;
    if (held.some((b) => b.assumed)) {
      this.assumeBlocked++; // discarded: t.assume restricts the environment (step.ts)
    } else if (held.length === 0) {
      execs = 1n;
      for (const name of evaluatePredicates(p, state.shared, p.finals, 'final')) {
        this.report({ property: name, kind: 'final', schedule: [...this.path] });
      }
      this.found.terminals?.add(this.opts.terminalKey?.(state) ?? key);
    } else {
      this.found.deadlockStates?.add(this.opts.terminalKey?.(state) ?? key);
      if (this.opts.deadlockIsViolation) {
        const stuck = held.map((o) => p.threadName(o.tid));
        this.report({ property: 'deadlock', kind: 'deadlock', detail: deadlockDetail(stuck), schedule: [...this.path] });
      }
    }
    this.memo.set(key, execs);
    return execs;
  }

  /** Time and progress on every transition (see Pacer). */
  private outOfTime(depth: number): boolean {
    const due = this.pace.due();
    if (due === 'time') {
      this.found.cut.add('time');
      return true;
    }
    if (due === 'beat') this.opts.onProgress?.({ executions: 0, events: this.events, depth, elapsedMs: this.pace.elapsed(), states: this.memo.size, phase: 'search' });
    return false;
  }

  run(): ExploreResult {
    const p = this.program;
    const b = this.opts.bounds;
    let totalExecs = 0n;
    let error: ExploreResult['error'];
    try {
      const root = this.enter(p.initial, stateKey(p.initial));
      const stack: OpenState[] = [];
      if (typeof root === 'bigint') totalExecs = root;
      else stack.push(root);
      while (stack.length > 0 && !this.stopped) {
        if (this.outOfTime(stack.length)) break;
        const top = stack[stack.length - 1]!;
        if (top.next === top.enabled.length) {
          stack.pop();
          this.memo.set(top.key, top.execs);
          if (stack.length > 0) stack[stack.length - 1]!.execs += top.execs;
          else totalExecs = top.execs;
          this.path.pop();
          continue;
        }
        const e = top.enabled[top.next++]!;
        this.path.push(moveOf(e.tid, e.alt));
        if (this.path.length > this.maxDepth) this.maxDepth = this.path.length;
        for (const f of e.failures ?? []) {
          this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: [...this.path] });
        }
        const key = stateKey(e.state);
        const known = this.memo.get(key);
        if (known === 'open') {
          this.found.cut.add('cycle'); // an execution that can run forever: spin loops must use t.await
        } else if (known !== undefined) {
          top.execs += known;
        } else if (this.path.length > b.maxDepth) {
          this.found.cut.add('depth');
        } else if (this.memo.size >= stateBudget(b, NAIVE_MAX_STATES)) {
          this.found.cut.add('states');
          break;
        } else {
          const child = this.enter(e.state, key);
          if (typeof child !== 'bigint') {
            stack.push(child);
            continue; // path keeps e.tid while the child is open
          }
          top.execs += child;
        }
        this.path.pop();
      }
    } catch (e) {
      if (!(e instanceof StepError) && !(e instanceof Error)) throw e;
      const schedule = e instanceof StepError ? [...this.path, e.move ?? e.tid] : [...this.path];
      error = { error: e, schedule };
    }
    const complete = this.found.cut.size === 0 && error === undefined;
    let traces: number | null = null;
    let deadlocks = this.found.deadlockStates?.size ?? 0;
    if (complete) {
      // Counting is statistics, not checking: when it runs out of time or room, the verdict of
      // the finished search stands and the trace count is reported as unknown.
      const deadline = this.pace.start + b.timeMs;
      const counts = countTraces(p, new Dependence([...this.observed]), { deadline, clock: this.opts.clock ?? defaultClock, maxEntries: stateBudget(b, NAIVE_MAX_STATES) });
      if (counts !== null) {
        traces = Number(counts.complete);
        deadlocks = Number(counts.deadlock);
      }
    }
    return this.found.result('naive', {
      executions: Number(totalExecs),
      traces,
      deadlocks,
      sleepBlocked: 0,
      events: this.events,
      states: this.memo.size,
      maxDepth: this.maxDepth,
      ...(this.assumeBlocked > 0 ? { assumeBlocked: this.assumeBlocked } : {}),
      ...(this.assumeRefused > 0 ? { assumeRefused: this.assumeRefused } : {}),
    }, error);
  }
}

/**
 * Counts Mazurkiewicz traces of complete (and of deadlocked) executions exactly: a trace is
 * counted through its lexicographic normal form (threads ordered by id). A sequence is in that
 * normal form iff it never runs a thread that sleeps, where running thread t puts to sleep every
 * enabled thread u < t that was not taken and keeps asleep those independent of t's step
 * (Anisimov–Knuth; the sleep-set construction of Godefroid). Memoised on (state, sleep set).
 */
export function countTraces(
  program: Program,
  dep: Dependence,
  limits: { deadline?: number; maxEntries?: number; clock?: Clock } = {},
): { complete: bigint; deadlock: bigint } | null {
  const memo = new Map<string, { complete: bigint; deadlock: bigint }>();
  const deadline = limits.deadline ?? Infinity;
  const maxEntries = limits.maxEntries ?? Infinity;
  // `deadline` is on `clock` (default Date.now); read on every entry, since each runs every thread.
  const clock = limits.clock ?? Date.now;
  // An event is a move (thread and alternative, step.ts moveOf): two alternatives of one step
  // are two events, dependent as all steps of one thread are.
  type Move = EventInfo & { readonly move: number };
  const n = program.threads.length;
  const visit = (state: State, key: string, sleep: readonly Move[]): { complete: bigint; deadlock: bigint } => {
    const mkey = `${key}#${sleep.map((e) => e.move).join(',')}`;
    const hit = memo.get(mkey);
    if (hit !== undefined) return hit;
    if (memo.size >= maxEntries || (deadline !== Infinity && clock() > deadline)) throw OUT_OF_BUDGET;
    const enabled: { ev: Move; next: State }[] = [];
    let allDone = true;
    let assumed = false;
    for (let tid = 0; tid < n; tid++) {
      const a = alternatives(program, state, tid);
      if (!a.done) allDone = false;
      if (a.held?.assumed) assumed = true;
      for (const o of a.steps) enabled.push({ ev: { tid, move: moveOf(tid, o.alt), fp: o.rec, obs: dep.observes(o.rec) }, next: o.state });
    }
    const result = { complete: 0n, deadlock: 0n };
    if (enabled.length === 0) {
      if (allDone) result.complete = 1n;
      else if (!assumed) result.deadlock = 1n;
    } else {
      const asleep = new Set(sleep.map((e) => e.move));
      for (let i = 0; i < enabled.length; i++) {
        const { ev, next } = enabled[i]!;
        if (asleep.has(ev.move)) continue;
        const before = enabled.slice(0, i).map((x) => x.ev).filter((x) => !asleep.has(x.move));
        const childSleep = [...sleep, ...before].filter((q) => !dep.dependent(q, ev)).sort((a, b) => a.move - b.move);
        const r = visit(next, stateKey(next), childSleep);
        result.complete += r.complete;
        result.deadlock += r.deadlock;
      }
    }
    memo.set(mkey, result);
    return result;
  };
  try {
    return visit(program.initial, stateKey(program.initial), []);
  } catch (e) {
    if (e === OUT_OF_BUDGET) return null;
    throw e;
  }
}

const OUT_OF_BUDGET: unique symbol = Symbol('out of budget');
