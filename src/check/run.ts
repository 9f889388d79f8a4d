import { ModelError } from '../model/errors.ts';
import { Program } from '../model/program.ts';
import { StepError } from '../model/step.ts';
import { defaultEngine, engines } from '../explore/engines.ts';
import { resolveBounds, type Bounds, type Cut, type ExploreResult, type ExploreStats, type Progress, type Violation } from '../explore/types.ts';
import { minimizeViolation, type Minimization, type MinimizeOptions } from './minimize.ts';
import { describeExpectation, type Spec } from './spec.ts';

/**
 * DESIGN §4 verdicts. VACUOUS: the search was exhaustive and nothing failed, but a witness was
 * never reached, so the PASS would say nothing (the model may not be concurrent at all).
 */
export type Verdict = 'PASS' | 'FAIL' | 'INCOMPLETE' | 'ERROR' | 'VACUOUS';

export interface CheckOptions {
  engine?: string;
  /** Bounds that override the spec's own. */
  bounds?: Bounds;
  collectTerminals?: boolean;
  /** Stateful engine: full canonical keys instead of fingerprints (`--exact-states`). */
  exactStates?: boolean;
  /** Stateful engine: symmetry reduction where the model declares it (default true; `--no-symmetry`). */
  symmetry?: boolean;
  onProgress?: (p: Progress) => void;
  /** Minimise the counterexample shown (default true); `false` shows it as the engine found it. */
  minimize?: boolean | MinimizeOptions;
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
  readonly cut: readonly Cut[];
  readonly error?: { readonly message: string; readonly hint?: string | undefined; readonly schedule?: readonly number[] };
  /** The instantiated model, for rendering traces; absent when it could not be built. */
  readonly program?: Program;
  readonly explore?: ExploreResult;
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
  const engineName = opts.engine ?? defaultEngine;
  const engine = engines[engineName];
  if (engine === undefined) throw new Error(`unknown engine '${engineName}'`);
  const params = { ...spec.model.params, ...(spec.params ?? {}) };
  const base: Omit<CheckResult, 'verdict' | 'ok' | 'stats' | 'durationMs' | 'violations' | 'violation' | 'witnessesMissed' | 'cut'> & { engine: string; engineWhy: string } = {
    spec,
    name: spec.name,
    file: spec.site.file,
    engine: engineName,
    engineRequested: engineName,
    engineWhy: `--engine ${engineName}`,
    params,
    bounds: resolveBounds({ ...spec.bounds, ...opts.bounds }),
    expected: describeExpectation(spec.expect),
  };
  const t0 = performance.now();
  let program: Program;
  try {
    program = new Program(spec.model, params);
  } catch (e) {
    return errorResult(base, e, performance.now() - t0);
  }
  const expected = spec.expect === 'pass' ? null : spec.expect.fail;
  const result = engine(program, {
    bounds: base.bounds,
    deadlockIsViolation: spec.deadlock !== 'allowed',
    stopOn: (prop) => expected === null || prop === expected,
    collectTerminals: opts.collectTerminals ?? false,
    exactStates: opts.exactStates ?? false,
    symmetry: opts.symmetry ?? true,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  const durationMs = performance.now() - t0;
  base.engine = result.engine;
  if (result.engineWhy !== undefined) base.engineWhy = result.engineWhy;
  if (result.error !== undefined) {
    return { ...errorResult(base, result.error.error, durationMs, result.error.schedule), program, explore: result, stats: result.stats };
  }
  const found = result.violations.find((v) => v.property === expected) ?? result.violations[0];
  // Every shown counterexample is minimised, so the same spec always shows the same trace.
  const min = found !== undefined && opts.minimize !== false
    ? minimizeViolation(program, found, typeof opts.minimize === 'object' ? opts.minimize : {})
    : undefined;
  const violation = min?.violation ?? found;
  const violations = result.violations.map((v) => (v === found ? violation! : v));
  const witnessesMissed = program.witnesses.map((w) => w.name).filter((n) => !result.witnessesReached.includes(n));
  const realCut = result.cut.filter((c) => c !== 'stopped');
  let verdict: Verdict;
  if (result.violations.length > 0) verdict = 'FAIL';
  else if (realCut.length > 0) verdict = 'INCOMPLETE';
  else if (witnessesMissed.length > 0) verdict = 'VACUOUS';
  else verdict = 'PASS';
  const ok = expected === null ? verdict === 'PASS' : result.violations.some((v) => v.property === expected);
  return {
    ...base,
    verdict,
    ok,
    stats: result.stats,
    durationMs,
    violations,
    violation,
    ...(min ? { minimization: min.minimization } : {}),
    witnessesMissed,
    cut: result.cut,
    program,
    explore: result,
  };
}

function errorResult(base: Omit<CheckResult, 'verdict' | 'ok' | 'stats' | 'durationMs' | 'violations' | 'violation' | 'witnessesMissed' | 'cut'>, e: unknown, durationMs: number, schedule?: readonly number[]): CheckResult {
  const message = e instanceof Error ? e.message : String(e);
  const hint = e instanceof ModelError ? e.hint : undefined;
  if (!(e instanceof ModelError) && !(e instanceof StepError) && process.env.SMPCHECK_DEBUG) console.error(e);
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
