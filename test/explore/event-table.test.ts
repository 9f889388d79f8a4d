import { describe, expect, it } from 'vitest';
import { Dependence } from '../../src/explore/dependence.ts';
import { EventTable, type Interned } from '../../src/explore/event-table.ts';
import type { Footprint } from '../../src/model/footprint.ts';
import { LocTable } from '../../src/model/location.ts';

/** The key the table used to use, min·2^20 + max, shared by (0, 2^20 + 1) and (1, 1). */
const OLD_SHIFT = 2 ** 20;

describe('EventTable memoises dependence exactly, for any number of events', () => {
  it('past 2^20 interned events, pairs that shared the old min·2^20+max key get their own answers', () => {
    const locs = new LocTable();
    const readX: Footprint = { reads: [locs.at('x')], navs: [], writes: [] };
    const readY: Footprint = { reads: [locs.at('y')], navs: [], writes: [] };
    const writeY: Footprint = { reads: [], navs: [], writes: [locs.at('y')] };
    const dep = new Dependence([]);
    const table = new EventTable(dep);

    // Event k runs on thread k, so every event is distinct and two events are dependent only
    // through their footprints. Event 1 writes y; event 2^20 + 3 reads y; all others read x.
    const total = OLD_SHIFT + 8;
    const ev: Interned[] = [];
    for (let k = 0; k < total; k++) {
      ev.push(table.intern(k, k === 1 ? writeY : k === OLD_SHIFT + 3 ? readY : readX, false));
    }
    expect(table.size).toBe(total);
    expect(ev[OLD_SHIFT + 1]!.id).toBe(OLD_SHIFT + 1);
    expect(table.intern(5, readX, false)).toBe(ev[5]); // interning is idempotent

    // (1, 1) and (0, 2^20 + 1) shared old key 2^20 + 1: the first is dependent, the second not.
    expect(table.dependent(ev[1]!, ev[1]!)).toBe(true);
    expect(table.dependent(ev[0]!, ev[OLD_SHIFT + 1]!)).toBe(false);
    expect(table.dependent(ev[OLD_SHIFT + 1]!, ev[0]!)).toBe(false);

    // (2, 3) and (1, 2^20 + 3) shared old key 2·2^20 + 3: the first is independent, the second not.
    expect(table.dependent(ev[2]!, ev[3]!)).toBe(false);
    expect(table.dependent(ev[1]!, ev[OLD_SHIFT + 3]!)).toBe(true);
    expect(table.dependent(ev[OLD_SHIFT + 3]!, ev[1]!)).toBe(true);

    // Memoised answers agree with the relation itself, asked twice (cold, then cached), for
    // pairs in the dense range, across its edge and far beyond it.
    const probes = [0, 1, 2, 3, 63, 64, 2047, 2048, 2049, OLD_SHIFT - 1, OLD_SHIFT, OLD_SHIFT + 1, OLD_SHIFT + 3, total - 1];
    for (let round = 0; round < 2; round++) {
      for (const a of probes) {
        for (const b of probes) {
          expect(table.dependent(ev[a]!, ev[b]!), `(${a}, ${b})`).toBe(dep.dependent(ev[a]!, ev[b]!));
        }
      }
    }
  });

  it('keeps what it memoised while the dense matrix grows', () => {
    const locs = new LocTable();
    const w = (p: string): Footprint => ({ reads: [], navs: [], writes: [locs.at(p)] });
    const dep = new Dependence([]);
    const table = new EventTable(dep);
    // Thread k writes location k % 3: events are dependent exactly when k ≡ k' (mod 3).
    const ev = Array.from({ length: 40 }, (_, k) => table.intern(k, w(`l${k % 3}`), false));
    const answers = ev.map((a) => ev.map((b) => table.dependent(a, b)));
    for (let k = 40; k < 5000; k++) ev.push(table.intern(k, w(`l${k % 3}`), false)); // grows past 64, ..., 2048
    for (let a = 0; a < 40; a++) for (let b = 0; b < 40; b++) expect(table.dependent(ev[a]!, ev[b]!)).toBe(answers[a]![b]);
    for (const [a, b] of [[0, 3], [0, 4], [39, 4998], [2047, 2050], [4999, 4996], [4999, 4998]] as const) {
      expect(table.dependent(ev[a]!, ev[b]!), `(${a}, ${b})`).toBe(a % 3 === b % 3);
    }
  });
});
