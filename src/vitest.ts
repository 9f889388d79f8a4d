/**
 * vitest matchers for results of {@link checkSpec}, importable as `smpcheck/vitest`. Importing
 * this module registers them with vitest's `expect`; a failing match prints what
 * `smpcheck check` prints for the result (the counterexample's swimlanes, the error, the cut).
 *
 * @example
 * ```ts
 * import { expect, it } from 'vitest';
 * import { checkSpec, spec } from 'smpcheck';
 * import 'smpcheck/vitest';
 *
 * it('loses a reference', () => {
 *   const r = checkSpec(spec({ name: 'refcount/get', model: refcount, expect: { fail: 'no-lost-get' } }));
 *   expect(r).toFailWith('no-lost-get');
 * });
 * ```
 * @packageDocumentation
 */
import { expect } from 'vitest';
import type { CheckResult, Verdict } from './check/run.ts';
import { renderProblem, verdictText } from './report/text.ts';

interface MatcherResult {
  pass: boolean;
  message: () => string;
}

const VERDICTS: readonly Verdict[] = ['PASS', 'FAIL', 'INCOMPLETE', 'ERROR', 'VACUOUS'];

function isResult(x: unknown): x is CheckResult {
  return typeof x === 'object' && x !== null && typeof (x as CheckResult).verdict === 'string' && (x as CheckResult).spec?.kind === 'spec';
}

/** What the text report says of the result, below its heading: the story, the error or the cut. */
function story(r: CheckResult): string {
  const body = renderProblem(r, { width: 120 }).split('\n').slice(1).join('\n');
  return body === '' ? '' : `\n${body}`;
}

function notAResult(name: string, received: unknown): MatcherResult {
  return { pass: false, message: () => `${name} expects the result of checkSpec(...), got ${received === null ? 'null' : typeof received}` };
}

/** The matchers, for `expect.extend(matchers)` where importing this module is not wanted. */
export const matchers = {
  /** The result's verdict is `verdict` ('PASS', 'FAIL', 'INCOMPLETE', 'ERROR' or 'VACUOUS'). */
  toHaveVerdict(received: unknown, verdict: Verdict): MatcherResult {
    if (!isResult(received)) return notAResult('toHaveVerdict', received);
    if (!VERDICTS.includes(verdict)) {
      return { pass: false, message: () => `toHaveVerdict('${String(verdict)}'): a verdict is one of ${VERDICTS.join(', ')}` };
    }
    const pass = received.verdict === verdict;
    return {
      pass,
      message: () => pass
        ? `expected ${received.name} not to have verdict ${verdict}, but it has${story(received)}`
        : `expected ${received.name} to have verdict ${verdict}, got ${verdictText(received)}${story(received)}`,
    };
  },
  /** The search found a violation of `property` (an invariant, final, assertion or `deadlock`). */
  toFailWith(received: unknown, property: string): MatcherResult {
    if (!isResult(received)) return notAResult('toFailWith', received);
    const pass = received.verdict === 'FAIL' && received.violations.some((v) => v.property === property);
    return {
      pass,
      message: () => pass
        ? `expected ${received.name} not to violate ${property}, but it does${story(received)}`
        : `expected ${received.name} to fail with ${property}, got ${verdictText(received)}${story(received)}`,
    };
  },
};

expect.extend(matchers);

interface SmpcheckMatchers<R = unknown> {
  /** The checkSpec result's verdict is `verdict`; on failure the message is the rendered result. */
  toHaveVerdict(verdict: Verdict): R;
  /** The checkSpec result violates `property`; on failure the message is the rendered result. */
  toFailWith(property: string): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends SmpcheckMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends SmpcheckMatchers {}
}
