import { totalmem } from 'node:os';
import type { Loc } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import type { StepError } from '../model/step.ts';
import { positiveInteger } from '../check/bound-values.ts';
import type { SplitContext } from './split-search.ts';

/**
 * Limits on a search. Hitting any of them makes the verdict INCOMPLETE, never PASS (DESIGN §4).
 * Defaults come from the environment so CI can tighten them without touching specs.
 */
export interface Bounds {
  /** Most steps in one execution (`SMPCHECK_MAX_DEPTH`, default 2000). */
  maxDepth?: number;
  /** Most complete or blocked executions explored (`SMPCHECK_MAX_EXECUTIONS`). */
  maxExecutions?: number;
  /** Wall-clock budget in milliseconds (`SMPCHECK_TIME_MS`). */
  timeMs?: number;
  /**
   * Most distinct states stored (`SMPCHECK_MAX_STATES`); default 2,000,000 for the naive
   * explorer and the stateful engine's exact mode, 500,000,000 for fingerprints.
   */
  maxStates?: number;
  /** Resident memory budget in MiB (`SMPCHECK_MAX_MEMORY_MB`, default 3/4 of physical memory). */
  maxMemoryMB?: number;
}

/** The names a spec's `bounds` may use. */
export const BOUND_NAMES: readonly (keyof Bounds)[] = ['maxDepth', 'maxExecutions', 'timeMs', 'maxStates', 'maxMemoryMB'];

/** The variable that sets each bound's default. */
export const BOUND_VARIABLES: Readonly<Record<keyof Bounds, string>> = {
  maxDepth: 'SMPCHECK_MAX_DEPTH',
  maxExecutions: 'SMPCHECK_MAX_EXECUTIONS',
  timeMs: 'SMPCHECK_TIME_MS',
  maxStates: 'SMPCHECK_MAX_STATES',
  maxMemoryMB: 'SMPCHECK_MAX_MEMORY_MB',
};

/**
 * The bounds set through `SMPCHECK_*` variables (unset or empty: not set). A value that is not
 * a positive integer is a UsageError naming the variable: `SMPCHECK_MAX_DEPTH=abc` must not
 * become an unbounded (NaN) or meaningless search.
 */
export function environmentBounds(env: NodeJS.ProcessEnv = process.env): Bounds {
  const out: Bounds = {};
  for (const k of BOUND_NAMES) {
    const name = BOUND_VARIABLES[k];
    const v = env[name];
    if (v !== undefined && v !== '') out[k] = positiveInteger(name, v);
  }
  return out;
}

export function resolveBounds(b: Bounds = {}): Required<Bounds> {
  const env = environmentBounds();
  return {
    maxDepth: b.maxDepth ?? env.maxDepth ?? 2000,
    maxExecutions: b.maxExecutions ?? env.maxExecutions ?? Infinity,
    timeMs: b.timeMs ?? env.timeMs ?? Infinity,
    maxStates: b.maxStates ?? env.maxStates ?? Infinity,
    maxMemoryMB: b.maxMemoryMB ?? env.maxMemoryMB ?? Math.floor((totalmem() * 0.75) / 2 ** 20),
  };
}

/** The state budget a store-keeping engine uses: the bound when one is set, else its own default. */
export function stateBudget(b: Required<Bounds>, engineDefault: number): number {
  return Number.isFinite(b.maxStates) ? b.maxStates : engineDefault;
}

/**
 * Why a search did not cover everything; 'interrupted' is the CLI's (SIGINT/SIGTERM).
 * 'preemptions': the preemption bound refused a schedule the unbounded search would have
 * explored (preemption-bounded.ts); 'random': a random search covers only the schedules it ran.
 */
export type Cut = 'depth' | 'executions' | 'time' | 'states' | 'memory' | 'cycle' | 'stopped' | 'interrupted' | 'preemptions' | 'random';

/** `--random N --seed S [--pct-depth d]`: N seeded random schedules, uniform or PCT (random-walk.ts). */
export interface RandomSearch {
  readonly schedules: number;
  readonly seed: number;
  /** PCT with d − 1 priority change points (Burckhardt et al., ASPLOS 2010); absent: uniform random walks. */
  readonly pctDepth?: number;
}

export type ViolationKind = 'assertion' | 'invariant' | 'final' | 'deadlock' | 'race' | 'liveness';

/** A property violation and the schedule (thread ids, from the initial state) that shows it. */
export interface Violation {
  readonly property: string;
  readonly kind: ViolationKind;
  readonly detail?: string | undefined;
  /**
   * For an assertion the last step is the one that failed; for an invariant, a final property
   * or a deadlock, the state after the whole schedule is the bad one.
   */
  readonly schedule: readonly number[];
  /**
   * A liveness violation's lasso: `schedule[loop..]` is a cycle that repeats forever (it ends
   * in the state it started from). Absent for a finite counterexample.
   */
  readonly loop?: number;
}

