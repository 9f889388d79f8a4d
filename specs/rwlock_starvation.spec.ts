import { spec } from '../src/index.ts';
import { rwlockStarvation } from '../models/rwlock_starvation.ts';

/**
 * Liveness of the two uk_rwlocks (MODELS.md §3.11, "Liveness"): who can be kept out for ever by
 * threads that take the other side of the lock again and again. Not part of the catalogue's
 * safety table: these are checked on the whole state graph under fairness (README, Liveness).
 */
export default [];

export const liveness = [
  spec({
    name: 'rwlock_starvation/blocking-reader',
    description: 'the blocking rwlock prefers writers: two writers that keep coming keep a reader out',
    model: rwlockStarvation,
    params: { lock: 'blocking', victim: 'reader' },
    expect: { fail: 'victim-served' },
  }),
  spec({
    name: 'rwlock_starvation/blocking-writer',
    description: 'readers wait for a pending writer: the writer gets in',
    model: rwlockStarvation,
    params: { lock: 'blocking', victim: 'writer' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_starvation/spinning-writer',
    description: 'the spinning rwlock (84aecdd3) lets readers in past a pending writer: overlapping readers keep it out',
    model: rwlockStarvation,
    params: { lock: 'spinning', victim: 'writer' },
    expect: { fail: 'victim-served' },
  }),
  spec({
    name: 'rwlock_starvation/spinning-reader',
    description: 'a reader gets in whenever no writer holds the spinning rwlock',
    model: rwlockStarvation,
    params: { lock: 'spinning', victim: 'reader' },
    expect: 'pass',
  }),
];
