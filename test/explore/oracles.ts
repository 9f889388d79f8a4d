import type { Model } from '../../src/model/define.ts';
import { families, familyTraces, type Family } from '../../models/oracles/families.ts';
import { lastzero, lastzeroTraces } from '../../models/oracles/lastzero.ts';
import { dekkerF, petersonLock } from '../../models/oracles/mutex.ts';
import { jacm17, popl14 } from '../../models/oracles/papers.ts';
import { readers } from '../../models/oracles/readers.ts';

/** One published count: a program and its published number of Mazurkiewicz traces. */
export interface OracleCase {
  name: string;
  model: Model;
  params: Record<string, unknown>;
  traces: number;
}

const FAMILY_SIZES: Record<Family, number[]> = {
  disjoint: [2, 3, 4], 'same-writers': [2, 3, 4], 'writers-reader': [2, 3, 4], ainc: [2, 3, 4, 5, 6, 7],
  binc: [2, 3, 4], cinc: [2, 3, 4], inc: [2, 3, 4], wainc: [2, 3, 4], lockinc: [2, 3, 4, 5, 6, 7],
  cas: [2, 3, 4, 5], casrot: [2, 3, 4, 5, 6, 7, 8, 9], wcas: [2, 3, 4, 5, 6, 7, 8, 9],
};

/** Every published count, up to `limit` traces per program. */
export function oracleCases(limit: number): OracleCase[] {
  const out: OracleCase[] = [];
  for (let n = 1; n <= 15; n++) out.push({ name: `lastzero(${n})`, model: lastzero, params: { n }, traces: lastzeroTraces(n) });
  for (const n of [2, 4, 6, 8, 13, 16]) out.push({ name: `readers(${n})`, model: readers, params: { n }, traces: 2 ** n });
  for (const [family, sizes] of Object.entries(FAMILY_SIZES) as [Family, number[]][]) {
    for (const n of sizes) out.push({ name: `${family}(${n})`, model: families, params: { family, n }, traces: familyTraces(family, n) });
  }
  out.push({ name: 'popl14', model: popl14, params: {}, traces: 5 });
  out.push({ name: 'jacm17', model: jacm17, params: {}, traces: 7 });
  out.push({ name: 'dekker_f', model: dekkerF, params: {}, traces: 3 });
  out.push({ name: 'peterson', model: petersonLock, params: {}, traces: 4 });
  return out.filter((c) => c.traces <= limit);
}
