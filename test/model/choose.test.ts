import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, range, spec, thread } from '../../src/index.ts';
import { Program } from '../../src/model/program.ts';
import { alternatives, executeStep, moveOf, nextAlt, type Stepped } from '../../src/model/step.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { resolveBounds, type Engine } from '../../src/explore/types.ts';
import { reproduce } from '../../src/check/reproduce.ts';
import { counterexampleOf } from '../../src/report/counterexample.ts';
import { renderSwimlanes } from '../../src/report/swimlanes.ts';
import { parseTrace, traceOf } from '../../src/report/trace-file.ts';

const ENGINES: [string, Engine][] = [['naive', exploreNaive], ['stateful', exploreStateful], ['dpor', exploreDpor]];
const opts = () => ({ bounds: resolveBounds({ maxDepth: 200 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true });

/** Each of `n` threads picks a value among `k` and stores it in its own slot: k^n independent outcomes. */
function pickers(n: number, k: number) {
  const pick = procedure<{ slot: number[] }>('pick', {
    store: (s, t) => { s.slot[t.tid] = t.choose('v', range(k)); },
  });
  return defineModel({ name: 'pickers', params: {}, shared: () => ({ slot: range(n).map(() => -1) }), threads: () => range(n).map((i) => thread(`T${i}`, pick)) });
}

describe('t.choose: nondeterministic values', () => {
  it('decodes alternatives in mixed radix, last choice fastest, and enumerates every one once', () => {
    const two = procedure('two', { go: (s, t) => { s.a = t.choose('a', [10, 20, 30]); s.b = t.choose('b', ['x', 'y']); } });
    const p = new Program(defineModel({ name: 'm', params: {}, shared: () => ({ a: 0, b: '' }), threads: () => [thread('T', two)] }), {});
    const seen: string[] = [];
    for (let alt: number | null = 0; alt !== null; ) {
      const o = executeStep(p, p.initial, moveOf(0, alt)) as Stepped;
      seen.push(`${alt}:${o.state.shared.a}${o.state.shared.b}`);
      alt = nextAlt(o.choices);
    }
    expect(seen).toEqual(['0:10x', '3:10y', '1:20x', '4:20y', '2:30x', '5:30y']); // alt = a + 3·b
    expect(alternatives(p, p.initial, 0, (m) => executeStep(p, p.initial, m)).steps).toHaveLength(6);
  });

  it('every engine explores every value; a choice adds no dependence (DPOR runs one execution per trace)', () => {
    for (const [name, engine] of ENGINES) {
      const r = engine(new Program(pickers(2, 3), {}), opts());
      expect(r.terminals?.size, name).toBe(9);
      expect(r.cut, name).toEqual([]);
    }
    const naive = exploreNaive(new Program(pickers(2, 3), {}), opts());
    const dpor = exploreDpor(new Program(pickers(2, 3), {}), opts());
    expect(naive.stats.states).toBe(16); // 1 + 3 + 3 + 9
    expect(naive.stats.traces).toBe(9); // the two stores are independent: one trace per pair of values
    expect(dpor.stats.executions).toBe(9);
    expect(dpor.stats.sleepBlocked).toBe(0);
    expect(exploreStateful(new Program(pickers(2, 3), {}), opts()).stats.states).toBe(16);
  });

  it('finds a bug that needs one particular value, shows the choice in the trace and replays it', () => {
    const alloc = procedure<{ frame: number; owner: number[] }>('alloc', {
      pick: (s, t) => { t.f = t.choose('frame', [0, 1, 2]); },
      take: (s, t) => { t.assert(s.owner[t.f] === 0, 'I-own', `frame ${t.f} already owned`); s.owner[t.f] = t.tid + 1; },
    });
    const m = defineModel({
      name: 'alloc', params: {}, shared: () => ({ frame: 0, owner: [0, 0, 1] }),
      threads: () => [thread('C0', alloc)],
      assertions: ['I-own'],
    });
    const r = checkSpec(spec({ name: 'alloc/frame2', model: m, expect: { fail: 'I-own' } }));
    expect(r.verdict).toBe('FAIL');
    expect(r.violation!.schedule).toEqual([moveOf(0, 2)]); // alternative 2 of C0's only (fused) step
    const cx = counterexampleOf(r)!;
    expect(cx.story.steps.map((s) => s.choices.map((c) => `${c.label}=${String(c.value)}`))).toEqual([['frame=2']]);
    expect(renderSwimlanes(cx, { width: 200 }).join('\n')).toContain('choose frame = 2');
    const trace = parseTrace(JSON.stringify(traceOf(r, cx, '/tmp/t.json')), 't.json');
    expect(trace.alts).toEqual([2]);
    expect(trace.choices).toEqual(['frame = 2']);
    const again = reproduce(r.program!, { target: trace.violation, schedule: trace.schedule, steps: trace.steps, alts: trace.alts! });
    expect(again.kind).toBe('reproduced');
    const wrong = reproduce(r.program!, { target: trace.violation, schedule: trace.schedule, steps: trace.steps, alts: [5] });
    expect(wrong.kind).toBe('diverged');
    expect(wrong.story.divergence?.reason).toBe('choice');
    expect(wrong.story.divergence?.message).toContain('has no alternative 5');
  });

  it('minimisation keeps the choice a violation needs', () => {
    const worker = procedure<{ x: number }>('w', {
      a: (s, t) => { s.x += t.choose('add', [1, 2]); },
      b: (s) => { s.x += 0; },
    });
    const m = defineModel({ name: 'sum', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('A', worker), thread('B', worker)], invariants: { small: (s) => s.x < 4 } });
    const r = checkSpec(spec({ name: 'sum', model: m, expect: { fail: 'small' } }));
    expect(r.violation!.schedule).toEqual([moveOf(0, 1), moveOf(1, 1)]); // A with its second value, then B with its second value
    expect(r.minimization?.status).toBe('minimal');
  });

  it('a step whose choices differ between two runs from the same state is an ERROR', () => {
    let n = 0;
    const bad = procedure('bad', { go: (s, t) => { s.x = t.choose('v', range(1 + (n++ % 2))); } });
    const m = defineModel({ name: 'bad', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('T', bad)] });
    const r = checkSpec(spec({ name: 'bad', model: m, expect: 'pass' }));
    expect(r.verdict).toBe('ERROR');
    expect(r.error!.message).toMatch(/is not deterministic: run twice from the same state it chose/);
  });

  it('refuses a choice among no values, and one without a label', () => {
    for (const [go, msg] of [
      [(s: any, t: any) => { s.x = t.choose('v', []); }, "choose('v', …) needs a non-empty array of values"],
      [(s: any, t: any) => { s.x = t.choose('', [1]); }, 'choose() needs a label'],
    ] as const) {
      const m = defineModel({ name: 'm', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('T', procedure('p', { go }))] });
      const r = checkSpec(spec({ name: 'm', model: m, expect: 'pass' }));
      expect(r.verdict).toBe('ERROR');
      expect(r.error!.message).toContain(msg);
    }
  });
});

