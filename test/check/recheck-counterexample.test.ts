import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread } from '../../src/index.ts';

describe('the counterexample shown is rechecked for determinism, step by step', () => {
  it('is ERROR when a step changes its mind once the search is over (the sample saw nothing)', () => {
    // Deterministic while the engine searches; from minimisation on, the store alternates
    // between two values on successive calls: the kind of model a sample can miss.
    let flaky = false;
    let calls = 0;
    const inc = procedure<{ x: number }>('inc', {
      load: (s, t) => { t.v = s.x; },
      store: (s, t) => { s.x = t.v + 1 + (flaky ? calls++ % 2 : 0); },
    });
    const m = defineModel({
      name: 'late-flaky',
      params: {},
      shared: () => ({ x: 0 }),
      threads: () => [thread('A', inc), thread('B', inc)],
      finals: { 'no-lost-update': (s) => s.x === 2 },
    });
    const r = checkSpec(spec({ name: 'late', model: m, expect: { fail: 'no-lost-update' } }), {
      onProgress: (p) => { if (p.phase === 'minimize') flaky = true; },
    });
    expect(r.verdict).toBe('ERROR');
    expect(r.error?.message).toMatch(/^step inc\.store .*not deterministic/);
  });
});
