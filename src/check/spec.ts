import type { Model } from '../model/define.ts';
import { ModelError, UsageError } from '../model/errors.ts';
import { positiveInteger } from './bound-values.ts';
import { callerSite, type SourceSite } from '../model/source.ts';
import { BOUND_NAMES, type Bounds } from '../explore/types.ts';
import { didYouMean } from './suggest.ts';
import { checkSpecSearchMode } from './search-mode.ts';

/**
 * What a spec expects: `'pass'` (every property holds, every witness reached), or a violation
 * of one named property — an assertion, invariant or final property of the model, or
 * `'deadlock'`. A spec that expects a violation keeps a known bug as a regression test.
 */
export type Expectation<N extends string = string> = 'pass' | { readonly fail: N };

/**
 * `N`: the property names the model's type carries (its invariants, finals, declared
 * assertions and `'deadlock'`), so that `expect: { fail: 'I-ownn' }` is a compile error.
 */
export interface SpecDef<P extends object, N extends string = string> {
  /** Unique name, shown in reports and matched by `--filter`, e.g. `'falloc_pop/U'`. */
  name: string;
  model: Model<P, any, N>;
  /** Overrides of the model's default parameters (cores, frames, variant, ...). */
  params?: Partial<P>;
  expect: Expectation<NoInfer<N>>;
  bounds?: Bounds;
  /** `'allowed'` when threads may legitimately park forever; default `'violation'`. */
  deadlock?: 'violation' | 'allowed';
  description?: string;
  /** `'all'`: every step of the model must run in an exhaustive search, else the PASS is VACUOUS. */
  coverage?: 'all';
  /**
   * `'error'`: a data race (two threads that can access the same location next, one writing,
   * neither atomically: the model's `atomics`) is a violation of property `data-race`.
   * Default `'ignore'`.
   */
  races?: 'error' | 'ignore';
  /**
   * `'error'`: a thread that waits forever on a fair execution (blocked while the others go
   * on, or stuck when nothing can move) is a violation of liveness property `starvation`.
   */
  starvation?: 'error' | 'ignore';
  /** Check with preemption-bounded search instead (README, "When exhaustive search is out of reach"). */
  preemptions?: number | 'auto';
  /** Check with seeded random schedules instead: uniform, or PCT with `pctDepth`. */
  random?: { schedules?: number; seed?: number; pctDepth?: number };
}

export interface Spec<P extends object = any> extends Readonly<SpecDef<P>> {
  readonly kind: 'spec';
  /** Where `spec(...)` was called, so reports can name the file. */
  readonly site: SourceSite;
}

/**
 * Pairs a model variant with parameters, bounds and the expected verdict. Spec files export
 * specs (as the default export, named exports, or arrays of them); `smpcheck check` runs them.
 *
 * @example
 * ```ts
 * export default [
 *   spec({ name: 'falloc_pop/U', model: fallocPop, params: { variant: 'U' }, expect: { fail: 'I-own' } }),
 *   spec({ name: 'falloc_pop/L', model: fallocPop, params: { variant: 'L' }, expect: 'pass' }),
 * ];
 * ```
 */
