import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread } from '../../src/index.ts';
import { Program } from '../../src/model/program.ts';
import { reproduce } from '../../src/check/reproduce.ts';
import { counterexampleOf } from '../../src/report/counterexample.ts';
import { parseTrace, traceOf } from '../../src/report/trace-file.ts';
import statsSpecs, { statsCounter } from '../../examples/modelling/racy-counter.spec.ts';

const byName = (name: string) => statsSpecs.find((s) => s.name === name)!;

describe('data-race detection (races: error)', () => {
  it('finds the race of a plain counter, with both accesses named, and replays it', () => {
    const r = checkSpec(byName('stats_counter/plain'));
    expect(r.verdict).toBe('FAIL');
    expect(r.violation).toMatchObject({
      property: 'data-race',
      kind: 'race',
      schedule: [0],
      detail: 'on hits: C0 writes it (bump.store), C1 reads it (bump.load), and neither access is atomic',
    });
    const cx = counterexampleOf(r)!;
    expect(cx.summary).toBe('data race after step 1: two threads can access the same location next, one writing (on hits: C0 writes it (bump.store), C1 reads it (bump.load), and neither access is atomic)');
    const trace = parseTrace(JSON.stringify(traceOf(r, cx, '/tmp/race.json')), 'race.json');
    expect(trace.violation.kind).toBe('race');
    expect(reproduce(r.program!, { target: trace.violation, schedule: trace.schedule, steps: trace.steps }).kind).toBe('reproduced');
  });

  it('atomic locations and lock-protected accesses do not race; every engine agrees', () => {
    for (const engine of ['naive', 'stateful', 'dpor']) {
      expect(checkSpec(byName('stats_counter/atomic'), { engine }).verdict, engine).toBe('PASS');
      expect(checkSpec(byName('stats_counter/locked'), { engine }).verdict, engine).toBe('PASS');
      expect(checkSpec(byName('stats_counter/plain'), { engine }).violation?.property, engine).toBe('data-race');
    }
  });

  it('is off unless the spec asks for it', () => {
    const r = checkSpec(spec({ name: 'plain', model: statsCounter, params: { variant: 'plain' }, expect: { fail: 'no-lost-update' } }));
    expect(r.violations.map((v) => v.property)).toEqual(['no-lost-update']);
  });

  it('matches atomics patterns by path, * for any one key, and everything under a pattern', () => {
    const m = defineModel({
      name: 'a', params: {}, shared: () => ({ q: { a: { n: 0 }, b: { n: 0 } }, flag: { x: 0 }, plain: 0 }),
      threads: () => [thread('T', procedure('p', { s: (s) => { s.plain = 1; } }))],
      atomics: ['q.*.n', 'flag'],
    });
    const p = new Program(m, {});
    const loc = (path: string) => path.split('.').reduce((l, k) => p.locs.child(l, k), p.locs.root);
    expect(['q.a.n', 'q.b.n', 'flag', 'flag.x', 'plain', 'q.a', 'q'].map((x) => p.isAtomic(loc(x)))).toEqual([true, true, true, true, false, false, false]);
  });

  it('refuses a misspelt races value and an expected data-race with detection off', () => {
    expect(() => spec({ name: 'x', model: statsCounter, races: 'eror' as 'error', expect: 'pass' })).toThrow(
      "spec 'x': races must be 'error' (a data race is a violation) or 'ignore', got 'eror' (did you mean 'error'?)",
    );
    expect(() => spec({ name: 'y', model: statsCounter, expect: { fail: 'data-race' } })).toThrow(
      "spec 'y': expect { fail: 'data-race' } needs races: 'error' in the spec, which turns data-race detection on",
    );
    expect(() => defineModel({ name: 'b', params: {}, shared: () => ({}), threads: () => [], atomics: [''] })).toThrow(/atomics must be a list of dotted paths/);
  });
});
