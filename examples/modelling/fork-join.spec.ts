import { defineModel, procedure, range, spec, thread } from 'smpcheck';

/**
 * Fork/join: the main thread starts N workers (`t.spawn`), each adds its share to a total
 * with an atomic fetch-add, and the main thread joins them (`t.join`) before it reads the
 * total. The `early` variant joins all but the last worker: its read can come before that
 * worker's add. Workers are named after their parent and number (`main/worker2`).
 */
type S = { total: number; seen: number };
type P = { workers: number; variant: 'join-all' | 'early' };

const worker = procedure<S, unknown, { share: number }>('worker', {
  add: (s, t) => { s.total += t.share; }, // atomic_fetch_add
});

const main = procedure<S, P, { i: number; tids: number[] }>('main', {
  fork: (s, t, p) => {
    t.tids = [...t.tids, t.spawn(worker, { share: t.i + 1 })];
    t.i += 1;
    if (t.i < p.workers) t.goto('fork');
  },
  join: (s, t, p) => {
    const last = p.variant === 'early' ? p.workers - 1 : p.workers;
    for (const w of t.tids.slice(0, last)) t.join(w);
  },
  read: (s) => { s.seen = s.total; },
});

export const forkJoin = defineModel({
  name: 'fork_join',
  params: { workers: 3, variant: 'join-all' } as P,
  shared: (): S => ({ total: 0, seen: -1 }),
  threads: () => [thread('main', main, { i: 0, tids: [] })],
  finals: { 'joined-all': (s, p) => s.seen === range(p.workers).reduce((a, i) => a + i + 1, 0) },
});

export default [
  spec({ name: 'fork_join/join-all', model: forkJoin, expect: 'pass' }),
  spec({ name: 'fork_join/early', model: forkJoin, params: { variant: 'early' }, expect: { fail: 'joined-all' } }),
];
