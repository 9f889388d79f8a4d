import { describe, expect, it } from 'vitest';
import { defineModel, procedure, thread } from '../../src/index.ts';
import { Program } from '../../src/model/program.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { resolveBounds, type Bounds } from '../../src/explore/types.ts';
import { notBoth } from '../../models/oracles/mutex.ts';
import { lastzero } from '../../models/oracles/lastzero.ts';
import { explore } from '../support/run.ts';
import { oracleCases } from './oracles.ts';

/**
 * `npm test` checks the counts up to 20,000 traces; `npm run test:long` (which CI runs too) sets
 * SMPCHECK_LONG and adds the largest (lastzero(13..15), readers(16): up to 147,456 executions),
 * so that the default suite stays a few minutes even on a busy machine.
 */
const ORACLE_LIMIT = process.env.SMPCHECK_LONG ? Infinity : 20_000;

describe('optimal DPOR reproduces every published count (models/oracles), one execution per trace', () => {
  it.each(oracleCases(ORACLE_LIMIT).map((c) => [c.name, c] as const))('%s', (_, c) => {
    const r = explore('dpor', c.model, c.params);
    expect(r.cut).toEqual([]);
    expect(r.violations).toEqual([]);
    expect(r.stats.executions).toBe(c.traces);
    expect(r.stats.sleepBlocked).toBe(0);
  });
});

function run(model: Parameters<typeof explore>[1], bounds: Bounds = {}, stopOnAny = false) {
  return exploreDpor(new Program(model, model.params), {
    bounds: resolveBounds({ maxDepth: 500, ...bounds }),
    deadlockIsViolation: true,
    stopOn: () => stopOnAny,
  });
}

describe('DPOR sees what invariants and witnesses read', () => {
  it("finds the 'not-both' probe although its two threads never touch the same location", () => {
    const r = run(notBoth);
    expect(r.violations.map((v) => v.property)).toEqual(['not-both']);
    const [v] = r.violations;
    expect(v!.schedule).toEqual([0, 1]); // x := 1 by T1, then y := 1 by T2
  });

  it('grows the observed set when an invariant reads further in a later state, and restarts', () => {
    // The invariant reads y only once x is 1: y is not observed at the start.
    type S = { x: number; y: number };
    const setX = procedure<S>('set_x', { w: (s) => { s.x = 1; } });
    const flipY = procedure<S>('flip_y', { set: (s) => { s.y = 1; }, clear: (s) => { s.y = 0; } });
    const m = defineModel({
      name: 'late-read',
      params: {},
      shared: (): S => ({ x: 0, y: 0 }),
      threads: () => [thread('A', setX), thread('B', flipY)],
      invariants: { 'not-both': (s) => !(s.x === 1 && s.y === 1) },
    });
    expect(run(m).violations.map((v) => v.property)).toEqual(['not-both']);
  });

  it('reaches witnesses that hold only in some interleavings', () => {
    type S = { x: number; y: number };
    const flip = procedure<S>('flip', { set: (s, t) => { s[t.v as 'x' | 'y'] = 1; }, clear: (s, t) => { s[t.v as 'x' | 'y'] = 0; } });
    const m = defineModel({
      name: 'overlap',
      params: {},
      shared: (): S => ({ x: 0, y: 0 }),
      threads: () => [thread('A', flip, { v: 'x' }), thread('B', flip, { v: 'y' })],
      witnesses: { 'W-both': (s) => s.x === 1 && s.y === 1 },
    });
    expect(run(m).witnessesReached).toEqual(['W-both']);
  });
});

describe('DPOR bounds never hide a cut', () => {
  it('reports depth, execution and time cuts', () => {
    expect(run(lastzero, { maxDepth: 3 }).cut).toContain('depth');
    const capped = exploreDpor(new Program(lastzero, { n: 8 }), { bounds: resolveBounds({ maxExecutions: 10 }), deadlockIsViolation: true, stopOn: () => false });
    expect([capped.cut, capped.stats.executions, capped.stats.traces]).toEqual([['executions'], 10, null]);
    const timed = exploreDpor(new Program(lastzero, { n: 14 }), { bounds: resolveBounds({ timeMs: 50 }), deadlockIsViolation: true, stopOn: () => false });
    expect(timed.cut).toEqual(['time']);
    expect(timed.stats.traces).toBeNull();
  });

  it('stops at the first violation it is asked to stop on', () => {
    const r = run(notBoth, {}, true);
    expect(r.cut).toEqual(['stopped']);
    expect(r.violations.length).toBe(1);
  });
});

describe('DPOR checks that steps are deterministic', () => {
  it('reports a step whose footprint changes when it is re-run in the same state', () => {
    let calls = 0;
    type S = { x: number; y: number };
    const flaky = procedure<S>('flaky', { r: (s, t) => { t.v = calls++ % 2 === 0 ? s.x : s.y; } });
    const w2 = procedure<S>('w', { z: (s) => { (s as any).z = 1; } });
    const m = defineModel({ name: 'flaky', params: {}, shared: (): S => ({ x: 0, y: 0, z: 0 }) as S, threads: () => [thread('B', w2), thread('A', flaky)] });
    const r = run(m);
    // The step's own determinism sample (src/model/step.ts) sees it before DPOR's footprint check.
    expect(r.error?.error.message).toBe('step flaky.r of thread A is not deterministic: run twice from the same state it read [x], then [y]; steps must be functions of the state (no Math.random, Date.now, or outside variables)');
  });
});
