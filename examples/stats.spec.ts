import { defineModel, procedure, spec, thread } from 'smpcheck';
import { spin_lock, spin_unlock, spinlockAssertions } from 'smpcheck/kernel';

// A driver's stats_add(): dev->stats.rx++ under dev->lock, or (the bug) without it.
type Shared = { locks: Record<string, number>; rx: number };
type Params = { locked: boolean };

const stats_add = procedure<Shared, Params, { rx: number }>('stats_add', {
  lock: (s, t, p) => { if (p.locked) t.call(spin_lock, { lock: 'dev' }); },
  load: (s, t) => { t.rx = s.rx; },
  store: (s, t) => { s.rx = t.rx + 1; },
  unlock: (s, t, p) => { if (p.locked) t.call(spin_unlock, { lock: 'dev' }); },
});

export const stats = defineModel({
  name: 'stats',
  params: { locked: true } as Params,
  shared: (): Shared => ({ locks: { dev: 0 }, rx: 0 }),
  threads: () => [thread('C0', stats_add), thread('C1', stats_add)],
  finals: { 'I-rx': (s) => s.rx === 2 },
  assertions: [...spinlockAssertions], // spin_unlock checks I-lockowner
});

export default [
  spec({ name: 'stats/locked', model: stats, expect: 'pass' }),
  spec({ name: 'stats/unlocked', model: stats, params: { locked: false }, expect: { fail: 'I-rx' } }),
];
