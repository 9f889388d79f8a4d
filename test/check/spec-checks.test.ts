import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { spec, type Spec } from '../../src/check/spec.ts';
import { closest, editDistance } from '../../src/check/suggest.ts';
import { defineModel, procedure, thread } from '../../src/model/define.ts';
import { environmentBounds, resolveBounds } from '../../src/explore/types.ts';
import { minimizeNodesFromEnv } from '../../src/check/minimize.ts';
import { fallocPop } from '../../models/falloc_pop.ts';
import { cli } from '../support/cli.ts';

/** Issue 9, "nothing passes silently": a spec that cannot mean what it says is rejected. */

type S = { x: number };
const inc = procedure<S>('inc', {
  load: (s, t) => { t.r = s.x; },
  store: (s, t) => { s.x = t.r + 1; t.assert(s.x <= 2, 'at-most-two'); },
});
const counter = defineModel({
  name: 'counter',
  params: { threads: 2, locked: false },
  shared: (): S => ({ x: 0 }),
  threads: ({ threads }) => Array.from({ length: threads }, (_, i) => thread(`T${i}`, inc)),
  invariants: { 'x-small': (s) => s.x <= 5 },
  finals: { 'no-lost-update': (s, p) => s.x === p.threads },
  witnesses: { 'x-one': (s) => s.x === 1 },
  assertions: ['at-most-two'],
});

const thrown = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '(nothing thrown)';
};

describe('suggestions', () => {
  it('measures edit distance and suggests only close names', () => {
    expect(editDistance('varaint', 'variant')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('varaint', ['variant', 'cores', 'frames'])).toBe('variant');
    expect(closest('I-ownn', ['I-own', 'I-count'])).toBe('I-own');
    expect(closest('zzz', ['variant', 'cores'])).toBeUndefined();
  });
});

describe('spec() rejects what would silently check something else', () => {
  it('unknown parameter names, with a suggestion and the model parameter list', () => {
    expect(thrown(() => spec({ name: 'falloc_pop/typo', model: fallocPop, params: { varaint: 'L' } as any, expect: 'pass' }))).toBe(
      "spec 'falloc_pop/typo': unknown parameter 'varaint' (did you mean 'variant'?); model 'falloc_pop' takes: cores, frames, ops, variant",
    );
    const none = defineModel({ name: 'none', params: {}, shared: () => ({}), threads: () => [thread('T', inc)] });
    expect(thrown(() => spec({ name: 'n', model: none, params: { cores: 2 } as any, expect: 'pass' }))).toBe(
      "spec 'n': unknown parameter 'cores'; model 'none' takes no parameters",
    );
    expect(spec({ name: 'ok', model: counter, params: { threads: 3 }, expect: 'pass' }).params).toEqual({ threads: 3 });
  });

  it('unknown top-level keys', () => {
    expect(thrown(() => spec({ name: 'k', model: counter, expects: 'pass' } as any))).toBe(
      "spec 'k': unknown key 'expects' (did you mean 'expect'?); a spec takes: name, model, params, expect, bounds, deadlock, races, starvation, coverage, preemptions, random, description",
    );
    expect(thrown(() => spec({ name: 'k', model: counter, expect: 'pass', bound: { maxDepth: 3 } } as any))).toBe(
      "spec 'k': unknown key 'bound' (did you mean 'bounds'?); a spec takes: name, model, params, expect, bounds, deadlock, races, starvation, coverage, preemptions, random, description",
    );
  });

  it('deadlock values other than violation and allowed, and fail: deadlock with deadlock: allowed', () => {
    expect(thrown(() => spec({ name: 'd', model: counter, expect: 'pass', deadlock: 'alowed' as any }))).toBe(
      "spec 'd': deadlock must be 'violation' or 'allowed', got 'alowed' (did you mean 'allowed'?)",
    );
    expect(thrown(() => spec({ name: 'd', model: counter, expect: { fail: 'deadlock' }, deadlock: 'allowed' }))).toBe(
      "spec 'd': expect { fail: 'deadlock' } contradicts deadlock: 'allowed', under which a deadlock is no violation; remove one of the two",
    );
    expect(spec({ name: 'd', model: counter, expect: { fail: 'deadlock' }, deadlock: 'violation' }).deadlock).toBe('violation');
  });

  it('unknown bounds and bounds that are not positive integers', () => {
    expect(thrown(() => spec({ name: 'b', model: counter, expect: 'pass', bounds: { maxDepht: 3 } as any }))).toBe(
      "spec 'b': unknown bound 'maxDepht' (did you mean 'maxDepth'?); bounds are: maxDepth, maxExecutions, timeMs, maxStates, maxMemoryMB",
    );
    for (const v of [-1, 0, Number.NaN, 1.5, Infinity]) {
      expect(thrown(() => spec({ name: 'b', model: counter, expect: 'pass', bounds: { maxDepth: v } }))).toBe(
        `spec 'b': bounds.maxDepth must be a positive integer, got '${String(v)}'`,
      );
    }
    expect(thrown(() => spec({ name: 'b', model: counter, expect: 'pass', bounds: { timeMs: '500' as any } }))).toBe(
      "spec 'b': bounds.timeMs must be a positive integer, got string '500'",
    );
    expect(spec({ name: 'b', model: counter, expect: 'pass', bounds: { maxDepth: 30, timeMs: 1000 } }).bounds).toEqual({ maxDepth: 30, timeMs: 1000 });
  });
});