export interface ExploreStats {
  /** DPOR: complete executions explored. Naive: complete interleavings (exact count). */
  executions: number;
  /** Mazurkiewicz traces of complete executions (naive: counted; DPOR: one per execution). */
  traces: number | null;
  /** Deadlocked executions (DPOR) or deadlocked traces (naive). */
  deadlocks: number;
  /**
   * Executions (DPOR) or end states (naive, stateful) discarded by `t.assume`: no thread could
   * move and one was held by a false assumption. Absent when there were none.
   */
  assumeBlocked?: number;
  /**
   * Alternatives of choosing steps that a false `t.assume` refused while other alternatives
   * ran (per state for naive and stateful, per node for DPOR). Absent when there were none.
   */
  assumeRefused?: number;
  /** Sleep-set-blocked explorations (0 for optimal DPOR; not applicable to naive). */
  sleepBlocked: number;
  /** Steps executed by the explorer. */
  events: number;
  /** Distinct states (naive and stateful). */
  states: number | null;
  /** Longest execution seen. */
  maxDepth: number;
  /** Stateful: transitions that reached a state already stored. */
  revisits?: number;
  /** Stateful: bytes held by the visited-state store. */
  storeBytes?: number;
  /** Stateful: probability that a fingerprint collision omitted a state (0 in exact mode). */
  collisionProbability?: number;
  /** Stateful: states were stored up to the model's declared thread symmetry. */
  symmetry?: boolean;
  /**
   * Stateful: threads that shared the search (split-search.ts); absent when one did. With
   * transitions, revisits, depth and store bytes it depends on the machine; states, end states
   * and deadlocks do not.
   */
  threads?: number;
}

export interface ExploreOptions {
  bounds: Required<Bounds>;
  /** A deadlock is a violation of property `deadlock` (else: threads may park forever). */
  deadlockIsViolation: boolean;
  /** Report data races as violations of property `data-race` (explore/races.ts; spec `races: 'error'`). */
  races?: boolean;
  /** Stop the whole search once this property is violated. */
  stopOn: (property: string) => boolean;
  /** Collect canonical keys of terminal states (tests compare engines with them). */
  collectTerminals?: boolean;
  /** The key collected for a terminal or deadlocked state (default: stateKey; tests of symmetry pass an orbit key). */
  terminalKey?: (state: State) => string;
  /** Locations invariants and witnesses read, known up front (the rest is discovered). */
  observed?: readonly Loc[];
  /**
   * Called with live figures at least every PROGRESS_MS of search (from the first event on),
   * for progress lines.
   */
  onProgress?: (p: Progress) => void;
  /** Milliseconds on a monotonic clock (default performance.now); tests inject one. */
  clock?: Clock;
  /** When given, filled with where the time went (benchmarks). */
  profile?: Profile;
  /** Stateful engine: store full canonical keys instead of 64-bit fingerprints. */
  exactStates?: boolean;
  /** Stateful engine: reuse independent steps instead of re-running them (default on; see reuse.ts). */
  reuseSteps?: boolean;
  /** Stateful engine: rebuild a step's outcome from an earlier run that read the same values (default on; see step-cache.ts). */
  stepCache?: boolean;
  /** Stateful engine: symmetry reduction where the model declares one (default on). */
  symmetry?: boolean;
  /** Stateful engine: sleep sets with state matching (default on; off for differential tests). */
  sleepSets?: boolean;
  /**
   * Stateful engine: when `states` distinct states are stored and the search is not finished,
   * ask `keepGoing`; on false the search is abandoned (`abandoned` in the result).
   */
  probe?: { readonly states: number; keepGoing(figures: { states: number; events: number; revisits: number }): boolean };
  /** Preemption-bounded engine: the bound K, or 'auto' (0, 1, 2, … until the time budget). */
  preemptions?: number | 'auto';
  /** Random engine: how many schedules, the seed, uniform or PCT. */
  random?: RandomSearch;
  /** Stateful engine: spare CPUs it may use once the search is large (split-search.ts; the CLI sets it). */
  split?: SplitContext;
}

/** Time split of a search, filled in when asked for (`npm run bench`). */
export interface Profile {
  /** Steps executed, counting re-runs and steps run for reversed races. */
  steps: number;
  /** Milliseconds inside step execution (the model's code under the recording draft). */
  stepMs: number;
  /** Milliseconds of the whole search; the rest is the explorer's own bookkeeping. */
  totalMs: number;
}

export interface Progress {
  readonly executions: number;
  readonly events: number;
  readonly depth: number;
  readonly elapsedMs: number;
  /** Distinct states stored so far (stateful engines). */
  readonly states?: number;
  /** Stateful engine: transitions found but not yet taken (its search stacks' open work, as TLC's queue). */
  readonly frontier?: number;
  /** Threads searching this spec, when more than one (split-search.ts, dpor-split.ts). */
  readonly threads?: number;
  /** What is running: the search (default) or the minimisation of its counterexample. */
  readonly phase?: 'search' | 'minimize';
}

export interface ExploreResult {
  readonly engine: string;
  readonly stats: ExploreStats;
  /** First violation found of each property, in discovery order. */
  readonly violations: Violation[];
  readonly witnessesReached: string[];
  readonly cut: Cut[];
  /** Terminal states (all threads finished), as canonical keys, when asked for. */
  readonly terminals?: Set<string>;
  /** Deadlocked states, as canonical keys, when asked for. */
  readonly deadlockStates?: Set<string>;
  /** Why this engine ran (`--engine auto` explains its choice). */
  readonly engineWhy?: string;
  /** The stateful engine gave up at its probe (see ExploreOptions.probe): no verdict. */
  readonly abandoned?: boolean;
  /** The model broke: a step or property threw. */
  readonly error?: { readonly error: StepError | Error; readonly schedule: readonly number[] };
  /**
   * Preemption-bounded engine: the bound asked for (null: auto), and the largest k such that
   * every schedule with at most k preemptions was explored (null: not even k = 0).
   */
  readonly preemptions?: { readonly bound: number | null; readonly complete: number | null };
  /**
   * Random engine: what ran, the schedule (1-based) that showed the first violation, and per
   * violated property the schedule that first showed it.
   */
  readonly random?: RandomSearch & { readonly ran: number; readonly firstViolation: number | null; readonly foundAt: Readonly<Record<string, number>> };
}

/** A monotonic clock in milliseconds. */
export type Clock = () => number;

export type Engine = (program: Program, opts: ExploreOptions) => ExploreResult;
