import { describe, expect, it } from 'vitest';
import { checkSpec, spec } from '../src/index.ts';
import { renderCounterexample, renderProblem } from '../src/report/text.ts';
import { matchers } from '../src/vitest.ts';
import tutorial from '../examples/refcount.spec.ts';

/** Issue 12 item 4: the smpcheck/vitest matchers, and what they say when they fail. */

const failed = checkSpec(tutorial); // FAIL no-lost-get
const held = checkSpec(spec({ name: 'refcount/expected', model: tutorial.model, expect: { fail: 'no-lost-get' } }));

/** The message of a failing expectation. */
function messageOf(f: () => void): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the expectation did not fail');
}

describe('smpcheck/vitest', () => {
  it('toHaveVerdict and toFailWith pass on the result they describe, and .not inverts them', () => {
    expect(failed).toHaveVerdict('FAIL');
    expect(failed).toFailWith('no-lost-get');
    expect(failed).not.toHaveVerdict('PASS');
    expect(failed).not.toFailWith('deadlock');
    expect(held).toFailWith('no-lost-get');
  });

  it('fails with the counterexample as smpcheck check renders it', () => {
    const msg = messageOf(() => expect(failed).toHaveVerdict('PASS'));
    expect(msg).toBe(`expected refcount/get to have verdict PASS, got FAIL no-lost-get\n${renderCounterexample(failed, { width: 120 })}`);
    expect(msg).toContain('refcount_get.store');
    expect(msg).toContain('final property no-lost-get is false when every thread has finished');
  });

  it('says what was found instead of the expected violation', () => {
    const msg = messageOf(() => expect(failed).toFailWith('I-own'));
    expect(msg.split('\n')[0]).toBe('expected refcount/get to fail with I-own, got FAIL no-lost-get');
    expect(msg).toBe(`expected refcount/get to fail with I-own, got FAIL no-lost-get\n${renderProblem(failed, { width: 120 }).split('\n').slice(1).join('\n')}`);
  });

  it('renders an ERROR as the report does', () => {
    // A spec's model type is the loose Model, so only the run-time check finds this one.
    const err = checkSpec(spec({ name: 'refcount/typo', model: tutorial.model, expect: { fail: 'no-lost-gett' } }));
    const msg = messageOf(() => expect(err).toHaveVerdict('FAIL'));
    expect(msg).toMatch(/^expected refcount\/typo to have verdict FAIL, got ERROR\n {2}spec 'refcount\/typo': expects a violation of 'no-lost-gett', but model 'refcount' has no such property \(did you mean 'no-lost-get'\?\)/);
  });

  it('refuses what is not a checkSpec result, and a verdict that does not exist', () => {
    expect(matchers.toHaveVerdict(42, 'PASS').message()).toBe('toHaveVerdict expects the result of checkSpec(...), got number');
    expect(matchers.toFailWith(null, 'I-own').message()).toBe('toFailWith expects the result of checkSpec(...), got null');
    expect(matchers.toHaveVerdict(failed, 'FAILED' as 'FAIL').message()).toBe("toHaveVerdict('FAILED'): a verdict is one of PASS, FAIL, INCOMPLETE, ERROR, VACUOUS");
  });
});
