import { ModelError, UsageError } from '../model/errors.ts';
import { Program } from '../model/program.ts';
import { StepError } from '../model/step.ts';
import { defaultEngine, engines } from '../explore/engines.ts';
import { defaultClock } from '../explore/pace.ts';
import { exploreLiveness } from '../explore/liveness.ts';
import { environmentBounds, resolveBounds, stateBudget, type Bounds, type Clock, type Cut, type Engine, type ExploreResult, type ExploreStats, type Progress, type Violation, type ExploreOptions } from '../explore/types.ts';
import { splitExecutionsFromEnv, splitStatesFromEnv, type SplitContext } from '../explore/split-search.ts';
import { explorePart, wholePart, type Part, type PartResult } from '../explore/part-search.ts';
import { coverageOf, deadSteps, type Coverage } from './coverage.ts';
import { recheckDeterminism } from './reproduce.ts';
import { minimizeNodesFromEnv, minimizeViolation, type Minimization, type MinimizeOptions } from './minimize.ts';
import { didYouMean } from './suggest.ts';
import { describeExpectation, type Spec } from './spec.ts';
import { resolveSearch, searchInfo, type ResolvedSearch, type SearchInfo, type SearchModeOptions } from './search-mode.ts';

/**
 * DESIGN §4 verdicts. VACUOUS: the search was exhaustive and nothing failed, but a witness was
 * never reached, so the PASS would say nothing (the model may not be concurrent at all).
 */
export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE' | 'ERROR' | 'VACUOUS';

export interface CheckOptions extends SearchModeOptions {
  engine?: string;
  /** Bounds that override the spec's own. */
  bounds?: Bounds;
  collectTerminals?: boolean;
  /** Stateful engine: full canonical keys instead of fingerprints (`--exact-states`). */
  exactStates?: boolean;
  /** Stateful engine: symmetry reduction where the model declares it (default true; `--no-symmetry`). */
  symmetry?: boolean;
  /** Stateful engine: spare CPUs a large search may use (the CLI's pool; explore/split-search.ts). */
  split?: SplitContext;
  /** Live figures at least every 200 ms of search and of minimisation (`phase`). */
  onProgress?: (p: Progress) => void;
  /** Milliseconds on a monotonic clock for the time budget and progress (default performance.now); tests inject one. */
  clock?: Clock;
  /**
   * Search on after every violation, whatever the spec expects, so that `violations` lists
   * every violated property (tests). The verdict is still decided against the expectation.
   */
  exhaustive?: boolean;
  /** Minimise the counterexample shown (default true); `false` shows it as the engine found it. */
  minimize?: boolean | MinimizeOptions;
  /**
   * Check only this shard's part of the spec (`--split-spec`; explore/part-search.ts): the
   * result carries `part`, and check/parts.ts merges the parts of every shard.
   */
  part?: Part;
}

export interface CheckResult {
  readonly spec: Spec;
  readonly name: string;
  readonly file: string;
  /** The engine that ran (`auto` resolves to one of the others). */
  readonly engine: string;
  /** The engine asked for (`--engine`, default auto). */
  readonly engineRequested: string;
  /** Why that engine ran, e.g. `auto: stateful; histories converge (…)`. */
  readonly engineWhy: string;
  readonly params: Readonly<Record<string, unknown>>;
  /** The bounds the search ran with (spec's, overridden by the options, then defaults). */
  readonly bounds: Required<Bounds>;
  readonly expected: string;
  readonly verdict: Verdict;
  /** The verdict is the expected one. */
  readonly ok: boolean;
  readonly stats: ExploreStats;
  readonly durationMs: number;
  readonly violations: readonly Violation[];
  /** The violation to show: the expected one if found, else the first; minimised (see `minimization`). */
  readonly violation: Violation | undefined;
  /** How the shown violation's trace relates to the one the engine found. */
  readonly minimization?: Minimization;
  readonly witnessesMissed: readonly string[];
  /** Steps that never ran in a spec with `coverage: 'all'`, which makes its PASS VACUOUS. */
  readonly stepsMissed?: readonly string[];
  /** Which steps ran and which properties were evaluated (absent on ERROR and on specs the CLI cut short). */
  readonly coverage?: Coverage;
  readonly cut: readonly Cut[];
  /** Bounded or random search: what it covered, the seed (absent for the exhaustive engines). */
  readonly search?: SearchInfo;
  readonly error?: { readonly message: string; readonly hint?: string | undefined; readonly schedule?: readonly number[] };
  /** The instantiated model, for rendering traces; absent when it could not be built. */
  readonly program?: Program;
  readonly explore?: ExploreResult;
  /** One shard's part of a split spec (CheckOptions.part): what the merge needs of it. */
  readonly part?: PartResult;
}

