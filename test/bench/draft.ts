import { produce, setAutoFreeze } from 'immer';
import { DraftSession } from '../../src/model/draft.ts';
import { LocTable } from '../../src/model/location.ts';

/**
 * The cost of one small step three ways, in one process: plain mutation of a copy (no
 * recording, the floor), the recording copy-on-write draft smpcheck uses, and immer's produce
 * (auto-freeze off, as in a hot loop). The step is lastzero's writer store: one load, one store.
 */
export function draftMicrobench(iterations = 200_000): { plainNs: number; draftNs: number; immerNs: number } {
  setAutoFreeze(false);
  const base = { a: Array.from({ length: 16 }, () => 0) };
  const table = new LocTable();
  const step = (s: { a: number[] }, j: number) => { s.a[j] = s.a[j - 1]! + 1; };
  const time = (f: () => void) => {
    const t0 = performance.now();
    f();
    return ((performance.now() - t0) * 1e6) / iterations;
  };
  // Warm up all three, then measure.
  for (let k = 0; k < 3; k++) {
    time(() => { for (let i = 0; i < iterations / 10; i++) step({ a: base.a.slice() }, 1 + (i % 15)); });
  }
  const plainNs = time(() => { for (let i = 0; i < iterations; i++) step({ ...base, a: base.a.slice() }, 1 + (i % 15)); });
  const draftNs = time(() => {
    for (let i = 0; i < iterations; i++) {
      const d = new DraftSession(base, table);
      step(d.proxy, 1 + (i % 15));
      d.finish();
    }
  });
  const immerNs = time(() => { for (let i = 0; i < iterations; i++) produce(base, (s) => step(s, 1 + (i % 15))); });
  return { plainNs, draftNs, immerNs };
}