describe('an expected property the model does not have is an ERROR, never a PASS', () => {
  const error = (s: Spec<any>) => {
    const r = checkSpec(s);
    return [r.verdict, r.ok, r.error?.message];
  };

  it('names the property, suggests the closest and lists the known ones (after an exhaustive search)', () => {
    // @ts-expect-error: a misspelt property is a compile error too (the model's type names its properties)
    expect(error(spec({ name: 'p', model: counter, params: { threads: 2 }, expect: { fail: 'no-lost-updat' } }))).toEqual([
      'ERROR', false,
      "spec 'p': expects a violation of 'no-lost-updat', but model 'counter' has no such property (did you mean 'no-lost-update'?); its properties: invariants x-small; finals no-lost-update; assertions seen at-most-two; deadlock",
    ]);
    // The assertion names are those the steps passed to t.assert: 'at-most-two' is one.
    // @ts-expect-error: not a declared assertion
    expect(error(spec({ name: 'p', model: counter, expect: { fail: 'at-most-tw' } }))[2]).toContain("(did you mean 'at-most-two'?)");
  });

  it('a witness is not a property that can be violated', () => {
    // @ts-expect-error: a witness is no property a spec can expect to fail
    expect(error(spec({ name: 'w', model: counter, expect: { fail: 'x-one' } }))).toEqual([
      'ERROR', false,
      "spec 'w': expects a violation of 'x-one', which is a witness of model 'counter' (a state that must be reached), not a property that can be violated; its properties: invariants x-small; finals no-lost-update; deadlock",
    ]);
  });

  it('leaves real expectations alone: found, or not found on a property the model has', () => {
    const found = checkSpec(spec({ name: 'f', model: counter, expect: { fail: 'no-lost-update' } }));
    expect([found.verdict, found.ok]).toEqual(['FAIL', true]);
    const held = checkSpec(spec({ name: 'h', model: counter, expect: { fail: 'x-small' } }));
    expect([held.verdict, held.ok, held.error]).toEqual(['FAIL', false, undefined]); // FAIL on no-lost-update, not x-small
    const assertion = checkSpec(spec({ name: 'a', model: counter, params: { threads: 3 }, expect: { fail: 'at-most-two' } }));
    expect([assertion.verdict, assertion.ok]).toEqual(['FAIL', true]);
  });

  it('stays INCOMPLETE, not ERROR, when a cut search may not have run the assertion yet', () => {
    // @ts-expect-error: 'later' stands for an assertion the model does not declare
    const r = checkSpec(spec({ name: 'c', model: counter, expect: { fail: 'later' }, bounds: { maxDepth: 1 } }));
    expect([r.verdict, r.ok, r.error]).toEqual(['INCOMPLETE', false, undefined]);
  });
});

