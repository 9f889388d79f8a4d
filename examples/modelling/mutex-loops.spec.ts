import { defineModel, procedure, spec, thread } from 'smpcheck';

/**
 * Peterson's and Dekker's mutual exclusion with their busy-wait loops written as loops
 * (`t.goto` back to the test), the way the C reads, instead of folded into a `t.await`. The
 * state graph then has cycles (a waiting thread re-reads the same values and comes back to a
 * state it was in); the stateful engine's search over it is complete, so a correct algorithm
 * gets PASS. With `t.await` the same wait is one blocked step and the search is smaller.
 */
type S = { flag: number[]; turn: number; inside: number };
type P = { variant: 'ok' | 'swapped' };

const peterson = procedure<S, P>('peterson', {
  // The swapped variant announces the turn before raising its flag: a known way to break it.
  announce: (s, t, p) => { if (p.variant === 'ok') s.flag[t.tid] = 1; else s.turn = 1 - t.tid; },
  yield_turn: (s, t, p) => { if (p.variant === 'ok') s.turn = 1 - t.tid; else s.flag[t.tid] = 1; },
  test_flag: (s, t) => { if (s.flag[1 - t.tid] === 0) t.goto('enter'); },
  test_turn: (s, t) => { if (s.turn === 1 - t.tid) t.goto('test_flag'); },
  enter: (s) => { s.inside++; },
  leave: (s) => { s.inside--; },
  unlock: (s, t) => { s.flag[t.tid] = 0; },
});

const dekker = procedure<S, P>('dekker', {
  want: (s, t) => { s.flag[t.tid] = 1; },
  test_other: (s, t) => { if (s.flag[1 - t.tid] === 0) t.goto('enter'); },
  test_turn: (s, t) => { if (s.turn !== 1 - t.tid) t.goto('test_other'); },
  back_off: (s, t) => { s.flag[t.tid] = 0; },
  wait_turn: (s, t) => { if (s.turn === 1 - t.tid) t.goto('wait_turn'); },
  want_again: (s, t) => { s.flag[t.tid] = 1; t.goto('test_other'); },
  enter: (s) => { s.inside++; },
  leave: (s) => { s.inside--; },
  pass_turn: (s, t) => { s.turn = 1 - t.tid; },
  unlock: (s, t) => { s.flag[t.tid] = 0; },
});

const model = (name: string, proc: typeof peterson) =>
  defineModel({
    name,
    params: { variant: 'ok' } as P,
    shared: (): S => ({ flag: [0, 0], turn: 0, inside: 0 }),
    threads: () => [thread('T0', proc), thread('T1', proc)],
    invariants: { mutex: (s) => s.inside <= 1 },
  });

export const petersonLoop = model('peterson_loop', peterson);
export const dekkerLoop = model('dekker_loop', dekker);

export default [
  spec({ name: 'peterson_loop/ok', model: petersonLoop, expect: 'pass' }),
  spec({ name: 'peterson_loop/swapped', model: petersonLoop, params: { variant: 'swapped' }, expect: { fail: 'mutex' } }),
  spec({ name: 'dekker_loop/ok', model: dekkerLoop, expect: 'pass' }),
];
