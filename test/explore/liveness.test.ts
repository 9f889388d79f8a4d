import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Program, type State } from '../../src/model/program.ts';
import { alternatives, executeStep } from '../../src/model/step.ts';
import { exploreLiveness } from '../../src/explore/liveness.ts';
import { stateKey } from '../../src/explore/state-key.ts';
import { describeProgram, programArb, randomModel } from '../support/random-program.ts';
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

  it('finds a thread starved on a cycle that avoids its steps inside a larger cycle where it does step', () => {
    // A toggles f forever; B loops forever too, stepping only when f = 1: the whole graph is one
    // cycle that B's steps belong to, but A alone can go round it with B never stepping.
    const a = procedure<{ f: number; n: number }>('toggle', { flip: (s, t) => { s.f = 1 - s.f; t.goto('flip'); } });
    const b = procedure<{ f: number; n: number }>('counter', { count: (s, t) => { t.await(s.f === 1, 'f is 0'); s.n = (s.n + 1) % 2; t.goto('count'); } });
    const model = (strong: boolean) => defineModel({
      name: 'loops', params: {}, shared: () => ({ f: 0, n: 0 }),
      threads: () => [thread('A', a), thread('B', b)],
      ...(strong ? { fairness: { strong: ['counter.count'] } } : {}),
    });
    const r = checkSpec(spec({ name: 'weak', model: model(false), starvation: 'error', expect: { fail: 'starvation' } }));
    expect(r.violation?.detail).toBe('B waits forever: it never takes a step again while the others go on');
    expect(names(r).slice(r.violation!.loop)).toEqual(['A', 'A']);
    expect(checkSpec(spec({ name: 'strong', model: model(true), starvation: 'error', expect: 'pass' })).verdict).toBe('PASS');
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

/**
 * An independent oracle for `starvation` under weak fairness on small random programs with
 * loops: the explicit graph, then every simple cycle of up to 8 steps, checked directly for a
 * thread that never steps in it while every other thread steps or is blocked somewhere on it;
 * and every stuck end. A simple cycle the oracle finds must be reported; a lasso the engine
 * reports must replay, close, leave its thread out and be weakly fair itself.
 */
describe('starvation against a brute-force oracle on random programs', () => {
  it('finds every short fair cycle the oracle finds, and every lasso it reports is one', () => {
    let found = 0;
    fc.assert(
      fc.property(programArb({ cycles: true, threads: [2, 3], steps: 4, locs: [1, 2] }), (prog) => {
        const p = new Program(randomModel, { prog });
        const oracle = starvationOracle(p);
        fc.pre(oracle !== 'too big' && oracle !== 'model error');
        const r = exploreLiveness(p, { starvation: true, maxStates: 5000, timeMs: 60_000 });
        const ctx = `${describeProgram(prog)}\noracle: ${oracle}\nengine: ${JSON.stringify(r.violations)}`;
        expect(r.error, ctx).toBeUndefined();
        const v = r.violations.find((x) => x.property === 'starvation');
        if (oracle) expect(v, ctx).toBeDefined();
        if (v !== undefined) found++;
        if (v?.loop !== undefined) expect(lassoIsFairStarvation(p, v.schedule, v.loop), ctx).toBe(true);
      }),
      { numRuns: Number(process.env.SMPCHECK_DIFF_RUNS ?? 300), seed: 20261204, maxSkipsPerRun: 20 },
    );
    expect(found).toBeGreaterThan(10); // the generator does make programs that starve a thread
  });
});

function graphOf(p: Program, limit: number) {
  const ids = new Map<string, number>();
  const states: State[] = [];
  const edges: { tid: number; to: number }[][] = [];
  const add = (s: State) => {
    const k = stateKey(s);
    let id = ids.get(k);
    if (id === undefined) {
      id = states.length;
      ids.set(k, id);
      states.push(s);
      edges.push([]);
    }
    return id;
  };
  add(p.initial);
  for (let i = 0; i < states.length; i++) {
    if (states.length > limit) return null;
    for (const t of p.threads) {
      for (const o of alternatives(p, states[i]!, t.tid, (m) => executeStep(p, states[i]!, m)).steps) edges[i]!.push({ tid: t.tid, to: add(o.state) });
    }
  }
  return { states, edges };
}

function starvationOracle(p: Program): boolean | 'too big' | 'model error' {
  let g: ReturnType<typeof graphOf>;
  try {
    g = graphOf(p, 200);
  } catch {
    return 'model error'; // a loop that never touches shared state: an ERROR, not a verdict
  }
  if (g === null) return 'too big';
  const unfinished = (s: State, tid: number) => s.threads[tid]!.length > 0;
  const enabledAt = (i: number) => new Set(g.edges[i]!.map((e) => e.tid));
  for (let i = 0; i < g.states.length; i++) {
    if (g.edges[i]!.length === 0 && p.threads.some((t) => unfinished(g.states[i]!, t.tid))) {
      const held = p.threads.map((t) => alternatives(p, g.states[i]!, t.tid, (m) => executeStep(p, g.states[i]!, m)).held);
      if (!held.some((h) => h?.assumed)) return true; // stuck: someone waits forever
    }
  }
  let work = 0;
  for (let s0 = 0; s0 < g.states.length; s0++) {
    const path: { tid: number; to: number }[] = [];
    const on = new Set<number>([s0]);
    const dfs = (v: number): boolean => {
      if (++work > 200_000) return false;
      for (const e of g.edges[v]!) {
        if (e.to === s0) {
          const cycle = [...path, e];
          const visited = [s0, ...cycle.map((x) => x.to)];
          const stepping = new Set(cycle.map((x) => x.tid));
          const fair = (u: number) => stepping.has(u) || visited.some((x) => !enabledAt(x).has(u));
          for (const t of p.threads) {
            if (!stepping.has(t.tid) && unfinished(g.states[s0]!, t.tid) && p.threads.every((u) => fair(u.tid))) return true;
          }
          continue;
        }
        if (on.has(e.to) || path.length >= 7) continue;
        on.add(e.to);
        path.push(e);
        if (dfs(e.to)) return true;
        path.pop();
        on.delete(e.to);
      }
      return false;
    };
    if (dfs(s0)) return true;
  }
  return false;
}

function lassoIsFairStarvation(p: Program, schedule: readonly number[], loop: number): boolean {
  const states: State[] = [p.initial];
  for (const m of schedule) {
    const o = executeStep(p, states.at(-1)!, m);
    if (o.kind !== 'step') return false;
    states.push(o.state);
  }
  if (stateKey(states[loop]!) !== stateKey(states.at(-1)!) || loop >= schedule.length) return false;
  const cycle = schedule.slice(loop).map((m) => m % 4096);
  const visited = states.slice(loop);
  const enabled = (s: State, tid: number) => alternatives(p, s, tid, (m) => executeStep(p, s, m)).steps.length > 0;
  const starved = p.threads.filter((t) => !cycle.includes(t.tid) && visited[0]!.threads[t.tid]!.length > 0);
  const fair = p.threads.every((u) => cycle.includes(u.tid) || visited.some((s) => !enabled(s, u.tid)));
  return starved.length > 0 && fair;
}
