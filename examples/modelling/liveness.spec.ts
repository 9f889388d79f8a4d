import { defineModel, procedure, spec, thread } from 'smpcheck';

/**
 * Liveness: properties that only an infinite execution can violate, under fairness (every
 * thread that can move all the time eventually moves). A ticker loops forever beside the code
 * under test, so nothing deadlocks and only a liveness check sees the bug.
 *
 * Lost wake-up: the waiter tests the condition and then goes to sleep in two steps; the
 * waker sets the condition and wakes only a waiter it sees. In the `lost` variant the waker
 * can run between the waiter's test and its sleep: the waiter sleeps forever (`starvation`).
 * The `fixed` variant announces itself before testing (prepare_to_wait, then test), as Linux's
 * wait_event does.
 */
type WakeState = { cond: boolean; waiting: boolean; woken: boolean; ticks: number };
type WakeParams = { variant: 'lost' | 'fixed' };

const waiter = procedure<WakeState, WakeParams>('waiter', {
  prepare: (s, t, p) => { if (p.variant === 'fixed') s.waiting = true; },
  test: (s, t) => { if (s.cond) t.ret(); },
  enqueue: (s, t, p) => { if (p.variant === 'lost') s.waiting = true; },
  sleep: (s, t) => { t.await(s.woken, 'asleep until woken'); },
});

const waker = procedure<WakeState>('waker', {
  set: (s) => { s.cond = true; },
  wake: (s) => { if (s.waiting) s.woken = true; },
});

const ticker = procedure<WakeState>('ticker', {
  tick: (s, t) => { s.ticks = (s.ticks + 1) % 2; t.goto('tick'); },
});

export const lostWakeup = defineModel({
  name: 'lost_wakeup',
  params: { variant: 'lost' } as WakeParams,
  shared: (): WakeState => ({ cond: false, waiting: false, woken: false, ticks: 0 }),
  threads: () => [thread('waiter', waiter), thread('waker', waker), thread('ticker', ticker)],
});

/**
 * A writer-preferring rwlock with writers that keep coming: a reader enters only when no
 * writer holds the lock or waits for it, and two looping writers can keep one waiting for
 * ever, even when the reader's acquire is strongly fair. `reader-served` (leadsTo): once the
 * reader waits, it eventually reads. The `fair` variant stops new writers from queueing while
 * a reader waits.
 */
type RwState = { w: boolean; pw: number; readers: number; rwait: boolean; served: boolean };
type RwParams = { variant: 'writer-preferring' | 'fair' };

const writerSteps = procedure<RwState, RwParams>('rw_writer', {
  announce: (s, t, p) => {
    if (p.variant === 'fair') t.await(!s.rwait, 'a reader waits');
    s.pw++;
  },
  acquire: (s, t) => { t.await(!s.w && s.readers === 0, 'lock held'); s.w = true; s.pw--; },
  release: (s, t) => { s.w = false; t.goto('announce'); },
});

const reader = procedure<RwState>('rw_reader', {
  wait: (s) => { s.rwait = true; },
  acquire: (s, t) => { t.await(!s.w && s.pw === 0, 'a writer holds or waits'); s.readers++; s.rwait = false; },
  read: (s) => { s.served = true; },
  release: (s) => { s.readers--; },
});

export const starvingReader = defineModel({
  name: 'starving_reader',
  params: { variant: 'writer-preferring' } as RwParams,
  shared: (): RwState => ({ w: false, pw: 0, readers: 0, rwait: false, served: false }),
  threads: () => [thread('R', reader), thread('W0', writerSteps), thread('W1', writerSteps)],
  leadsTo: { 'reader-served': { when: (s) => s.rwait, then: (s) => s.served } },
  // A lock acquire is strongly fair: a reader that can enter again and again does enter. The
  // writers still starve it, by never letting it be able to enter at all.
  fairness: { strong: ['rw_reader.acquire'] },
});

export default [
  spec({ name: 'lost_wakeup/lost', model: lostWakeup, params: { variant: 'lost' }, starvation: 'error', expect: { fail: 'starvation' } }),
  spec({ name: 'lost_wakeup/fixed', model: lostWakeup, params: { variant: 'fixed' }, starvation: 'error', expect: 'pass' }),
  spec({ name: 'starving_reader/writer-preferring', model: starvingReader, expect: { fail: 'reader-served' } }),
  spec({ name: 'starving_reader/fair', model: starvingReader, params: { variant: 'fair' }, expect: 'pass' }),
];
