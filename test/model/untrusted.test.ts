import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread, type Model } from '../../src/index.ts';
import { evaluatePredicates } from '../../src/check/evaluate.ts';
import { replay } from '../../src/check/replay.ts';
import { recheckDeterminism } from '../../src/check/reproduce.ts';
import { DraftSession } from '../../src/model/draft.ts';
import { ModelError } from '../../src/model/errors.ts';
import { LocTable } from '../../src/model/location.ts';
import { Program } from '../../src/model/program.ts';
import { executeStep, NondeterminismError } from '../../src/model/step.ts';

// Issue 9: a model the checker cannot trust is a ModelError (verdict ERROR), never a verdict.
const DET = 'steps must be functions of the state (no Math.random, Date.now, or outside variables)';

function model(steps: Record<string, (s: any, t: any) => void>, shared: () => object = () => ({ x: 0 }), n = 2, extra: object = {}): Model {
  const proc = procedure('p', steps);
  return defineModel({ name: 'm', params: {}, shared, threads: () => Array.from({ length: n }, (_, i) => thread(`T${i}`, proc)), ...extra });
}

describe('steps must be deterministic: every engine samples them, replay checks them all', () => {
  it('a step that reads an outside counter is an ERROR naming the step, the path and both values, in every engine', () => {
    for (const engine of ['naive', 'dpor', 'stateful'] as const) {
      let calls = 0;
      const m = model({ a: (s) => { s.x = calls++ % 2; } });
      const r = checkSpec(spec({ name: 'c', model: m, expect: 'pass' }), { engine });
      expect([engine, r.verdict]).toEqual([engine, 'ERROR']);
      expect(r.error?.message).toBe(`step p.a of thread T0 is not deterministic: run twice from the same state it wrote x = 0, then x = 1; ${DET}`);
    }
  });

  it('names a local, the next label, an assertion or blocking when that is what differs', () => {
    const msg = (steps: Record<string, (s: any, t: any) => void>) => {
      try {
        executeStep(new Program(model(steps), {}), new Program(model(steps), {}).initial, 0);
      } catch (e) {
        return (e as Error).message.replace(/^step p\.a of thread T0 is not deterministic: run twice from the same state it /, '').replace(`; ${DET}`, '');
      }
      return 'no error';
    };
    let n = 0;
    expect(msg({ a: (_s, t) => { t.h = n++ % 2; }, b: (s) => { s.x = 1; } })).toBe('set local h = 0, then h = 1');
    n = 0;
    expect(msg({ a: (s, t) => { s.x = 1; t.goto(n++ % 2 ? 'b' : 'c'); }, b: () => {}, c: () => {} })).toBe('went on to p.c, then to p.b');
    n = 0;
    expect(msg({ a: (s, t) => { s.x = 1; t.assert(n++ % 2 === 1, 'I'); } })).toBe("failed 'I', then no assertion");
    n = 0;
    expect(msg({ a: (s, t) => { t.await(s.x === 0 && n++ % 2 === 1, 'busy'); s.x = 1; } })).toBe('was blocked (busy), then ran');
  });

  it('a valid model gives no error and the same results with every step rechecked', () => {
    const m = model({ load: (s, t) => { t.r = s.x; }, store: (s, t) => { s.x = t.r + 1; } }, () => ({ x: 0 }), 2, { finals: { F: (s: any) => s.x === 2 } });
    const sampled = checkSpec(spec({ name: 'v', model: m, expect: { fail: 'F' } }));
    expect([sampled.verdict, sampled.ok]).toEqual(['FAIL', true]);
    const p = new Program(m, {});
    expect(recheckDeterminism(p, sampled.violation!.schedule)).toBeNull();
    expect(replay(p, sampled.violation!.schedule).divergence).toBeUndefined();
  });

  it('recheckDeterminism runs every step of a schedule twice, beyond what the sample covers', () => {
    let calls = 0;
    // Deterministic for its first runs, then not: the explorers' sample has moved on by then.
    const m = model({ a: (s) => { s.x = 1; }, b: (s) => { s.x = calls++ < 4 ? 2 : calls; } });
    const p = new Program(m, {});
    p.stepsRun = 1e6 + 1; // past the every-step phase, off the every-64th beat
    p.recheckedSteps.add(m.threads({})[0]!.proc.steps.b);
    calls = 0;
    const e = recheckDeterminism(p, [0, 0, 1, 1, 0]);
    expect(e).toBeInstanceOf(NondeterminismError);
    // Each executeStep also reruns its step (recheckAll while rechecking): runs 5 and 6 differ.
    expect(e?.message).toMatch(/^step p\.b of thread T1 is not deterministic: run twice from the same state it wrote x = 5, then x = 6;/);
  });

  it('replay reports a nondeterministic step as a divergence, not as a different story', () => {
    let calls = 0;
    const p = new Program(model({ a: (s) => { s.x = calls++ % 2; } }), {});
    const story = replay(p, [0, 1]);
    expect(story.divergence?.reason).toBe('nondeterministic');
    expect(story.divergence?.message).toBe(`step p.a of thread T0 is not deterministic: run twice from the same state it wrote x = 0, then x = 1; ${DET}`);
  });
});