describe('t.assume: executions the environment rules out', () => {
  const model = (bad: number[]) => {
    const w = procedure<{ x: number }>('w', {
      read: (s, t) => { t.v = t.choose('v', [0, 1, 2]); },
      check: (s, t) => { t.assume(!bad.includes(t.v), 'v is allowed'); s.x = t.v; },
    });
    return defineModel({ name: 'assume', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('T', w)], finals: { 'not-two': (s) => s.x !== 2 } });
  };

  it('a false assumption discards the branch: no deadlock and no violation', () => {
    for (const [name, engine] of ENGINES) {
      const r = engine(new Program(model([2]), {}), opts());
      expect(r.violations, name).toEqual([]);
      expect(r.stats.deadlocks, name).toBe(0);
      expect(r.terminals?.size, name).toBe(2);
      expect(r.stats.assumeRefused, name).toBe(1);
    }
    expect(checkSpec(spec({ name: 'ok', model: model([2]), expect: 'pass' })).verdict).toBe('PASS');
    expect(checkSpec(spec({ name: 'bad', model: model([]), expect: { fail: 'not-two' } })).verdict).toBe('FAIL');
  });

  it('a thread held by an assumption at the end discards that execution (assumeBlocked), not a deadlock', () => {
    const w = procedure<{ x: number }>('w', { go: (s, t) => { t.assume(s.x === 1, 'x is 1'); } });
    const set = procedure<{ x: number }>('set', { go: (s) => { s.x = t1(s.x); } });
    const t1 = (x: number) => (x === 0 ? 2 : x);
    const m = defineModel({ name: 'held', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('W', w), thread('S', set)] });
    for (const [name, engine] of ENGINES) {
      const r = engine(new Program(m, {}), opts());
      expect(r.stats.deadlocks, name).toBe(0);
      expect(r.stats.assumeBlocked, name).toBeGreaterThan(0);
      expect(r.stats.executions, name).toBe(0);
    }
    const r = checkSpec(spec({ name: 'held', model: m, expect: 'pass' }));
    expect(r.verdict).toBe('VACUOUS'); // every execution was discarded: nothing was checked to the end
  });
});
