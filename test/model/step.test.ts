import { describe, expect, it } from 'vitest';
import { defineModel, procedure, thread } from '../../src/index.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep, StepError, type Outcome } from '../../src/model/step.ts';

function program(threads: ReturnType<typeof thread>[], shared: object = { x: 0, locks: { L: 0 } }, procedures: any[] = []) {
  return new Program(defineModel({ name: 'm', params: {}, shared: () => shared, threads: () => threads, procedures }), {});
}

function run(p: Program, tids: number[]): { state: State; outs: Outcome[] } {
  let state = p.initial;
  const outs: Outcome[] = [];
  for (const tid of tids) {
    const o = executeStep(p, state, tid);
    outs.push(o);
    if (o.kind === 'step') state = o.state;
  }
  return { state, outs };
}

const frames = (s: State, tid: number) => s.threads[tid]!.map((f) => `${f.proc}.${f.label}`);

describe('steps, procedures, calls and returns', () => {
  it('runs labels in declaration order and finishes the thread after the last one', () => {
    const p = program([thread('T', procedure('t', { a: (s) => { s.x = 1; }, b: (s) => { s.x = 2; } }))]);
    const { state } = run(p, [0, 0]);
    expect(state.shared.x).toBe(2);
    expect(state.threads[0]).toEqual([]);
    expect(executeStep(p, state, 0).kind).toBe('done');
  });

  it('keeps locals per frame; a local is not a shared access', () => {
    const p = program([thread('T', procedure('t', { a: (s, t) => { t.v = s.x + 41; }, b: (s, t) => { s.x = t.v; } }))]);
    const first = executeStep(p, p.initial, 0);
    expect(first.kind === 'step' && first.rec.writes.length).toBe(0);
    expect(run(p, [0, 0]).state.shared.x).toBe(41);
  });

  it('calls a procedure, resumes the caller after it returns, and stores the return value', () => {
    const get = procedure('get', { load: (s, t) => { t.ret(s.x + t.add); } });
    const main = procedure('main', {
      call: (s, t) => { s.x = 1; t.call(get, { add: 10 }, { into: 'got' }); },
      use: (s, t) => { s.x = t.got; },
    });
    const p = program([thread('T', main)]);
    const a = executeStep(p, p.initial, 0);
    expect(a.kind === 'step' && frames(a.state, 0)).toEqual(['main.use', 'get.load']);
    expect(run(p, [0, 0, 0]).state.shared.x).toBe(11);
  });

  it('returns through every caller when the call was a procedure\'s last step', () => {
    const leaf = procedure('leaf', { w: (s) => { s.x = 7; } });
    const mid = procedure('mid', { go: (s, t) => { s.x = 1; t.call(leaf); } });
    const main = procedure('main', { go: (s, t) => { s.x = 2; t.call(mid); }, after: (s) => { s.x += 100; } });
    const p = program([thread('T', main)]);
    expect(run(p, [0, 0, 0, 0]).state.shared.x).toBe(107);
  });

  it('retries the calling step after a call with retry (how a trap re-runs a faulting access)', () => {
    const fix = procedure('fix', { map: (s) => { s.present = true; } });
    const main = procedure('main', { access: (s, t) => { if (!s.present) return t.call(fix, {}, { retry: true }); s.x = 1; } });
    const p = program([thread('T', main)], { x: 0, present: false });
    const { state, outs } = run(p, [0, 0, 0]);
    expect(outs.map((o) => o.kind === 'step' && `${o.proc}.${o.label}`)).toEqual(['main.access', 'fix.map', 'main.access']);
    expect(state.shared.x).toBe(1);
  });

  it('calls a procedure by name when the model lists it (a trap table)', () => {
    const handler = procedure('handler', { h: (s) => { s.x = 9; } });
    const main = procedure('main', { go: (s, t) => { s.y = 1; t.call('handler'); } });
    const p = program([thread('T', main)], { x: 0, y: 0 }, [handler]);
    expect(run(p, [0, 0]).state.shared.x).toBe(9);
  });

  it('a false await blocks the step: nothing it did is kept, and its reads are the guard footprint', () => {
    const main = procedure('main', { acquire: (s, t) => { s.scratch = 1; t.await(s.locks.L === 0, 'L held'); s.locks.L = 1; } });
    const p = program([thread('T', main)], { locks: { L: 5 }, scratch: 0 });
    const o = executeStep(p, p.initial, 0);
    expect(o.kind).toBe('blocked');
    if (o.kind !== 'blocked') return;
    expect(o.why).toBe('L held');
    expect(o.rec.reads.map((l) => l.path)).toEqual(['locks.L']);
    expect(p.initial.shared.scratch).toBe(0);
  });

  it('records failed assertions with their property name and keeps going', () => {
    const main = procedure('main', { check: (s, t) => { t.assert(s.x === 1, 'x-is-one', `x = ${s.x}`); s.x = 2; } });
    const p = program([thread('T', main)]);
    const o = executeStep(p, p.initial, 0);
    expect(o.kind === 'step' && o.failures).toEqual([{ property: 'x-is-one', detail: 'x = 0' }]);
    expect(o.kind === 'step' && o.state.shared.x).toBe(2);
  });

  it('fuses local-only steps into the next step that touches shared state', () => {
    const main = procedure('main', { l1: (s, t) => { t.a = 1; }, l2: (s, t) => { t.b = t.a + 1; }, w: (s, t) => { s.x = t.b; } });
    const p = program([thread('T', main)]);
    const o = executeStep(p, p.initial, 0);
    expect(o.kind === 'step' && [o.label, o.via]).toEqual(['w', ['main.l1', 'main.l2']]);
    expect(o.kind === 'step' && o.state.shared.x).toBe(2);
  });

  it('a blocked step after local steps blocks the whole chain: the thread does not move', () => {
    const main = procedure('main', { l: (s, t) => { t.a = 1; }, wait: (s, t) => { t.await(s.x === 1); } });
    const p = program([thread('T', main)]);
    expect(executeStep(p, p.initial, 0).kind).toBe('blocked');
  });

  it('reports broken steps as StepError naming the thread and step, with a hint', () => {
    const bad = procedure('bad', { oops: (s, t) => { t.goto('nowhere'); } });
    const p = program([thread('T', bad)]);
    expect(() => executeStep(p, p.initial, 0)).toThrow(StepError);
    expect(() => executeStep(p, p.initial, 0)).toThrow("thread T, step bad.oops: step bad.oops: goto target 'nowhere' is not a label of 'bad'");
    const mut = procedure('mut', { a: (s, t) => { t.list = [1]; }, b: (s, t) => { t.list.push(2); s.x = 1; } });
    const p2 = program([thread('T', mut)]);
    try {
      executeStep(p2, p2.initial, 0);
      throw new Error('expected a StepError');
    } catch (e) {
      expect((e as StepError).hint).toMatch(/locals .* are immutable/);
    }
  });

  it('rejects two ways out of one step, and reserved names as locals', () => {
    const two = procedure('two', { a: (s, t) => { s.x = 1; t.ret(); t.goto('a'); } });
    const p = program([thread('T', two)]);
    expect(() => executeStep(p, p.initial, 0)).toThrow(/one way out/);
    const reserved = procedure('r', { a: (s, t) => { s.x = 1; t.call(two, { goto: 1 }); } });
    const p2 = program([thread('T', reserved)]);
    expect(() => executeStep(p2, p2.initial, 0)).toThrow(/clashes with t.goto/);
  });

  it('is deterministic: the same state gives the same outcome', () => {
    const main = procedure('main', { a: (s, t) => { t.v = s.x; s.y = [t.v, 1]; } });
    const p = program([thread('T', main)], { x: 3, y: null });
    const a = executeStep(p, p.initial, 0);
    const b = executeStep(p, p.initial, 0);
    expect(a.kind === 'step' && b.kind === 'step' && [a.state, a.rec.writes]).toEqual(b.kind === 'step' && [b.state, b.rec.writes]);
  });
});
