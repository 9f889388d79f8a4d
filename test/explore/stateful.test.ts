import { describe, expect, it } from 'vitest';
import { defineModel, procedure, range, thread } from '../../src/index.ts';
import { checkSpec } from '../../src/check/run.ts';
import { spec } from '../../src/check/spec.ts';
import { PROBE_STATES } from '../../src/explore/engines.ts';
import { fallocPop } from '../../models/falloc_pop.ts';
import { lastzero, lastzeroTraces } from '../../models/oracles/lastzero.ts';

/**
 * A mutual-exclusion entry protocol that backs off and retries (Dekker's entry loop without the
 * turn variable): a thread that sees the other's flag clears its own and starts again, so the
 * state graph has cycles (two threads can back off forever). Safety holds.
 */
type Flags = { flag: number[]; inside: number };
const entry = procedure<Flags>('entry', {
  raise: (s, t) => { s.flag[t.tid] = 1; },
  check: (s, t) => { if (s.flag[1 - t.tid] === 1) t.goto('backoff'); else t.goto('enter'); },
  backoff: (s, t) => { s.flag[t.tid] = 0; t.goto('raise'); },
  enter: (s) => { s.inside += 1; },
  leave: (s, t) => { s.inside -= 1; s.flag[t.tid] = 0; },
});
const backoff = defineModel({
  name: 'backoff',
  params: {},
  shared: (): Flags => ({ flag: [0, 0], inside: 0 }),
  threads: () => range(2).map((i) => thread(`T${i}`, entry)),
  invariants: { mutex: (s) => s.inside <= 1 },
  witnesses: { 'W-inside': (s) => s.inside === 1 },
});

describe('the stateful engine', () => {
  it('completes a search over a state graph with cycles, where stateless search cannot', () => {
    const s = spec({ name: 'backoff', model: backoff, expect: 'pass' });
    const st = checkSpec(s, { engine: 'stateful' });
    expect([st.verdict, st.stats.states]).toEqual(['PASS', 32]);
    const naive = checkSpec(s, { engine: 'naive' });
    expect([naive.verdict, naive.cut, naive.stats.states]).toEqual(['INCOMPLETE', ['cycle'], 32]);
    expect(checkSpec(s, { engine: 'dpor', bounds: { maxDepth: 60 } }).verdict).toBe('INCOMPLETE');
  });

  it('ends in INCOMPLETE with what it covered when the state budget is hit', () => {
    const s = spec({ name: 'm1', model: fallocPop, params: { variant: 'L', cores: 3, ops: ['alloc', 'free'] }, expect: 'pass' });
    const r = checkSpec(s, { engine: 'stateful', bounds: { maxStates: 1000 } });
    expect([r.verdict, r.cut]).toEqual(['INCOMPLETE', ['states']]);
    expect(r.stats.states).toBe(1001);
  });

  it('ends in INCOMPLETE, not in a crash, when the memory budget is hit', () => {
    const s = spec({ name: 'm1', model: fallocPop, params: { variant: 'L', cores: 3, ops: ['alloc', 'free'] }, expect: 'pass' });
    const r = checkSpec(s, { engine: 'stateful', symmetry: false, bounds: { maxMemoryMB: 1 } });
    expect([r.verdict, r.cut]).toEqual(['INCOMPLETE', ['memory']]);
    expect(r.stats.states).toBeGreaterThan(0);
  });

  it('reports the fingerprint collision probability, and none in exact mode', () => {
    const s = spec({ name: 'm1', model: fallocPop, params: { variant: 'L', cores: 3, ops: ['alloc', 'free'] }, expect: 'pass' });
    const fp = checkSpec(s, { engine: 'stateful' });
    const n = fp.stats.states!;
    expect(fp.stats.collisionProbability).toBeCloseTo((n * (n - 1)) / 2 / 2 ** 64, 25);
    expect(fp.stats.storeBytes! / n).toBeLessThanOrEqual(64);
    const exact = checkSpec(s, { engine: 'stateful', exactStates: true });
    expect([exact.verdict, exact.stats.states, exact.stats.collisionProbability]).toEqual(['PASS', n, 0]);
  });

  it('gives the same verdict, counts and counterexample on every run', () => {
    const s = spec({ name: 'm1/U', model: fallocPop, params: { variant: 'U', cores: 3 }, expect: { fail: 'I-own' } });
    const a = checkSpec(s, { engine: 'stateful' });
    const b = checkSpec(s, { engine: 'stateful' });
    expect(a.verdict).toBe('FAIL');
    expect([b.stats, b.violation]).toEqual([a.stats, a.violation]);
  });
});

describe('--engine auto', () => {
  it('keeps the stateful engine on lock-heavy models, and says why', () => {
    const r = checkSpec(spec({ name: 'm1', model: fallocPop, params: { variant: 'L', cores: 3, ops: ['alloc', 'free', 'alloc'] }, expect: 'pass' }), { symmetry: false });
    expect([r.engine, r.verdict]).toEqual(['stateful', 'PASS']);
    expect(r.engineWhy).toMatch(/^auto: stateful; histories converge \(\d+\.\d% of transitions reached a stored state in the first 20,000 states\)$/);
  });

  it('hands tree-like programs to optimal DPOR, which counts their Mazurkiewicz traces', () => {
    const r = checkSpec(spec({ name: 'lastzero(8)', model: lastzero, params: { n: 8 }, expect: 'pass' }));
    expect([r.engine, r.verdict, r.stats.executions]).toEqual(['dpor', 'PASS', lastzeroTraces(8)]);
    expect(r.engineWhy).toBe('auto: dpor; tree-like (0.0% of transitions reached a stored state in the first 20,000 states, under 5%)');
  });

  it('uses the stateful result of a spec the probe finishes', () => {
    const r = checkSpec(spec({ name: 'm1', model: fallocPop, params: { variant: 'L' }, expect: 'pass' }));
    expect(r.stats.states).toBeLessThan(PROBE_STATES);
    expect([r.engine, r.engineWhy]).toEqual(['stateful', 'auto: stateful; done within the 20,000-state probe']);
  });

  it('never calls a probe cut by a bound or stopped by a violation done', () => {
    const cut = checkSpec(spec({ name: 'm1-cut', model: fallocPop, params: { variant: 'L' }, expect: 'pass', bounds: { maxDepth: 3 } }));
    expect([cut.verdict, cut.engineWhy]).toEqual(['INCOMPLETE', 'auto: stateful; cut (depth) within the 20,000-state probe']);
    const failed = checkSpec(spec({ name: 'm1-u', model: fallocPop, params: { variant: 'U' }, expect: { fail: 'I-own' } }));
    expect([failed.verdict, failed.engineWhy]).toEqual(['FAIL', 'auto: stateful; a violation was found within the 20,000-state probe']);
  });
});
