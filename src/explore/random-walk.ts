import { Random } from 'fast-check';
import { xorshift128plus } from 'pure-rand/generator/xorshift128plus';
import { evaluatePredicates } from '../check/evaluate.ts';
import type { Program, State } from '../model/program.ts';
import { alternatives, moveOf, StepError, type Blocked, type Outcome, type Stepped } from '../model/step.ts';
import { findRace, raceDetail } from './races.ts';
import { profiledStep } from './profile.ts';
import { StepCache } from './step-cache.ts';
import { deadlockDetail, Findings } from './findings.ts';
import { stateKey } from './state-key.ts';
import { untilThreadsKnown } from './spawns.ts';
import type { Engine, ExploreOptions, ExploreResult, RandomSearch, Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';

/**
 * Seeded random search (`--random N --seed S [--pct-depth d]`): N schedules from the initial
 * state, each run to its end (every thread done, a deadlock, or bounds.maxDepth steps), with
 * every invariant and witness checked in every state it passes, every assertion of every step
 * it takes, finals at its end and deadlocks as in the exhaustive engines.
 *
 * - Uniform random walk (no `pctDepth`): at each step, one enabled thread, uniformly.
 * - PCT (`pctDepth` d; Burckhardt, Kothari, Musuvathi, Nagarakatte, "A randomized scheduler
 *   with probabilistic guarantees of finding bugs", ASPLOS 2010): the n threads get random
 *   distinct priorities d, d+1, …, d+n−1; d−1 change points k_1..k_{d−1} are drawn from 1..k,
 *   k the estimated run length; the enabled thread with the highest priority runs, and the
 *   thread that takes step k_i drops to priority i (below every initial priority). A bug of
 *   depth d is found by one schedule with probability at least 1/(n·k^(d−1)).
 *   k is estimated by a first run that always takes the lowest enabled thread (not counted as
 *   a schedule, nothing checked), then is the longest schedule run so far.
 *
 * All randomness comes from one fast-check `Random` over pure-rand's xorshift128+ seeded with
 * S (pure-rand is fast-check's own generator library), drawn in a fixed order: the same seed,
 * model and options give the same schedules, the same first violation and the same
 * counterexample on every machine. Only the time budget can end the run earlier on a slower
 * machine; the report says how many schedules ran. A random search never covers everything:
 * its result always carries cut 'random' (INCOMPLETE unless something failed).
 */
export const exploreRandom: Engine = (program, opts) => untilThreadsKnown(program, () => new RandomRun(program, opts).run());

/** The seed when none is given: fixed, so that a run without --seed repeats (README). */
export const DEFAULT_SEED = 42;
/** Schedules when `--engine random` is given without `--random N`. */
export const DEFAULT_SCHEDULES = 1000;


/** How one schedule picks its next thread. */
interface Scheduler {
  pick(enabled: readonly Stepped[], step: number): Stepped;
  /** Called after step number `step` (1-based) was taken by `tid`. */
  after(tid: number, step: number): void;
}

class RandomRun {
  private readonly found: Findings;
  private readonly pace: Pacer;
  private readonly search: RandomSearch;
  private readonly rng: Random;
  private readonly cache: StepCache | null;
  private events = 0;
  private terminals = 0;
  private deadlocks = 0;
  private assumeBlocked = 0;
  private maxDepth = 0;
  private stopped = false;
  private readonly path: number[] = [];
  /** Estimated run length k for PCT. */
  private k = 1;

  constructor(
    private readonly program: Program,
    private readonly opts: ExploreOptions,
  ) {
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs);
    this.found = new Findings(opts);
    this.search = opts.random ?? { schedules: DEFAULT_SCHEDULES, seed: DEFAULT_SEED };
    this.rng = new Random(xorshift128plus(this.search.seed));
    this.cache = (opts.stepCache ?? true) ? new StepCache(program) : null;
  }

  /**
   * The one place this engine runs a step (a move: thread and `t.choose` alternative). Every
   * thread's step is run at every state of a walk, mostly where it ran before: through a step
   * cache (step-cache.ts), as the stateful engine does.
   */
  private execute(state: State, move: number): Outcome {
    return this.cache === null ? profiledStep(this.program, state, move, this.opts.profile) : this.cache.step(state, move, this.opts.profile);
  }

  /** Every alternative of every thread's step at `state`, and the blocked threads. */
  private moves(state: State): { enabled: Stepped[]; held: Blocked[] } {
    const enabled: Stepped[] = [];
    const held: Blocked[] = [];
    for (let tid = 0; tid < this.program.threads.length; tid++) {
      const a = alternatives(this.program, state, tid, (m) => this.execute(state, m));
      for (const o of a.steps) enabled.push(o);
      if (a.held !== null) held.push(a.held);
    }
    return { enabled, held };
  }

  private report(v: Violation): boolean {
    if (this.found.report(v)) this.stopped = true;
    return true;
  }

  private outOfBudget(): boolean {
    const due = this.pace.budget(this.opts.bounds.maxMemoryMB, 4096);
    if (due === 'time' || due === 'memory') {
      this.found.cut.add(due);
      return true;
    }
    if (due === 'beat') {
      this.opts.onProgress?.({ executions: this.terminals + this.deadlocks, events: this.events, depth: this.path.length, elapsedMs: this.pace.elapsed(), phase: 'search' });
    }
    return false;
  }

  private uniform(): Scheduler {
    return { pick: (enabled) => enabled[this.rng.nextInt(0, enabled.length - 1)]!, after: () => {} };
  }

  private pct(d: number): Scheduler {
    const n = this.program.threads.length;
    // Distinct priorities d..d+n−1 in random order (Fisher–Yates), then d−1 change points in 1..k.
    const pri = Array.from({ length: n }, (_, i) => d + i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.rng.nextInt(0, i);
      [pri[i], pri[j]] = [pri[j]!, pri[i]!];
    }
    const change = new Map<number, number>();
    for (let i = 1; i < d; i++) {
      const at = this.rng.nextInt(1, this.k);
      if (!change.has(at)) change.set(at, i); // two change points on one step: the first one counts
    }
    return {
      pick: (enabled) => {
        // The highest-priority thread; among its alternatives (t.choose), one at random.
        const best = enabled.reduce((a, b) => (pri[b.tid]! > pri[a.tid]! ? b : a)).tid;
        const mine = enabled.filter((o) => o.tid === best);
        return mine.length === 1 ? mine[0]! : mine[this.rng.nextInt(0, mine.length - 1)]!;
      },
      after: (tid, step) => {
        const i = change.get(step);
        if (i !== undefined) pri[tid] = i;
      },
    };
  }

  /** PCT's estimate of the run length: a run that always takes the lowest enabled thread. */
  private estimateLength(): number {
    let state = this.program.initial;
    let steps = 0;
    while (steps < this.opts.bounds.maxDepth) {
      const next: Stepped | undefined = this.moves(state).enabled[0];
      if (next === undefined) break;
      this.events++;
      state = next.state;
      steps++;
    }
    return Math.max(1, steps);
  }

  /** One schedule from the initial state; false when the search must end (stopped or out of budget). */
  private walk(sched: Scheduler): boolean {
    const prog = this.program;
    const b = this.opts.bounds;
    this.path.length = 0;
    let state = prog.initial;
    for (;;) {
      if (this.outOfBudget()) return false;
      for (const name of evaluatePredicates(prog, state.shared, prog.invariants, 'invariant')) {
        this.report({ property: name, kind: 'invariant', schedule: [...this.path] });
      }
      for (const name of evaluatePredicates(prog, state.shared, prog.witnesses, 'witness')) this.found.witnesses.add(name);
      if (this.stopped) return false;
      const { enabled, held } = this.moves(state);
      if (this.opts.races) {
        const race = findRace(prog, enabled.map((o) => ({ tid: o.tid, fp: o.rec, step: `${o.proc}.${o.label}` })));
        if (race !== null) this.report({ property: 'data-race', kind: 'race', detail: raceDetail(prog, race), schedule: [...this.path] });
        if (this.stopped) return false;
      }
      if (enabled.length === 0) {
        if (held.length === 0) {
          this.terminals++;
          for (const name of evaluatePredicates(prog, state.shared, prog.finals, 'final')) {
            this.report({ property: name, kind: 'final', schedule: [...this.path] });
          }
          this.found.terminals?.add((this.opts.terminalKey ?? stateKey)(state));
        } else if (held.some((o) => o.assumed)) {
          this.assumeBlocked++; // discarded: a false t.assume restricts the environment (step.ts)
        } else {
          this.deadlocks++;
          this.found.deadlockStates?.add((this.opts.terminalKey ?? stateKey)(state));
          if (this.opts.deadlockIsViolation) {
            const stuck = held.map((o) => prog.threadName(o.tid));
            this.report({ property: 'deadlock', kind: 'deadlock', detail: deadlockDetail(stuck), schedule: [...this.path] });
          }
        }
        break;
      }
      if (this.path.length >= b.maxDepth) {
        this.found.cut.add('depth');
        break;
      }
      const e = sched.pick(enabled, this.path.length + 1);
      this.events++;
      this.path.push(moveOf(e.tid, e.alt));
      if (this.path.length > this.maxDepth) this.maxDepth = this.path.length;
      for (const f of e.failures ?? []) {
        this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: [...this.path] });
      }
      if (this.stopped) return false;
      sched.after(e.tid, this.path.length);
      state = e.state;
    }
    if (this.path.length > this.k) this.k = this.path.length;
    return !this.stopped;
  }

  run(): ExploreResult {
    const t0 = performance.now();
    let error: ExploreResult['error'];
    let ran = 0;
    let firstViolation: number | null = null;
    const foundAt: Record<string, number> = {};
    const d = this.search.pctDepth;
    try {
      if (d !== undefined) this.k = this.estimateLength();
      while (ran < this.search.schedules) {
        ran++;
        const before = this.found.violations.length;
        const go = this.walk(d === undefined ? this.uniform() : this.pct(d));
        if (firstViolation === null && this.found.violations.length > before) firstViolation = ran;
        for (const v of this.found.violations.slice(before)) foundAt[v.property] ??= ran;
        if (!go) {
          if (this.found.cut.has('time') || this.found.cut.has('memory')) ran--; // that schedule did not finish
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof StepError) && !(e instanceof Error)) throw e;
      const schedule = e instanceof StepError ? [...this.path, e.move ?? e.tid] : [...this.path];
      error = { error: e, schedule };
    }
    this.found.cut.add('random');
    if (this.opts.profile) this.opts.profile.totalMs += performance.now() - t0;
    const result = this.found.result('random', {
      executions: ran,
      traces: null,
      deadlocks: this.deadlocks,
      sleepBlocked: 0,
      events: this.events,
      states: null,
      maxDepth: this.maxDepth,
      ...(this.assumeBlocked > 0 ? { assumeBlocked: this.assumeBlocked } : {}),
    }, error);
    return { ...result, random: { ...this.search, ran, firstViolation, foundAt } };
  }
}
