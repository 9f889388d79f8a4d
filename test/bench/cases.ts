import type { Model } from '../../src/model/define.ts';
import { families, familyTraces } from '../../models/oracles/families.ts';
import { lastzero, lastzeroTraces } from '../../models/oracles/lastzero.ts';
import { readers } from '../../models/oracles/readers.ts';

/** A benchmark program: a model, its parameters and, for published programs, the trace count. */
export interface BenchCase {
  name: string;
  model: Model;
  params: Record<string, unknown>;
  traces?: number;
}

/** The published programs issue 3 names (ORACLES.md counts). */
export const oracleBench: BenchCase[] = [
  ...[10, 11, 12, 13, 14, 15, 16].map((n) => ({ name: `lastzero(${n})`, model: lastzero, params: { n }, traces: lastzeroTraces(n) })),
  { name: 'readers(13)', model: readers, params: { n: 13 }, traces: 8192 },
  { name: 'readers(16)', model: readers, params: { n: 16 }, traces: 65536 },
  { name: 'casrot(8)', model: families, params: { family: 'casrot', n: 8 }, traces: 2048 },
  { name: 'casrot(10)', model: families, params: { family: 'casrot', n: 10 }, traces: 38486 },
  { name: 'casrot(12)', model: families, params: { family: 'casrot', n: 12 }, traces: familyTraces('casrot', 12) },
  { name: 'lockinc(7)', model: families, params: { family: 'lockinc', n: 7 }, traces: 5040 },
  { name: 'lockinc(8)', model: families, params: { family: 'lockinc', n: 8 }, traces: familyTraces('lockinc', 8) },
];
