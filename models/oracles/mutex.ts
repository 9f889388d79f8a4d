import { defineModel, procedure, thread } from '../../src/index.ts';

/** dekker_f (ORACLES.md): 3 traces under SC; the fences are no-ops here. */
type Dekker = { x: number; y: number; c: number };
const dekker = procedure<Dekker, unknown, { mine: 'x' | 'y'; other: 'x' | 'y'; val: number }>('dekker', {
  flag: (s, t) => { s[t.mine as 'x' | 'y'] = 1; },
  test: (s, t) => { if (s[t.other as 'x' | 'y'] !== 0) t.ret(); },
  enter: (s, t) => { s.c = t.val; },
  check: (s, t) => { t.assert(s.c === t.val, 'mutex', `c = ${s.c}`); },
});

export const dekkerF = defineModel({
  name: 'dekker_f',
  params: {},
  shared: (): Dekker => ({ x: 0, y: 0, c: 0 }),
  threads: () => [
    thread('T1', dekker, { mine: 'y', other: 'x', val: 1 }),
    thread('T2', dekker, { mine: 'x', other: 'y', val: 0 }),
  ],
});

/** Peterson's lock with `await` (ORACLES.md): 4 traces. */
type Peterson = { flag: number[]; turn: number; x: number };
const peterson = procedure<Peterson, unknown, { me: number; other: number }>('peterson', {
  flag: (s, t) => { s.flag[t.me] = 1; },
  turn: (s, t) => { s.turn = t.other; },
  wait: (s, t) => { t.await(s.flag[t.other] !== 1 || s.turn !== t.other, 'the other thread has priority'); },
  enter: (s, t) => { s.x = t.me; },
  check: (s, t) => { t.assert(s.x === t.me, 'mutex', `x = ${s.x}`); },
  leave: (s, t) => { s.flag[t.me] = 0; },
});

export const petersonLock = defineModel({
  name: 'peterson',
  params: {},
  shared: (): Peterson => ({ flag: [0, 0], turn: 0, x: 0 }),
  threads: () => [thread('T0', peterson, { me: 0, other: 1 }), thread('T1', peterson, { me: 1, other: 0 })],
});

/** The global-invariant soundness probe (ORACLES.md): independent steps, yet "not-both" fails. */
type XY = { x: number; y: number };
const flip = procedure<XY, unknown, { v: 'x' | 'y' }>('flip', {
  set: (s, t) => { s[t.v as 'x' | 'y'] = 1; },
  clear: (s, t) => { s[t.v as 'x' | 'y'] = 0; },
});

export const notBoth = defineModel({
  name: 'not-both',
  params: {},
  shared: (): XY => ({ x: 0, y: 0 }),
  threads: () => [thread('T1', flip, { v: 'x' }), thread('T2', flip, { v: 'y' })],
  invariants: { 'not-both': (s) => !(s.x === 1 && s.y === 1) },
});
