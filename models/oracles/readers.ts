import { defineModel, procedure, range, thread } from '../../src/index.ts';

/** readers(N) (ORACLES.md): one writer x := 42 and N readers r := x; 2^N traces. */
const write = procedure<{ x: number }, unknown, {}>('write', { store: (s) => { s.x = 42; } });
const read = procedure<{ x: number }, unknown, { r: number }>('read', { load: (s, t) => { t.r = s.x; } });

export const readers = defineModel({
  name: 'readers',
  params: { n: 2 },
  shared: () => ({ x: 0 }),
  threads: ({ n }) => [thread('writer', write), ...range(n).map((i) => thread(`r${i + 1}`, read))],
});
