import { checkSpec, type CheckResult } from '../../src/check/run.ts';
import type { Spec } from '../../src/check/spec.ts';

/** The spec named `name` from a spec file's default export. */
export function named(specs: readonly Spec[], name: string): Spec {
  const s = specs.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no spec named ${name}`);
  return s;
}

/** Runs a spec with the naive engine. */
export function run(s: Spec): CheckResult {
  return checkSpec(s, { engine: 'naive' });
}

/**
 * Runs a spec to the end of its state space whatever it expects, so the result lists every
 * property that some interleaving violates (in discovery order).
 */
export function everyViolation(s: Spec): string[] {
  const r = checkSpec({ ...s, expect: { fail: '(none: search everything)' } } as Spec, { engine: 'naive' });
  if (r.error) throw new Error(r.error.message);
  return r.violations.map((v) => v.property).sort();
}
