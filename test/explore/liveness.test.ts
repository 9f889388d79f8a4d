import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread } from '../../src/index.ts';
import { reproduce } from '../../src/check/reproduce.ts';
import { counterexampleOf } from '../../src/report/counterexample.ts';
import { parseTrace, traceOf } from '../../src/report/trace-file.ts';
import livenessSpecs from '../../examples/modelling/liveness.spec.ts';
import { liveness as rwlockLiveness } from '../../specs/rwlock_starvation.spec.ts';
import { liveness as upgradeLiveness } from '../../specs/rwlock_upgrade.spec.ts';

const named = (name: string) => livenessSpecs.find((s) => s.name === name)!;
const names = (r: ReturnType<typeof checkSpec>) => r.violation!.schedule.map((m) => r.program!.threadName(m));

/** A toggles s.f forever; B waits for f = 1 and finishes. */
function toggler(strong: boolean) {
  const a = procedure<{ f: number }>('toggle', { flip: (s, t) => { s.f = 1 - s.f; t.goto('flip'); } });
  const b = procedure<{ f: number }>('waiter', { wait: (s, t) => { t.await(s.f === 1, 'f is 0'); } });
  return defineModel({
    name: 'toggler', params: {}, shared: () => ({ f: 0 }),
    threads: () => [thread('A', a), thread('B', b)],
    ...(strong ? { fairness: { strong: ['waiter.wait'] } } : {}),
  });
}

describe('liveness under fairness', () => {
  it('finds the lost wake-up as a lasso: the waiter sleeps while the ticker ticks forever', () => {
    const r = checkSpec(named('lost_wakeup/lost'));
    expect(r.verdict).toBe('FAIL');
    expect(r.violation).toMatchObject({ property: 'starvation', kind: 'liveness', loop: 4, detail: 'waiter waits forever: it never takes a step again while the others go on' });
    expect(names(r)).toEqual(['waiter', 'waker', 'waker', 'waiter', 'ticker', 'ticker']);
    expect(checkSpec(named('lost_wakeup/fixed')).verdict).toBe('PASS');
  });

  it('finds the starving reader even with a strongly fair acquire, and the fair rwlock serves it', () => {
    const r = checkSpec(named('starving_reader/writer-preferring'));
    expect(r.violation).toMatchObject({ property: 'reader-served', kind: 'liveness', loop: 2 });
    expect(names(r).slice(2)).not.toContain('R'); // the reader never moves in the cycle
    expect(checkSpec(named('starving_reader/fair')).verdict).toBe('PASS');
  });

  it('weak fairness: a thread that can always move does move; one enabled now and then may starve unless its step is strongly fair', () => {
    const ticker = procedure<{ n: number }>('tick', { go: (s, t) => { s.n = (s.n + 1) % 3; t.goto('go'); } });
    const once = procedure<{ n: number; done: boolean }>('once', { go: (s) => { s.done = true; } });
    const m = defineModel({ name: 'busy', params: {}, shared: () => ({ n: 0, done: false }), threads: () => [thread('T', ticker), thread('O', once)] });
    expect(checkSpec(spec({ name: 'weak', model: m, starvation: 'error', expect: 'pass' })).verdict).toBe('PASS');
    const weak = checkSpec(spec({ name: 'toggle-weak', model: toggler(false), starvation: 'error', expect: { fail: 'starvation' } }));
    expect(weak.violation?.detail).toBe('B waits forever: it never takes a step again while the others go on');
    expect(checkSpec(spec({ name: 'toggle-strong', model: toggler(true), starvation: 'error', expect: 'pass' })).verdict).toBe('PASS');
  });

  it('eventually: a finite execution that ends without it violates it; one that passes through it does not', () => {
    const a = procedure<{ x: number }>('a', { go: (s) => { s.x = 1; } });
    const b = procedure<{ x: number }>('b', { go: (s) => { if (s.x === 0) s.x = 2; } });
    const m = defineModel({
      name: 'ev', params: {}, shared: () => ({ x: 0 }),
      threads: () => [thread('A', a), thread('B', b)],
      eventually: { 'x-was-2': (s) => s.x === 2, 'x-set': (s) => s.x !== 0 },
    });
    const r = checkSpec(spec({ name: 'ev', model: m, expect: { fail: 'x-was-2' } }));
    expect(r.violation).toMatchObject({ property: 'x-was-2', kind: 'liveness', detail: 'x-was-2 never holds: the execution ends without it' });
    expect(r.violation!.loop).toBeUndefined();
    expect(names(r)).toEqual(['A', 'B']); // A sets 1 first, so B never sets 2
    expect(r.violations.map((v) => v.property)).toEqual(['x-was-2']); // x-set holds on every execution
  });

  it('a lasso replays from its trace file; a loop that does not close is not reproduced', () => {
    const r = checkSpec(named('lost_wakeup/lost'));
    const trace = parseTrace(JSON.stringify(traceOf(r, counterexampleOf(r)!, '/tmp/l.json')), 'l.json');
    expect(trace.violation.loop).toBe(4);
    const target = { ...trace.violation };
    expect(reproduce(r.program!, { target, schedule: trace.schedule, steps: trace.steps }).kind).toBe('reproduced');
    expect(reproduce(r.program!, { target: { ...target, loop: 5 }, schedule: trace.schedule, steps: trace.steps }).kind).toBe('not-violated');
  });

  it('the catalogue: the blocking rwlock starves a reader, the spinning one a writer; M5a\'s lost wake-up starves the upgrader', () => {
    const verdicts = [...rwlockLiveness, ...upgradeLiveness].map((x) => {
      const r = checkSpec(x);
      return [x.name, r.verdict, r.violation?.property ?? null, r.violation?.loop !== undefined];
    });
    expect(verdicts).toEqual([
      ['rwlock_starvation/blocking-reader', 'FAIL', 'victim-served', true],
      ['rwlock_starvation/blocking-writer', 'PASS', null, false],
      ['rwlock_starvation/spinning-writer', 'FAIL', 'victim-served', true],
      ['rwlock_starvation/spinning-reader', 'PASS', null, false],
      ['rwlock_upgrade/5a-starvation', 'FAIL', 'starvation', false], // U sleeps, nothing else can move: a stuck end
      ['rwlock_upgrade/5a-fix-starvation', 'PASS', null, false],
    ]);
  });

  it('refuses a misspelt starvation value and an expected starvation with the check off', () => {
    expect(() => spec({ name: 'x', model: toggler(false), starvation: 'eror' as 'error', expect: 'pass' })).toThrow(
      "spec 'x': starvation must be 'error' (a thread waiting forever is a violation) or 'ignore', got 'eror' (did you mean 'error'?)",
    );
    expect(() => spec({ name: 'y', model: toggler(false), expect: { fail: 'starvation' } })).toThrow(
      "spec 'y': expect { fail: 'starvation' } needs starvation: 'error' in the spec, which turns that liveness check on",
    );
  });
});