const EMPTY_STATS: ExploreStats = { executions: 0, traces: null, deadlocks: 0, sleepBlocked: 0, events: 0, states: null, maxDepth: 0 };

/**
 * Runs one spec with one engine (default `auto`: the stateful engine, or optimal DPOR for
 * tree-like models) and decides its verdict against the
 * expectation. This is what `smpcheck check` does for each spec; use it to check specs from a
 * script or a test.
 *
 * @example
 * ```ts
 * const r = checkSpec(spec({ name: 'falloc_pop/U', model: fallocPop, params: { variant: 'U' }, expect: { fail: 'I-own' } }));
 * r.verdict;               // 'FAIL'
 * r.ok;                    // true: the expected violation was found
 * r.violation?.schedule;   // thread ids of the minimal counterexample, from the initial state
 * ```
 */
export function checkSpec(spec: Spec, opts: CheckOptions = {}): CheckResult {
  const requested = opts.engine ?? defaultEngine;
  if (engines[requested] === undefined) throw new UsageError(`unknown engine '${requested}'${didYouMean(requested, Object.keys(engines))}; choose one of: ${Object.keys(engines).join(', ')}`);
  // --preemptions / --random, or the spec's own, choose the bounded or random engine.
  const mode = resolveSearch(spec, requested, opts);
  const engineName = mode.engine;
  const engine = engines[engineName]!;
  const clock = opts.clock ?? defaultClock;
  // A bad SMPCHECK_* variable is bad configuration (UsageError), not this spec's fault.
  const base = specBase(spec, engineName, opts.bounds);
  if (mode.why !== undefined) base.engineWhy = mode.why;
  const t0 = clock();
  let program: Program;
  try {
    program = new Program(spec.model, base.params);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    return errorResult(base, e, clock() - t0);
  }
  const expected = spec.expect === 'pass' ? null : spec.expect.fail;
  if (expected !== null && program.witnesses.some((w) => w.name === expected)) {
    const message = `spec '${spec.name}': expects a violation of '${expected}', which is a witness of model '${spec.model.name}' (a state that must be reached), not a property that can be violated; ${knownProperties(program)}`;
    return errorResult(base, new ModelError(message), clock() - t0);
  }
  try {
    return search(spec, opts, base, program, engine, expected, clock, t0, mode);
  } catch (e) {
    // One broken spec must not abort the run: the other specs still run and reports are
    // written. Only bad configuration (UsageError) stops everything.
    if (e instanceof UsageError) throw e;
    return { ...errorResult(base, e, clock() - t0), program };
  }
}

/** The parameters a spec's program is built with: the model's defaults, then the spec's own. */
export function specParams(spec: Spec): Record<string, unknown> {
  return { ...spec.model.params, ...(spec.params ?? {}) };
}

/**
 * What a result says of its spec before any search: name, file, engine asked for, parameters,
 * bounds and expectation. The CLI builds the results of specs it cuts short from it too.
 */
