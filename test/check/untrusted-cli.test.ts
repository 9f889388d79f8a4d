import { describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';

// Issue 9, "nothing passes silently": a model the checker cannot trust is an ERROR naming what
// is wrong, never a verdict. Each fixture spec expects 'pass' and must get ERROR with this message.
const DET = 'steps must be functions of the state (no Math.random, Date.now, or outside variables)';
const PLAIN = 'state is plain data (objects, arrays, finite numbers, strings, booleans, null)';
const FINITE = 'numbers in state must be finite (trace files and state keys cannot keep NaN or Infinity)';
const TREE = 'state is a tree, so a value cannot contain itself';

const expected: Record<string, string | RegExp> = {
  'random': new RegExp(`^step falloc\\.pop of thread C\\d is not deterministic: run twice from the same state it wrote head = ([13]), then head = (?!\\1)[13]; ${DET.replace(/[().]/g, '\\$&')}$`),
  'closure': `step tick.bump of thread T0 is not deterministic: run twice from the same state it wrote x = 0, then x = 1; ${DET}`,
  'async': 'step inc.load of thread T0 returned a Promise: steps must be synchronous functions (remove async/await)',
  'undefined-in-state': `shared.frames[3].owner is undefined: ${PLAIN}: store null, or delete the key`,
  'infinity-param': `params.frames is Infinity: ${FINITE}`,
  'nan-write': `thread T0, step div.avg: shared.x is NaN: ${FINITE}`,
  'infinity-local': `thread T0, step ratio.r: t.q is Infinity: ${FINITE}`,
  'undefined-arg': `thread T0: args.cpu is undefined: ${PLAIN}: store null, or delete the key`,
  'undefined-write': `thread T0, step clear.c: shared.frames[0].owner is undefined: ${PLAIN}: store null, or delete the key`,
  'cycle-initial': `shared.a.b.c refers back to shared.a: ${TREE}`,
  'cycle-write': `thread T0, step link.l: shared.a.b refers back to shared.a: ${TREE}`,
  'invariant-throws-later': "invariant 'I-own' threw: TypeError: Cannot read properties of undefined (reading 'deref')",
  'invariant-writes': "invariant 'I-own' wrote shared.x: predicates must only read",
  'invariant-number': "invariant 'I-own' returned 3, not a boolean",
  'witness-sorts': "witness 'W' wrote shared.owners[0]: predicates must only read",
  'final-promise': "final 'F' returned a Promise: predicates must be synchronous functions (remove async/await)",
  'witness-undefined': "witness 'W' returned undefined (a missing return?), not a boolean",
};

describe('models the checker cannot trust are ERROR, through the real CLI', () => {
  it('each broken model gets ERROR and a one-line message naming the step or predicate, the problem and the fix', () => {
    const files = ['random', 'closure', 'async', 'values', 'cycle', 'predicates'].map((f) => `test/fixtures/untrusted/${f}.spec.ts`);
    const r = cli(['check', ...files]);
    expect(r.code).toBe(2);
    const got = new Map([...r.out.matchAll(/^── (\S+): expected pass, got (\S+)\n {2}(.*)$/gm)].map((m) => [m[1]!, { verdict: m[2], message: m[3]! }]));
    expect([...got.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) {
      const g = got.get(name)!;
      expect(g.verdict, name).toBe('ERROR');
      if (typeof want === 'string') expect(g.message, name).toBe(want);
      else expect(g.message, name).toMatch(want);
    }
    expect(r.err).not.toMatch(/at .*\(.*:\d+:\d+\)|Unhandled|Maximum call stack/);
  });

  it('the Math.random model is an ERROR on every run, not a verdict that changes between runs', () => {
    for (let i = 0; i < 3; i++) {
      const r = cli(['check', 'test/fixtures/untrusted/random.spec.ts']);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/got ERROR\n {2}step falloc\.pop of thread C\d is not deterministic/);
    }
  });

  it('an async step is refused where procedure() defines it', () => {
    const r = cli(['check', 'test/fixtures/untrusted/async-defined.spec.ts']);
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toContain('step inc.load is an async function: steps must be synchronous functions (remove async/await)');
  });
});
