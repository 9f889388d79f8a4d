import fc from 'fast-check';
import { enablePatches, produceWithPatches, setAutoFreeze } from 'immer';
import { describe, expect, it } from 'vitest';
import { DraftSession, freezeDeep, undoStores } from '../../src/model/draft.ts';
import { LocTable, overlaps } from '../../src/model/location.ts';

enablePatches();
setAutoFreeze(false);

/**
 * The purpose-built draft must behave like immer on any step function: same resulting state,
 * every store immer reports as a patch recorded as a write, and the undo log restoring the base.
 */
type Json = number | Json[] | { [k: string]: Json };
type Op =
  | { k: 'read'; path: number[] }
  | { k: 'set'; path: number[]; key: number; value: Json }
  | { k: 'copy'; from: number[]; path: number[]; key: number }
  | { k: 'delete'; path: number[]; key: number }
  | { k: 'push'; path: number[]; value: Json }
  | { k: 'pop'; path: number[] }
  | { k: 'splice'; path: number[]; at: number }
  | { k: 'keys'; path: number[] }
  | { k: 'spread'; path: number[]; key: number };

const KEYS = ['a', 'b', 'c'];
const leaf = fc.integer({ min: 0, max: 3 });
const json: fc.Arbitrary<Json> = fc.letrec<{ v: Json }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 3 }),
  ),
})).v;
const root = fc.dictionary(fc.constantFrom(...KEYS), json, { minKeys: 1, maxKeys: 3 });
const path = fc.array(fc.nat({ max: 5 }), { maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('read' as const), path }),
  fc.record({ k: fc.constant('set' as const), path, key: fc.nat({ max: 5 }), value: json }),
  fc.record({ k: fc.constant('copy' as const), from: path, path, key: fc.nat({ max: 5 }) }),
  fc.record({ k: fc.constant('delete' as const), path, key: fc.nat({ max: 5 }) }),
  fc.record({ k: fc.constant('push' as const), path, value: json }),
  fc.record({ k: fc.constant('pop' as const), path }),
  fc.record({ k: fc.constant('splice' as const), path, at: fc.nat({ max: 3 }) }),
  fc.record({ k: fc.constant('keys' as const), path }),
  fc.record({ k: fc.constant('spread' as const), path, key: fc.nat({ max: 5 }) }),
);

/** Walks `path` as indices into the current keys, stopping at the first non-container. */
function walk(d: any, path: number[]): any {
  let cur = d;
  for (const i of path) {
    const keys = Object.keys(cur);
    if (keys.length === 0) break;
    const next = cur[keys[i % keys.length]!];
    if (next === null || typeof next !== 'object') break;
    cur = next;
  }
  return cur;
}
const keyOf = (c: any, i: number) => (Array.isArray(c) ? String(i % (c.length + 1)) : KEYS[i % KEYS.length]!);

/** One step function, written once, run under both drafts. */
function recipe(ops: Op[]) {
  return (d: any) => {
    for (const o of ops) {
      const c = walk(d, o.k === 'copy' ? o.path : o.path);
      switch (o.k) {
        case 'read': JSON.stringify(c); break;
        case 'set': c[keyOf(c, o.key)] = structuredClone(o.value); break;
        // Copies are by value: shared state is a tree, so a copy never aliases its source (immer
        // would keep the alias inside the recipe; the draft-test file pins our value semantics).
        case 'copy': { const src = walk(d, o.from); c[keyOf(c, o.key)] = JSON.parse(JSON.stringify(src)); break; }
        case 'delete': if (!Array.isArray(c)) delete c[keyOf(c, o.key)]; break;
        case 'push': if (Array.isArray(c)) c.push(structuredClone(o.value)); break;
        case 'pop': if (Array.isArray(c)) c.pop(); break;
        case 'splice': if (Array.isArray(c) && c.length > 0) c.splice(o.at % c.length, 1); break;
        case 'keys': Object.keys(c).length; break;
        case 'spread': if (!Array.isArray(c)) c[keyOf(c, o.key)] = JSON.parse(JSON.stringify({ ...c })); break;
      }
    }
  };
}

describe('the recording draft agrees with immer', () => {
  it('gives the same state, records every patched path as a write, and undoes exactly', () => {
    fc.assert(
      fc.property(root, fc.array(op, { maxLength: 8 }), (base, ops) => {
        freezeDeep(base);
        const [expected, patches] = produceWithPatches(base, recipe(ops));
        const table = new LocTable();
        const draft = new DraftSession(base, table);
        recipe(ops)(draft.proxy);
        const { root: ours, rec } = draft.finish();
        expect(ours).toEqual(expected);
        for (const p of patches) {
          const at = table.at(p.path.map(String).join('.'));
          expect(rec.writes.some((w) => overlaps(w, at)), `patch ${p.op} ${p.path.join('.')} is recorded`).toBe(true);
        }
        expect(undoStores(ours, rec.undo)).toEqual(base);
      }),
      { numRuns: 2000, seed: 20261126 },
    );
  });
});