describe('SMPCHECK_* bound variables are validated', () => {
  it('each variable must be a positive integer, named in the message', () => {
    expect(environmentBounds({ SMPCHECK_MAX_DEPTH: '40', SMPCHECK_TIME_MS: '' })).toEqual({ maxDepth: 40 });
    for (const name of ['SMPCHECK_MAX_DEPTH', 'SMPCHECK_MAX_EXECUTIONS', 'SMPCHECK_TIME_MS', 'SMPCHECK_MAX_STATES', 'SMPCHECK_MAX_MEMORY_MB']) {
      for (const v of ['abc', '0', '-1', '1.5', 'NaN']) {
        expect(thrown(() => environmentBounds({ [name]: v }))).toBe(`${name} must be a positive integer, got '${v}'`);
      }
    }
    expect(thrown(() => minimizeNodesFromEnv({ SMPCHECK_MINIMIZE_STATES: 'lots' }))).toBe("SMPCHECK_MINIMIZE_STATES must be a positive integer, got 'lots'");
    expect(minimizeNodesFromEnv({ SMPCHECK_MINIMIZE_STATES: '5' })).toBe(5);
    expect(resolveBounds({ maxDepth: 7 }).maxDepth).toBe(7);
  });
});

describe('through the CLI', () => {
  const firstLine = (s: string) => s.split('\n')[0];

  it('a misspelt parameter: exit 2, one line naming the file, the spec, the key and the fix', () => {
    const r = cli(['check', 'test/fixtures/spec-checks/typo-param.spec.ts']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(firstLine(r.err)).toMatch(
      /^smpcheck: test\/fixtures\/spec-checks\/typo-param\.spec\.ts: cannot load this spec file: spec 'falloc_pop\/typo': unknown parameter 'varaint' \(did you mean 'variant'\?\); model 'falloc_pop' takes: cores, frames, ops, variant/,
    );
  });

  it('an expected property the model does not have: exit 2, ERROR with the suggestion', () => {
    const r = cli(['check', 'test/fixtures/spec-checks/unknown-property.spec.ts']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✗ falloc_pop\/L\/ownn\s+fail I-ownn\s+ERROR/);
    expect(r.out).toContain("spec 'falloc_pop/L/ownn': expects a violation of 'I-ownn', but model 'falloc_pop' has no such property (did you mean 'I-own'?); its properties: invariants I-own;");
  });

  it('an invalid SMPCHECK_MAX_DEPTH: exit 2 and one line, before anything is checked', () => {
    const r = cli(['check', 'test/fixtures/ok'], { env: { SMPCHECK_MAX_DEPTH: 'abc' } });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual(["smpcheck: SMPCHECK_MAX_DEPTH must be a positive integer, got 'abc'"]);
  });

  it('an invariant that throws in the initial state is that spec\'s ERROR; the next spec still runs', () => {
    for (const engine of ['auto', 'dpor', 'naive']) {
      const r = cli(['check', 'test/fixtures/spec-checks/throwing-invariant.spec.ts', '--engine', engine]);
      expect(r.code).toBe(2);
      expect(r.err).not.toContain('internal error');
      expect(r.out).toMatch(/✗ invariant-throws\s+pass\s+ERROR/);
      expect(r.out).toMatch(/✓ still-checked\s+pass\s+PASS/);
      expect(r.out).toContain("invariant 'deref' threw");
      // It broke before any step: the report shows no (empty) schedule line.
      expect(r.out).not.toMatch(/^\s*schedule:/m);
    }
  });
});