export function spec<P extends object, N extends string = string>(def: SpecDef<P, N>): Spec<P> {
  if (typeof def.name !== 'string' || def.name === '') throw new ModelError('a spec needs a name');
  const where = `spec '${def.name}'`;
  unknownKeys(where, 'key', def, SPEC_KEYS, 'a spec takes');
  if (def.model?.kind !== 'model') throw new ModelError(`${where}: model must be a defineModel(...) result`);
  const e = def.expect as unknown;
  if (e !== 'pass' && !(typeof e === 'object' && e !== null && typeof (e as { fail?: unknown }).fail === 'string')) {
    throw new ModelError(`${where}: expect must be 'pass' or { fail: '<property>' }`);
  }
  if (def.params !== undefined) {
    if (typeof def.params !== 'object' || def.params === null || Array.isArray(def.params)) {
      throw new ModelError(`${where}: params must be an object of the model's parameters, e.g. { cores: 2 }`);
    }
    // A misspelt parameter would silently check the default configuration instead.
    const known = Object.keys(def.model.params ?? {});
    for (const k of Object.keys(def.params)) {
      if (known.includes(k)) continue;
      const takes = known.length === 0 ? 'takes no parameters' : `takes: ${known.join(', ')}`;
      throw new ModelError(`${where}: unknown parameter '${k}'${didYouMean(k, known)}; model '${def.model.name}' ${takes}`);
    }
  }
  if (def.deadlock !== undefined && def.deadlock !== 'violation' && def.deadlock !== 'allowed') {
    const got = String(def.deadlock as unknown);
    throw new ModelError(`${where}: deadlock must be 'violation' or 'allowed', got '${got}'${didYouMean(got, ['violation', 'allowed'])}`);
  }
  if (def.coverage !== undefined && def.coverage !== 'all') {
    const got = String(def.coverage as unknown);
    throw new ModelError(`${where}: coverage must be 'all' (every step must run), got '${got}'${didYouMean(got, ['all'])}`);
  }
  if (def.races !== undefined && def.races !== 'error' && def.races !== 'ignore') {
    const got = String(def.races as unknown);
    throw new ModelError(`${where}: races must be 'error' (a data race is a violation) or 'ignore', got '${got}'${didYouMean(got, ['error', 'ignore'])}`);
  }
  if (def.starvation !== undefined && def.starvation !== 'error' && def.starvation !== 'ignore') {
    const got = String(def.starvation as unknown);
    throw new ModelError(`${where}: starvation must be 'error' (a thread waiting forever is a violation) or 'ignore', got '${got}'${didYouMean(got, ['error', 'ignore'])}`);
  }
  if (e !== 'pass' && (e as { fail: string }).fail === 'starvation' && def.starvation !== 'error') {
    throw new ModelError(`${where}: expect { fail: 'starvation' } needs starvation: 'error' in the spec, which turns that liveness check on`);
  }
  if (e !== 'pass' && (e as { fail: string }).fail === 'data-race' && def.races !== 'error') {
    throw new ModelError(`${where}: expect { fail: 'data-race' } needs races: 'error' in the spec, which turns data-race detection on`);
  }
  if (e !== 'pass' && (e as { fail: string }).fail === 'deadlock' && def.deadlock === 'allowed') {
    throw new ModelError(`${where}: expect { fail: 'deadlock' } contradicts deadlock: 'allowed', under which a deadlock is no violation; remove one of the two`);
  }
  checkSpecSearchMode(where, def);
  if (def.bounds !== undefined) {
    if (typeof def.bounds !== 'object' || def.bounds === null || Array.isArray(def.bounds)) {
      throw new ModelError(`${where}: bounds must be an object, e.g. { maxDepth: 200 }`);
    }
    unknownKeys(where, 'bound', def.bounds, BOUND_NAMES, 'bounds are');
    for (const [k, v] of Object.entries(def.bounds)) {
      if (v === undefined) continue;
      const source = `${where}: bounds.${k}`;
      // positiveInteger accepts the digits of a flag or variable; in a spec a bound is a number.
      if (typeof v !== 'number') throw new UsageError(`${source} must be a positive integer, got ${typeof v} '${String(v)}'`);
      positiveInteger(source, v);
    }
  }
  return Object.freeze({ ...def, kind: 'spec', site: callerSite() });
}

const SPEC_KEYS = ['name', 'model', 'params', 'expect', 'bounds', 'deadlock', 'races', 'starvation', 'coverage', 'preemptions', 'random', 'description'] as const;

function unknownKeys(where: string, what: string, obj: object, known: readonly string[], listed: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) throw new ModelError(`${where}: unknown ${what} '${k}'${didYouMean(k, known)}; ${listed}: ${known.join(', ')}`);
  }
}

export function isSpec(x: unknown): x is Spec {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'spec';
}

/** `pass` or `fail <property>`, as reports print an expectation. */
export function describeExpectation(e: Expectation): string {
  return e === 'pass' ? 'pass' : `fail ${e.fail}`;
}