describe('steps and predicates must be synchronous', () => {
  it('refuses async and generator functions where they are defined', () => {
    expect(() => procedure('p', { a: async () => {} })).toThrow('step p.a is an async function: steps must be synchronous functions (remove async/await)');
    expect(() => procedure('p', { a: function* () {} as any })).toThrow('step p.a is a generator function');
    const ok = procedure('q', { a: () => {} });
    expect(() => defineModel({ name: 'm', params: {}, shared: () => ({}), threads: () => [thread('T', ok)], invariants: { I: (async () => true) as any } }))
      .toThrow("invariant 'I' of model 'm' is an async function: predicates must be synchronous functions (remove async/await)");
  });

  it('a step that returns a promise is an error, and what it does after its await never surfaces', async () => {
    const m = model({ a: ((s: any) => (async () => { await null; s.x = 1; })()) as any });
    const r = checkSpec(spec({ name: 'a', model: m, expect: 'pass' }));
    expect(r.error?.message).toBe('step p.a of thread T0 returned a Promise: steps must be synchronous functions (remove async/await)');
    await new Promise((res) => setTimeout(res, 10)); // an unhandled rejection would fail this test file
  });
});

describe('state, locals and parameters are plain data that JSON keeps exactly', () => {
  const initialError = (shared: () => object, params: object = {}, args: object = {}) => {
    const proc = procedure('p', { a: () => {} });
    try {
      new Program(defineModel({ name: 'm', params: {}, shared, threads: () => [thread('T', proc, args as any)] }), params as any);
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      return (e as Error).message.split(':')[0];
    }
    return 'no error';
  };

  it('refuses undefined, NaN, Infinity, holes and cycles in the initial state, parameters and thread arguments', () => {
    expect(initialError(() => ({ frames: [{ owner: 1 }, { owner: undefined }] }))).toBe('shared.frames[1].owner is undefined');
    expect(initialError(() => ({ a: [NaN] }))).toBe('shared.a[0] is NaN');
    expect(initialError(() => ({ a: -Infinity }))).toBe('shared.a is -Infinity');
    expect(initialError(() => ({ a: [1, , 3] }))).toBe('shared.a[1] is a hole (an array slot never assigned)');
    expect(initialError(() => ({ 'odd key': { f: () => 1 } }))).toBe('shared["odd key"].f is a function');
    expect(initialError(() => { const a: any = { b: [{}] }; a.b[0].c = a.b; return { a }; })).toBe('shared.a.b[0].c refers back to shared.a.b');
    expect(initialError(() => ({}), { frames: Infinity })).toBe('params.frames is Infinity');
    expect(initialError(() => ({}), { list: [1, undefined] })).toBe('params.list[1] is undefined');
    expect(initialError(() => ({}), {}, { cpu: NaN })).toBe('thread T');
  });

  it('refuses them in stores, locals, call arguments and return values, naming the step', () => {
    const err = (steps: Record<string, (s: any, t: any) => void>, shared: () => object = () => ({ x: 0, a: [1] })) => {
      const r = checkSpec(spec({ name: 'e', model: model(steps, shared, 1), expect: 'pass' }));
      expect(r.verdict).toBe('ERROR');
      const m = r.error!.message; // up to the fix: `<step>: <path> is <what>`
      const i = m.indexOf(': ', m.search(/ (is|refers back to|would leave) /));
      return i < 0 ? m : m.slice(0, i);
    };
    expect(err({ a: (s) => { s.x = 0 / 0; } })).toBe('thread T0, step p.a: shared.x is NaN');
    expect(err({ a: (s) => { s.a.push(undefined); } })).toBe('thread T0, step p.a: shared.a[1] is undefined');
    expect(err({ a: (s) => { s.a[3] = 1; } })).toMatch(/^thread T0, step p\.a: storing shared\.a\[3\] past the end \(length 1\) would leave holes/);
    expect(err({ a: (s) => { s.a.length = 4; } })).toMatch(/^thread T0, step p\.a: shared\.a\.length = 4 would leave holes/);
    expect(err({ a: (s) => { s.x = { y: [Infinity] }; } })).toBe('thread T0, step p.a: shared.x.y[0] is Infinity');
    expect(err({ a: (_s, t) => { t.q = [NaN]; } })).toBe('thread T0, step p.a: t.q[0] is NaN');
    expect(err({ a: (_s, t) => { t.f = () => 1; } })).toBe('thread T0, step p.a: t.f is a function');
    const callee = procedure('callee', { c: (_s, t) => { t.ret(t.n / 0); } });
    expect(err({ a: (_s, t) => { t.call(callee, { n: undefined }); } })).toBe("thread T0, step p.a: the arguments of 'callee': args.n is undefined");
    expect(err({ a: (_s, t) => { t.call(callee, { n: 1 }, { into: 'r' }); } })).toBe("thread T0, step callee.c: the return value of 'callee' is Infinity");
    expect(err({ a: (s) => { s.o = {}; s.o.self = s.o; } }, () => ({}))).toBe('thread T0, step p.a: shared.o.self refers back to shared.o');
    expect(err({ a: (s) => { s.o.p = { q: s.o }; } }, () => ({ o: {} }))).toBe('thread T0, step p.a: shared.o.p.q refers back to shared.o');
  });

  it('a local set to undefined is removed, as before (t.x = undefined means no local x)', () => {
    const p = new Program(model({ a: (s, t) => { t.h = 1; s.x = 1; }, b: (s, t) => { t.h = undefined; s.x = 2; }, c: (s) => { s.x = 3; } }, () => ({ x: 0 }), 1), {});
    const first = executeStep(p, p.initial, 0);
    if (first.kind !== 'step') throw new Error('expected a step');
    expect(first.state.threads[0]![0]!.locals).toEqual({ h: 1 });
    const o = executeStep(p, first.state, 0);
    expect(o.kind === 'step' && o.state.threads[0]![0]!.locals).toEqual({});
  });

  it('stores -0 as 0, in state, locals and parameters, as a trace file would give it back', () => {
    const p = new Program(model({ a: (s, t) => { s.x = -0; s.a = [-0, { z: -0 }]; t.l = -0; t.m = [-0]; }, b: (s) => { s.x = 1; } }, () => ({ x: 0, a: [] }), 1), { k: -0, l: [-0] } as any);
    expect(Object.is(p.params.k, 0) && Object.is((p.params.l as number[])[0], 0)).toBe(true);
    const o = executeStep(p, p.initial, 0);
    if (o.kind !== 'step') throw new Error('expected a step');
    const { shared } = o.state;
    expect([Object.is(shared.x, 0), Object.is(shared.a[0], 0), Object.is(shared.a[1].z, 0)]).toEqual([true, true, true]);
    const locals = o.state.threads[0]![0]!.locals as any;
    expect([Object.is(locals.l, 0), Object.is(locals.m[0], 0)]).toEqual([true, true]);
  });

  it('copying part of the state elsewhere copies it, even after a store to it in the same step', () => {
    const d = new DraftSession({ a: { v: 1, w: { k: 1 } }, b: null }, new LocTable());
    const s = d.proxy;
    s.a.v = 2;
    s.a.w.k = 2;
    s.b = s.a;
    s.a.v = 3;
    s.a.w.k = 3;
    expect(d.finish().root).toEqual({ a: { v: 3, w: { k: 3 } }, b: { v: 2, w: { k: 2 } } });
  });
});

