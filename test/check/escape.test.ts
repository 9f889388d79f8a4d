import { describe, expect, it, vi } from 'vitest';

// An internal fault in minimisation (or anywhere in a spec's check) must not abort the run.
vi.mock('../../src/check/minimize.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../src/check/minimize.ts')>()),
  minimizeViolation: () => {
    throw new TypeError('cannot read properties of undefined (reading "schedule")');
  },
}));

const { checkSpec } = await import('../../src/check/run.ts');
const { spec } = await import('../../src/check/spec.ts');
const { defineModel, procedure, thread } = await import('../../src/model/define.ts');
const { UsageError } = await import('../../src/model/errors.ts');

type S = { x: number };
const inc = procedure<S>('inc', { load: (s, t) => { t.r = s.x; }, store: (s, t) => { s.x = t.r + 1; } });
const counter = defineModel({
  name: 'counter',
  params: {},
  shared: (): S => ({ x: 0 }),
  threads: () => [thread('T0', inc), thread('T1', inc)],
  finals: { 'no-lost-update': (s) => s.x === 2 },
});

describe('checkSpec contains what goes wrong in one spec', () => {
  it('an unexpected error becomes that spec\'s ERROR with a one-line message', () => {
    const r = checkSpec(spec({ name: 'lost', model: counter, expect: { fail: 'no-lost-update' } }));
    expect([r.verdict, r.ok]).toEqual(['ERROR', false]);
    expect(r.error?.message).toBe('unexpected error while checking this spec: TypeError: cannot read properties of undefined (reading "schedule") (run with --debug for the stack)');
    expect(r.program).toBeDefined();
  });

  it('bad configuration still stops the run (UsageError)', () => {
    expect(() => checkSpec(spec({ name: 'x', model: counter, expect: 'pass' }), { engine: 'dpr' })).toThrow(UsageError);
    expect(() => checkSpec(spec({ name: 'x', model: counter, expect: 'pass' }), { engine: 'dpr' })).toThrow("unknown engine 'dpr' (did you mean 'dpor'?); choose one of: auto, dpor, stateful, naive, bounded, random");
  });
});