export function specBase(spec: Spec, engineName: string, bounds?: Bounds): Base {
  return {
    spec,
    name: spec.name,
    file: spec.site.file,
    engine: engineName,
    engineRequested: engineName,
    engineWhy: `--engine ${engineName}`,
    params: specParams(spec),
    bounds: resolveBounds({ ...spec.bounds, ...bounds }),
    expected: describeExpectation(spec.expect),
  };
}

export type Base = Omit<CheckResult, 'verdict' | 'ok' | 'stats' | 'durationMs' | 'violations' | 'violation' | 'witnessesMissed' | 'stepsMissed' | 'coverage' | 'cut' | 'search'> & { engine: string; engineWhy: string; search?: SearchInfo };

/** The search and the minimisation of its counterexample, under one time budget. */
function search(spec: Spec, opts: CheckOptions, base: Base, program: Program, engine: Engine, expected: string | null, clock: Clock, t0: number, mode: ResolvedSearch): CheckResult {
  const exploreOpts: ExploreOptions = {
    ...(mode.preemptions !== undefined ? { preemptions: mode.preemptions } : {}),
    ...(mode.random !== undefined ? { random: mode.random } : {}),
    bounds: base.bounds,
    deadlockIsViolation: spec.deadlock !== 'allowed',
    races: spec.races === 'error',
    stopOn: opts.exhaustive ? () => false : (prop) => expected === null || prop === expected,
    collectTerminals: opts.collectTerminals ?? false,
    exactStates: opts.exactStates ?? false,
    symmetry: opts.symmetry ?? true,
    ...(opts.split ? { split: opts.split } : {}),
    clock,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  };
  // A shard's part of a split spec: the stateful engine's (DPOR's later subtrees depend on races
  // found in earlier ones, and liveness needs the whole graph: those run whole in every shard).
  const part = opts.part;
  const splittable = part !== undefined && (mode.engine === 'auto' || mode.engine === 'stateful') && !wantsLiveness(spec, program);
  const safety: ExploreResult & { part?: PartResult } = splittable
    ? withPartWhy(explorePart(program, exploreOpts, part))
    : engine(program, exploreOpts);
  const result = withLiveness(spec, program, safety, expected, base.bounds, clock, t0);
  const partResult = part === undefined ? undefined : safety.part ?? wholePart(part);
  base.engine = result.engine;
  if (result.engineWhy !== undefined) base.engineWhy = result.engineWhy;
  const info = searchInfo(result);
  if (info !== undefined) base.search = info;
  if (result.error !== undefined) {
    return { ...errorResult(base, result.error.error, clock() - t0, result.error.schedule), program, explore: result, stats: result.stats };
  }
  const found = result.violations.find((v) => v.property === expected) ?? result.violations[0];
  // Every shown counterexample is minimised, so the same spec always shows the same trace;
  // only a time budget that runs out first shows it as found (minimisation is inside the budget).
  const onProgress = opts.onProgress;
  const minStart = clock(); // minimisation's progress counts from the start of the spec
  // A lasso is shown as the graph search found it: minimisation keeps a finite trace's end state,
  // which says nothing of a cycle.
  const min = found !== undefined && opts.minimize !== false && found.kind !== 'liveness'
    ? minimizeViolation(program, found, {
      exactStates: opts.exactStates ?? false,
      ...(typeof opts.minimize === 'object' ? opts.minimize : {}),
      deadline: t0 + base.bounds.timeMs,
      clock,
      ...(onProgress ? { onProgress: (p: Progress) => onProgress({ ...p, elapsedMs: p.elapsedMs + (minStart - t0) }) } : {}),
    })
    : undefined;
  const violation = min?.violation ?? found;
  // The explorers only sample the determinism check; the counterexample a user is shown is
  // checked step by step, so it is never a story a nondeterministic model told once.
  const unstable = violation !== undefined ? recheckDeterminism(program, violation.schedule) : null;
  if (unstable !== null) {
    return { ...errorResult(base, unstable, clock() - t0, violation!.schedule), program, explore: result, stats: result.stats };
  }
  const durationMs = clock() - t0;
  const violations = result.violations.map((v) => (v === found ? violation! : v));
  const witnessesMissed = program.witnesses.map((w) => w.name).filter((n) => !result.witnessesReached.includes(n));
  const coverage = coverageOf(program);
  const { verdict, stepsMissed, ok } = settle(spec, { violations: result.violations, cut: result.cut, witnessesMissed, stats: result.stats, coverage });
  const checked: CheckResult = {
    ...base,
    verdict,
    ok,
    stats: result.stats,
    durationMs,
    violations,
    violation,
    ...(min ? { minimization: min.minimization } : {}),
    witnessesMissed,
    ...(stepsMissed.length > 0 ? { stepsMissed } : {}),
    coverage,
    cut: result.cut,
    program,
    explore: result,
    ...(partResult ? { part: partResult } : {}),
  };
  // A spec that expects a property the model does not have would otherwise PASS (or FAIL on
  // another property) and look like a checked regression. Assertion names are known only once
  // steps ran them: an exhaustive search has run every step, a cut one may not have.
  if (expected !== null && !ok && !result.cut.some((c) => c !== 'stopped') && !isProperty(program, expected, spec.deadlock !== 'allowed') && !(expected === 'data-race' && spec.races === 'error') && !(expected === 'starvation' && spec.starvation === 'error')) {
    const message = `spec '${spec.name}': expects a violation of '${expected}', but model '${spec.model.name}' has no such property${didYouMean(expected, propertyNames(program))}; ${knownProperties(program)}`;
    return { ...checked, verdict: 'ERROR', ok: false, error: { message, hint: undefined } };
  }
  return checked;
}

