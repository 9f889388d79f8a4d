import { defineModel, procedure, thread } from '../../src/index.ts';

type XYZ = { x: number; y: number; z: number };

/** POPL'14 running example (Abdulla et al.): 5 traces. */
const p14 = procedure<XYZ, unknown, {}>('p', { w: (s) => { s.x = 1; } });
const q14 = procedure<XYZ, unknown, {}>('q', { w: (s) => { s.y = 1; } });
const r14 = procedure<XYZ, unknown, {}>('r', {
  ry: (s, t) => { if (s.y !== 0) t.ret(); },
  wz: (s) => { s.z = 1; },
});
const s14 = procedure<XYZ, unknown, {}>('s', {
  rz: (s, t) => { if (s.z !== 1) t.ret(); },
  ry: (s, t) => { if (s.y !== 0) t.ret(); },
  wx: (s) => { s.x = 2; },
});

export const popl14 = defineModel({
  name: 'popl14',
  params: {},
  shared: (): XYZ => ({ x: 0, y: 0, z: 0 }),
  threads: () => [thread('p', p14), thread('q', q14), thread('r', r14), thread('s', s14)],
});

/** JACM'17 conditional example (Source Sets): 7 traces. */
const pJ = procedure<XYZ, unknown, { v: number }>('p', { rx: (s, t) => { t.v = s.x; } });
const qJ = procedure<XYZ, unknown, {}>('q', { wy: (s) => { s.y = 1; } });
const rJ = procedure<XYZ, unknown, { m: number }>('r', {
  ry: (s, t) => { t.m = s.y; if (t.m !== 0) t.ret(); },
  wz: (s) => { s.z = 1; },
});
const sJ = procedure<XYZ, unknown, { n: number; l: number }>('s', {
  rz: (s, t) => { t.n = s.z; },
  ry: (s, t) => { t.l = s.y; if (!(t.n === 1 && t.l === 0)) t.ret(); },
  wx: (s) => { s.x = 1; },
});

export const jacm17 = defineModel({
  name: 'jacm17',
  params: {},
  shared: (): XYZ => ({ x: 0, y: 0, z: 0 }),
  threads: () => [thread('p', pJ), thread('q', qJ), thread('r', rJ), thread('s', sJ)],
});
