import type { Model } from '../model/define.ts';
import { ModelError } from '../model/errors.ts';
import { callerSite, type SourceSite } from '../model/source.ts';
import type { Bounds } from '../explore/types.ts';

/**
 * What a spec expects: `'pass'` (every property holds, every witness reached), or a violation
 * of one named property — an assertion, invariant or final property of the model, or
 * `'deadlock'`. A spec that expects a violation keeps a known bug as a regression test.
 */
export type Expectation = 'pass' | { readonly fail: string };

export interface SpecDef<P extends object> {
  /** Unique name, shown in reports and matched by `--filter`, e.g. `'falloc_pop/U'`. */
  name: string;
  model: Model<P, any>;
  /** Overrides of the model's default parameters (cores, frames, variant, ...). */
  params?: Partial<P>;
  expect: Expectation;
  bounds?: Bounds;
  /** `'allowed'` when threads may legitimately park forever; default `'violation'`. */
  deadlock?: 'violation' | 'allowed';
  description?: string;
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
export function spec<P extends object>(def: SpecDef<P>): Spec<P> {
  if (typeof def.name !== 'string' || def.name === '') throw new ModelError('a spec needs a name');
  if (def.model?.kind !== 'model') throw new ModelError(`spec '${def.name}': model must be a defineModel(...) result`);
  const e = def.expect as unknown;
  if (e !== 'pass' && !(typeof e === 'object' && e !== null && typeof (e as { fail?: unknown }).fail === 'string')) {
    throw new ModelError(`spec '${def.name}': expect must be 'pass' or { fail: '<property>' }`);
  }
  return Object.freeze({ ...def, kind: 'spec', site: callerSite() });
}

export function isSpec(x: unknown): x is Spec {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'spec';
}

/** `pass` or `fail <property>`, as reports print an expectation. */
export function describeExpectation(e: Expectation): string {
  return e === 'pass' ? 'pass' : `fail ${e.fail}`;
}
