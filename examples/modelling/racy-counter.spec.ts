import { defineModel, procedure, range, spec, thread } from 'smpcheck';
import { KERNEL_ATOMICS, kernelState, spin_lock, spin_unlock, type KernelState } from 'smpcheck/kernel';

/**
 * A statistics counter bumped by every core, three ways: a plain `hits++` (a load and a store:
 * a data race, and updates get lost), `atomic_inc` (the counter is declared in `atomics`, and
 * the increment is one step), and a plain increment under a spinlock (the lock orders the
 * accesses: never two cores at the counter at once). `races: 'error'` turns data-race
 * detection on; the spinlock words are atomic (`KERNEL_ATOMICS`).
 */
type S = KernelState & { hits: number };
type P = { cores: number; variant: 'plain' | 'atomic' | 'locked' };

const bump = procedure<S, P>('bump', {
  lock: (s, t, p) => { if (p.variant === 'locked') t.call(spin_lock, { lock: 'stats' }); },
  load: (s, t, p) => { if (p.variant !== 'atomic') t.v = s.hits; },
  // atomic_inc is one indivisible step; the plain increment stores what it loaded, plus one.
  store: (s, t, p) => { if (p.variant === 'atomic') s.hits++; else s.hits = t.v + 1; },
  unlock: (s, t, p) => { if (p.variant === 'locked') t.call(spin_unlock, { lock: 'stats' }); },
});

export const statsCounter = defineModel({
  name: 'stats_counter',
  params: { cores: 2, variant: 'plain' } as P,
  shared: ({ cores }): S => ({ ...kernelState({ cores, threads: cores, spinlocks: ['stats'] }), hits: 0 }),
  threads: ({ cores }) => range(cores).map((c) => thread(`C${c}`, bump)),
  atomics: ({ variant }) => (variant === 'atomic' ? [...KERNEL_ATOMICS, 'hits'] : KERNEL_ATOMICS),
  finals: { 'no-lost-update': (s, p) => s.hits === p.cores },
  assertions: ['I-lockowner'],
});

export default [
  spec({ name: 'stats_counter/plain', model: statsCounter, params: { variant: 'plain' }, races: 'error', expect: { fail: 'data-race' } }),
  spec({ name: 'stats_counter/plain-lost-update', model: statsCounter, params: { variant: 'plain' }, expect: { fail: 'no-lost-update' } }),
  spec({ name: 'stats_counter/atomic', model: statsCounter, params: { variant: 'atomic', cores: 3 }, races: 'error', expect: 'pass' }),
  spec({ name: 'stats_counter/locked', model: statsCounter, params: { variant: 'locked', cores: 3 }, races: 'error', expect: 'pass' }),
];
