import { defineModel, procedure, range, thread } from '../../src/index.ts';

/** lastzero(N) (ORACLES.md): one reader scans down for the last zero; writer j copies a[j-1]+1 into a[j]. */
const reader = procedure<{ a: number[] }, unknown, { i: number }>('reader', {
  read: (s, t) => {
    if (s.a[t.i] !== 0) {
      t.i -= 1;
      t.goto('read');
    }
  },
});

const writer = procedure<{ a: number[] }, unknown, { j: number; v: number }>('writer', {
  load: (s, t) => { t.v = s.a[t.j - 1]; },
  store: (s, t) => { s.a[t.j] = t.v + 1; },
});

export const lastzero = defineModel({
  name: 'lastzero',
  params: { n: 3 },
  shared: ({ n }) => ({ a: range(n + 1).map(() => 0) }),
  threads: ({ n }) => [thread('reader', reader, { i: n }), ...range(n).map((k) => thread(`w${k + 1}`, writer, { j: k + 1 }))],
});

/** (N+3)·2^(N−2) for N ≥ 2, and 2 for N = 1. */
export function lastzeroTraces(n: number): number {
  return n === 1 ? 2 : (n + 3) * 2 ** (n - 2);
}
