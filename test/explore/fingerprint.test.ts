import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LocTable } from '../../src/model/location.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep } from '../../src/model/step.ts';
import { fingerprint, hashShared, hashThread, combine, updateShared } from '../../src/explore/fingerprint.ts';
import { stateKey } from '../../src/explore/state-key.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';
import { programArb, randomModel } from '../support/random-program.ts';

const { catalogue, larger } = await loadCatalogue();

const h = (v: unknown) => hashShared(new LocTable(), v);

describe('shared-state fingerprints', () => {
  it('are the same for equal trees whatever the key order, and differ by kind and type', () => {
    expect(h({ a: 1, b: [2, 3] })).toEqual(h({ b: [2, 3], a: 1 }));
    const distinct = [{}, [], { a: 1 }, { a: '1' }, { a: true }, { a: null }, { a: [1] }, { a: { 0: 1 } }, { a: [] }, { a: {} }, { a: [1, 2] }, { a: [2, 1] }, { a: 1.5 }, { b: 1 }, { a: { b: 1 } }, { a: { c: 1 } }, { a: undefined }];
    const seen = new Set(distinct.map((v) => JSON.stringify(h(v))));
    expect(seen.size).toBe(distinct.length);
  });

  it('treat -0 as 0 and an array hole as an undefined element, as canonical() does', () => {
    expect(h({ a: -0 })).toEqual(h({ a: 0 }));
    // eslint-disable-next-line no-sparse-arrays
    expect(h([1, , 3])).toEqual(h([1, undefined, 3]));
  });

  it('a thread stack hash depends on the frames and the locals; a state hash, on which thread has which stack', () => {
    const f = [{ proc: 'p', label: 'a', locals: { x: 1 }, into: null }];
    const g = [{ ...f[0]!, label: 'b' }];
    expect(hashThread(f)).not.toEqual(hashThread([{ ...f[0]!, locals: { x: 2 } }]));
    expect(hashThread(f)).not.toEqual(hashThread(g));
    expect(hashThread(f)).not.toEqual(hashThread([]));
    expect(hashThread([{ ...f[0]!, locals: { x: 1, y: [1, 2] } }])).toEqual(hashThread([{ ...f[0]!, locals: { y: [1, 2], x: 1 } }]));
    const s = h({});
    expect(combine(s, [hashThread(f), hashThread(g)])).not.toEqual(combine(s, [hashThread(g), hashThread(f)]));
    expect(combine(s, [hashThread(f), hashThread(g)], [1, 0])).toEqual(combine(s, [hashThread(g), hashThread(f)]));
  });
});

/** Walks random schedules; at every step the incremental hash must equal a full rehash. */
function walk(program: Program, choices: number[]): void {
  let state: State = program.initial;
  let shared = hashShared(program.locs, state.shared);
  let threads = state.threads.map((f) => hashThread(f));
  for (const c of choices) {
    const enabled = program.threads.map((t) => executeStep(program, state, t.tid)).filter((o) => o.kind === 'step');
    if (enabled.length === 0) return;
    const e = enabled[c % enabled.length]!;
    if (e.kind !== 'step') return;
    shared = updateShared(program.locs, shared, state.shared, e.state.shared, e.rec.writes);
    threads = threads.slice();
    threads[e.tid] = hashThread(e.state.threads[e.tid]!);
    state = e.state;
    expect(shared).toEqual(hashShared(program.locs, state.shared));
    expect(combine(shared, threads)).toEqual(fingerprint(program.locs, state));
  }
}

describe('the incremental update from recorded writes equals a full rehash', () => {
  it('on random programs', () => {
    fc.assert(
      fc.property(programArb(), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (prog, choices) => walk(new Program(randomModel, { prog }), choices)),
      { numRuns: 300, seed: 11 },
    );
  });

  it.each([...catalogue, ...larger].map((s) => [s.name, s] as const))('on %s', (_, s) => {
    const program = new Program(s.model, { ...s.model.params, ...(s.params ?? {}) });
    fc.assert(fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 200 }), (choices) => walk(program, choices)), { numRuns: 10, seed: 5 });
  });
});

describe('fingerprints separate every state of the catalogue', () => {
  it('no two distinct states of any spec share a fingerprint', () => {
    // Every state of every spec with at most MAX states (the reach configurations have up to a
    // million; their counts are pinned with both stores in larger.test.ts and stateful.test.ts).
    const MAX = 14_000;
    for (const s of [...catalogue, ...larger]) {
      const program = new Program(s.model, { ...s.model.params, ...(s.params ?? {}) });
      const byFp = new Map<string, string>();
      const todo: State[] = [program.initial];
      const seen = new Set<string>([stateKey(program.initial)]);
      while (todo.length > 0) {
        const st = todo.pop()!;
        const key = stateKey(st);
        const fp = JSON.stringify(fingerprint(program.locs, st));
        const other = byFp.get(fp);
        expect(other === undefined || other === key, `${s.name}: two states share ${fp}`).toBe(true);
        byFp.set(fp, key);
        for (const t of program.threads) {
          const o = executeStep(program, st, t.tid);
          if (o.kind !== 'step') continue;
          const k = stateKey(o.state);
          if (!seen.has(k)) (seen.add(k), todo.push(o.state));
        }
        if (seen.size > MAX) break;
      }
      if (seen.size > MAX) continue;
      expect(byFp.size).toBe(seen.size);
    }
  });
});