/**
 * A verdict from what a search found: FAIL on a violation, INCOMPLETE when a bound cut it,
 * VACUOUS when a witness was never reached, every execution was discarded by `t.assume`, or (with
 * `coverage: 'all'`) a step never ran; else PASS. `ok`: the verdict the spec expects. Used for
 * one search and for the merge of a split spec's parts (parts.ts).
 */
export function settle(spec: Spec, r: { violations: readonly Violation[]; cut: readonly Cut[]; witnessesMissed: readonly string[]; stats: ExploreStats; coverage: Coverage }): { verdict: Verdict; stepsMissed: string[]; ok: boolean } {
  const expected = spec.expect === 'pass' ? null : spec.expect.fail;
  let verdict: Verdict;
  if (r.violations.length > 0) verdict = 'FAIL';
  else if (r.cut.some((c) => c !== 'stopped')) verdict = 'INCOMPLETE';
  else if (r.witnessesMissed.length > 0 || allDiscarded(r.stats)) verdict = 'VACUOUS';
  else verdict = 'PASS';
  // Like a missed witness: a required step that never ran makes the PASS say nothing about it.
  const stepsMissed = verdict !== 'FAIL' && verdict !== 'INCOMPLETE' && spec.coverage === 'all' ? deadSteps(r.coverage) : [];
  if (stepsMissed.length > 0) verdict = 'VACUOUS';
  const ok = expected === null ? verdict === 'PASS' : r.violations.some((v) => v.property === expected);
  return { verdict, stepsMissed, ok };
}

function wantsLiveness(spec: Spec, program: Program): boolean {
  return spec.starvation === 'error' || program.eventually.length > 0 || program.leadsTo.length > 0;
}

function withPartWhy<R extends ExploreResult & { part: PartResult }>(r: R): R {
  const p = r.part;
  const why = p.whole
    ? 'stateful; the whole search in every shard (it ended, or met a violation, before the split point)'
    : `stateful; part ${p.index + 1}/${p.total} of a spec split across shards (--split-spec)`;
  return { ...r, engineWhy: why };
}

/**
 * The liveness properties (starvation, eventually, leadsTo; explore/liveness.ts), checked on
 * the whole state graph once the safety search is complete and found nothing that stops the
 * spec. A safety search that was cut leaves them unchecked: the verdict is INCOMPLETE anyway.
 */
