import { describe, expect, it } from 'vitest';
import { DraftSession, undoStores } from '../../src/model/draft.ts';
import { ModelError } from '../../src/model/errors.ts';
import { footprintsConflict } from '../../src/model/footprint.ts';
import { LocTable } from '../../src/model/location.ts';

function record(base: object, fn: (s: any) => void, table = new LocTable()) {
  const d = new DraftSession(base, table);
  fn(d.proxy);
  const { root, rec } = d.finish();
  const paths = (ls: { path: string }[]) => ls.map((l) => l.path).sort();
  return { root, rec, reads: paths(rec.reads), navs: paths(rec.navs), writes: paths(rec.writes), table };
}

describe('the draft records every access to shared state as a path', () => {
  it('records a leaf load as a read of its full path, not of the objects on the way', () => {
    const r = record({ frames: [{ refcount: 1 }, { refcount: 2 }] }, (s) => s.frames[1].refcount);
    expect(r.reads).toEqual(['frames.1.refcount']);
    expect(r.navs).toEqual([]);
    expect(r.writes).toEqual([]);
  });

  it('records a store as a write and leaves the base untouched (copy on write)', () => {
    const base = Object.freeze({ a: Object.freeze({ x: 1, y: 2 }), b: Object.freeze({ z: 3 }) });
    const r = record(base, (s) => { s.a.x = 5; });
    expect(r.writes).toEqual(['a.x']);
    expect(r.root).toEqual({ a: { x: 5, y: 2 }, b: { z: 3 } });
    expect(base.a.x).toBe(1);
    expect(r.root.b).toBe(base.b); // untouched subtree keeps its identity
  });

  it('returns the same root when nothing was written', () => {
    const base = { a: 1 };
    expect(record(base, (s) => s.a).root).toBe(base);
  });

  it('records length, iteration and keys as a read of the container', () => {
    expect(record({ q: [1, 2] }, (s) => s.q.length).reads).toEqual(['q']);
    expect(record({ m: { a: 1, b: 2 } }, (s) => Object.keys(s.m)).reads).toEqual(['m']);
    expect(record({ q: [1, 2] }, (s) => [...s.q]).reads).toContain('q');
  });

  it('records an existence test as a navigation, which only a store of the path or above conflicts with', () => {
    const table = new LocTable();
    const probe = record({ m: { k: { v: 1 } } }, (s) => 'k' in s.m, table);
    expect(probe.navs).toEqual(['m.k']);
    const inner = record({ m: { k: { v: 1 } } }, (s) => { s.m.k.v = 2; }, table);
    const replace = record({ m: { k: { v: 1 } } }, (s) => { s.m.k = { v: 2 }; }, table);
    expect(footprintsConflict(probe.rec, inner.rec)).toBe(false);
    expect(footprintsConflict(probe.rec, replace.rec)).toBe(true);
  });

  it('drops a navigation covered by an access below it', () => {
    const r = record({ frames: [{ rc: 1 }] }, (s) => { const f = s.frames[0]; return f.rc; });
    expect(r.navs).toEqual([]);
    expect(r.reads).toEqual(['frames.0.rc']);
  });

  it('records push as a write of the new index and of the length', () => {
    const r = record({ q: [7] }, (s) => { s.q.push(8); });
    expect(r.writes).toEqual(['q.1', 'q.length']);
    expect(r.reads).toEqual(['q']);
    expect(r.root.q).toEqual([7, 8]);
  });

  it('treats a value copied out of shared state as a read of its whole subtree', () => {
    const r = record({ a: { x: 1, y: [1, 2] }, b: null }, (s) => { s.b = s.a; });
    expect(r.reads).toEqual(['a']);
    expect(r.writes).toEqual(['b']);
    expect(r.root.b).toEqual({ x: 1, y: [1, 2] });
  });

  it('copies values, never aliases: state is a tree, so a later store to the source does not show in the copy', () => {
    const r = record({ a: [1], b: null }, (s) => { s.b = { a: s.a }; s.a.push(2); });
    expect(r.root).toEqual({ a: [1, 2], b: { a: [1] } });
  });

  it('conflict rule: overlapping paths with at least one write', () => {
    const table = new LocTable();
    const wholeRead = record({ a: { x: 1, y: 2 } }, (s) => JSON.stringify(s.a), table);
    const leafWrite = record({ a: { x: 1, y: 2 } }, (s) => { s.a.y = 3; }, table);
    const otherLeafRead = record({ a: { x: 1, y: 2 } }, (s) => s.a.x, table);
    expect(footprintsConflict(wholeRead.rec, leafWrite.rec)).toBe(true);
    expect(footprintsConflict(otherLeafRead.rec, leafWrite.rec)).toBe(false);
    expect(footprintsConflict(otherLeafRead.rec, wholeRead.rec)).toBe(false);
  });

  it('undoes stores exactly, including new keys and array lengths', () => {
    const base = { q: [1], m: { a: 1 } as Record<string, number> };
    const r = record(base, (s) => { s.q.push(2); s.q[0] = 9; s.m.b = 4; delete s.m.a; });
    expect(undoStores(r.root, r.rec.undo)).toEqual(base);
  });

  it('rejects state that is not plain data, and writes in read-only evaluations', () => {
    expect(() => record({ a: 1 }, (s) => { s.a = new Map(); })).toThrow(ModelError);
    expect(() => record({ a: 1 }, (s) => { s.a = () => 1; })).toThrow(/function/);
    const d = new DraftSession({ a: 1 }, new LocTable(), { readOnly: "invariant 'I'" });
    expect(() => { d.proxy.a = 2; }).toThrow("invariant 'I' wrote shared.a: predicates must only read");
  });

  it('rejects a reference kept past the end of its step', () => {
    const d = new DraftSession({ a: { x: 1 } }, new LocTable());
    const kept = d.proxy.a;
    d.finish();
    expect(() => kept.x).toThrow(/after its step ended/);
  });
});
