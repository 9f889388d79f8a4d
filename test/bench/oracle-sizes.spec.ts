// Published programs as spec files, for the `split` bench section: their DPOR searches checked
// with one and two workers (test/bench/split.ts). Not part of npm run check.
import { spec } from '../../src/check/spec.ts';
import { lastzero } from '../../models/oracles/lastzero.ts';
import { readers } from '../../models/oracles/readers.ts';

export default [
  ...[14, 15].map((n) => spec({ name: `lastzero(${n})`, model: lastzero, params: { n }, expect: 'pass' })),
  spec({ name: 'readers(16)', model: readers, params: { n: 16 }, expect: 'pass' }),
];