function withLiveness(spec: Spec, program: Program, safety: ExploreResult, expected: string | null, bounds: Required<Bounds>, clock: Clock, t0: number): ExploreResult {
  if (!wantsLiveness(spec, program) || safety.error !== undefined || safety.cut.some((c) => c !== 'stopped')) return safety;
  if (safety.violations.some((v) => expected === null || v.property === expected)) return safety;
  const live = exploreLiveness(program, {
    starvation: spec.starvation === 'error',
    maxStates: stateBudget(bounds, 2_000_000),
    timeMs: Math.max(1, t0 + bounds.timeMs - clock()),
    clock,
  });
  const why = `${safety.engineWhy ?? safety.engine}; liveness on the whole state graph (${live.states} states)`;
  return {
    ...safety,
    violations: [...safety.violations, ...live.violations],
    cut: [...safety.cut, ...live.cut],
    engineWhy: why,
    ...(live.error ? { error: live.error } : {}),
  };
}

/** Every execution ended held by `t.assume`: nothing was checked to the end. */
export function allDiscarded(stats: ExploreStats): boolean {
  return (stats.assumeBlocked ?? 0) > 0 && stats.executions === 0 && stats.deadlocks === 0;
}

function isProperty(program: Program, name: string, deadlockIsViolation: boolean): boolean {
  return (name === 'deadlock' && deadlockIsViolation) || program.invariants.some((p) => p.name === name)
    || program.eventually.some((p) => p.name === name) || program.leadsTo.some((l) => l.name === name)
    || program.finals.some((p) => p.name === name) || program.asserted.has(name);
}

function propertyNames(program: Program): string[] {
  return [...program.invariants.map((p) => p.name), ...program.finals.map((p) => p.name), ...program.asserted, 'deadlock'];
}

/** `its properties: invariants A, B; finals C; assertions seen D; deadlock`, for messages. */
function knownProperties(program: Program): string {
  const part = (what: string, names: readonly string[]) => (names.length > 0 ? [`${what} ${names.join(', ')}`] : []);
  return `its properties: ${[
    ...part('invariants', program.invariants.map((p) => p.name)),
    ...part('finals', program.finals.map((p) => p.name)),
    ...part('assertions seen', [...program.asserted]),
    'deadlock',
  ].join('; ')}`;
}

/**
 * Validates every `SMPCHECK_*` bound variable (the five bounds and SMPCHECK_MINIMIZE_STATES)
 * and returns the bounds they set; throws UsageError naming the first bad one. The CLI calls
 * it before any spec runs, so a typo fails at once, not after the first spec.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env): Bounds {
  const b = environmentBounds(env);
  minimizeNodesFromEnv(env);
  splitStatesFromEnv(env);
  splitExecutionsFromEnv(env);
  return b;
}

function errorResult(base: Base, e: unknown, durationMs: number, schedule?: readonly number[]): CheckResult {
  const known = e instanceof ModelError || e instanceof StepError;
  const text = e instanceof Error ? e.message.split('\n')[0]! : String(e);
  // Anything else is a fault of the checker or a JavaScript error that escaped the model API.
  const message = known ? (e as Error).message : `unexpected error while checking this spec: ${e instanceof Error ? `${e.name}: ` : ''}${text}${process.env.SMPCHECK_DEBUG ? '' : ' (run with --debug for the stack)'}`;
  const hint = e instanceof ModelError ? e.hint : undefined;
  if (!known && process.env.SMPCHECK_DEBUG) console.error(e);
  return {
    ...base,
    verdict: 'ERROR',
    ok: false,
    stats: EMPTY_STATS,
    durationMs,
    violations: [],
    violation: undefined,
    witnessesMissed: [],
    cut: [],
    error: { message, hint, ...(schedule ? { schedule } : {}) },
  };
}