describe('predicates are evaluated through one helper that names a broken one', () => {
  const p = new Program(model({ a: () => {} }, () => ({ x: 0, owners: [0, 0] }), 1), {});
  const ev = (fn: (s: any) => unknown, kind: 'invariant' | 'final' | 'witness' = 'invariant') =>
    () => evaluatePredicates(p, p.initial.shared, [{ name: 'I-own', fn: fn as any }], kind);

  it('throws a ModelError naming the predicate for each way it can be broken', () => {
    expect(ev((s) => s.missing.deref)).toThrow("invariant 'I-own' threw: TypeError: Cannot read properties of undefined (reading 'deref')");
    expect(ev((s) => { s.x = 1; return true; })).toThrow("invariant 'I-own' wrote shared.x: predicates must only read");
    expect(ev((s) => { delete s.owners[1]; return true; }, 'witness')).toThrow("witness 'I-own' wrote shared.owners[1]: predicates must only read");
    expect(ev((s) => s.x + 3)).toThrow("invariant 'I-own' returned 3, not a boolean");
    expect(ev((s) => s.owners, 'final')).toThrow("final 'I-own' returned an array, not a boolean");
    expect(ev(() => 'yes')).toThrow('invariant \'I-own\' returned "yes", not a boolean');
    expect(ev(() => undefined)).toThrow("invariant 'I-own' returned undefined (a missing return?), not a boolean");
    expect(ev(async () => true)).toThrow("invariant 'I-own' returned a Promise: predicates must be synchronous functions (remove async/await)");
    expect(ev(() => { throw new ModelError('custom'); })).toThrow(ModelError);
    expect(ev((s) => s.x === 0)()).toEqual([]);
  });
});
