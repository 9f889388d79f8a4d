import { defineModel, procedure, range, thread } from '../../src/index.ts';
import { spin_lock, spin_unlock } from '../kernel/spinlock.ts';

/** The small families of ORACLES.md, one model with `family` as a parameter. */
type Shared = { x: number; y: number; z: number; own: number[]; locks: Record<string, number> };

const ownWrite = procedure<Shared, unknown, { i: number }>('own_write', { store: (s, t) => { s.own[t.i] = 1; } });
const writeI = procedure<Shared, unknown, { i: number }>('write_i', { store: (s, t) => { s.x = t.i; } });
const readX = procedure<Shared, unknown, { r: number }>('read_x', { load: (s, t) => { t.r = s.x; } });
const write42 = procedure<Shared, unknown, {}>('write_42', { store: (s) => { s.x = 42; } });
const write2 = procedure<Shared, unknown, {}>('write_2', { store: (s) => { s.x = 2; } });

/** fetch_add: one atomic read-modify-write step per variable in `vars`. */
const fetchAdd = procedure<Shared, unknown, { vars: ('x' | 'y' | 'z')[]; k: number }>('fetch_add', {
  rmw: (s, t) => {
    const v = t.vars[t.k] as 'x' | 'y' | 'z';
    s[v] = s[v] + 1;
    t.k += 1;
    if (t.k < t.vars.length) t.goto('rmw');
  },
});

/** The lost-update increment: a load step, then a store step. */
const inc = procedure<Shared, unknown, { r: number }>('inc', {
  load: (s, t) => { t.r = s.x; },
  store: (s, t) => { s.x = t.r + 1; },
});

const lockInc = procedure<Shared, unknown, { r: number }>('lockinc', {
  lock: (s, t) => { t.call(spin_lock, { lock: 'm' }); },
  load: (s, t) => { t.r = s.x; },
  store: (s, t) => { s.x = t.r + 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: 'm' }); },
});

/** CAS(x, expect, desired): a failed CAS only reads (nothing is stored). */
const cas = procedure<Shared, unknown, { expect: number; desired: number }>('cas', {
  cas: (s, t) => {
    if (s.x === t.expect) s.x = t.desired;
  },
});

export type Family =
  | 'disjoint' | 'same-writers' | 'writers-reader' | 'ainc' | 'binc' | 'cinc' | 'inc' | 'wainc' | 'lockinc' | 'cas' | 'casrot' | 'wcas';

export const families = defineModel({
  name: 'families',
  params: { family: 'ainc' as Family, n: 2 },
  shared: ({ n }): Shared => ({ x: 0, y: 0, z: 0, own: range(n).map(() => 0), locks: { m: 0 } }),
  threads: ({ family, n }) => {
    const ids = range(n);
    switch (family) {
      case 'disjoint': return ids.map((i) => thread(`T${i}`, ownWrite, { i }));
      case 'same-writers': return ids.map((i) => thread(`T${i}`, writeI, { i: i + 1 }));
      case 'writers-reader': return [...range(n + 1).map((i) => thread(`W${i}`, writeI, { i: i + 1 })), thread('R', readX)];
      case 'ainc': return ids.map((i) => thread(`T${i}`, fetchAdd, { vars: ['x'], k: 0 }));
      case 'binc': return ids.map((i) => thread(`T${i}`, fetchAdd, { vars: ['x', 'y'], k: 0 }));
      case 'cinc': return ids.map((i) => thread(`T${i}`, fetchAdd, { vars: ['x', 'y', 'z'], k: 0 }));
      case 'inc': return ids.map((i) => thread(`T${i}`, inc));
      case 'wainc': return [thread('W', write42), ...ids.map((i) => thread(`T${i}`, fetchAdd, { vars: ['x'], k: 0 }))];
      case 'lockinc': return ids.map((i) => thread(`T${i}`, lockInc));
      case 'cas': return ids.map((i) => thread(`T${i}`, cas, { expect: 0, desired: i + 1 }));
      case 'casrot': return ids.map((i) => thread(`T${i + 1}`, cas, { expect: i, desired: i + 1 }));
      case 'wcas': return [thread('W', write2), ...ids.map((i) => thread(`T${i}`, cas, { expect: 2, desired: 3 }))];
    }
  },
});

const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));

/** Closed forms of ORACLES.md ("if every CAS were a write" is not ours: a failed CAS reads). */
export function familyTraces(family: Family, n: number): number {
  switch (family) {
    case 'disjoint': return 1;
    case 'same-writers': return fact(n);
    case 'writers-reader': return fact(n + 2);
    case 'ainc': return fact(n);
    case 'binc': return fact(n) ** 2;
    case 'cinc': return fact(n) ** 3;
    case 'inc': return fact(n) ** 2;
    case 'wainc': return fact(n + 1);
    case 'lockinc': return fact(n);
    case 'cas': return n;
    case 'casrot': {
      let sum = 1;
      for (let k = 1; k <= n - 1; k++) sum += k * (k + 1) ** (n - 1 - k);
      return sum;
    }
    case 'wcas': return n * 2 ** (n - 1) + 1;
  }
}
