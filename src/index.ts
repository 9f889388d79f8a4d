/**
 * smpcheck: a model checker for the synchronization code of SMP kernels.
 *
 * Models are step-function state machines over explicit immutable state ({@link defineModel},
 * {@link procedure}, {@link thread}); specs pair a model variant with parameters and the
 * expected verdict ({@link spec}); `smpcheck check` explores every interleaving.
 *
 * @example
 * ```ts
 * import { defineModel, procedure, thread, spec } from 'smpcheck';
 *
 * const inc = procedure('inc', {
 *   load: (s, t) => { t.r = s.x; },          // one shared load
 *   store: (s, t) => { s.x = t.r + 1; },     // one shared store
 * });
 * export const counter = defineModel({
 *   name: 'counter',
 *   params: {},
 *   shared: () => ({ x: 0 }),
 *   threads: () => [thread('T0', inc), thread('T1', inc)],
 *   finals: { 'no-lost-update': (s) => s.x === 2 },
 * });
 * export default spec({ name: 'counter', model: counter, expect: { fail: 'no-lost-update' } });
 * ```
 * @packageDocumentation
 */
export { defineModel, procedure, thread, range } from './model/define.ts';
export type { Model, ModelDef, Procedure, StepFn, Thread, ThreadMembers, ThreadOf, ArgsOf, ThreadSpec, CallOptions, Predicate } from './model/define.ts';
export type { SymmetryDecl } from './model/symmetry.ts';
export { spec } from './check/spec.ts';
export type { Spec, SpecDef, Expectation } from './check/spec.ts';
export { checkSpec } from './check/run.ts';
export type { CheckResult, CheckOptions, Verdict } from './check/run.ts';
export type { Minimization, MinimizeOptions } from './check/minimize.ts';
export type { Bounds, Violation, ViolationKind, ExploreStats } from './explore/types.ts';
export { ModelError } from './model/errors.ts';
