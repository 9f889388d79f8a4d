import { spec } from '../src/index.ts';
import { rwlockUpgrade } from '../models/rwlock_upgrade.ts';

/** M5: rwlock upgrade: a lost wake-up, and a stale cursor in vmem_vma_insert (MODELS.md, M5). */
export default [
  spec({
    name: 'rwlock_upgrade/5a',
    description: 'blocking upgrade sleeps on shared, the last runlock wakes exclusive: lost wake-up',
    model: rwlockUpgrade,
    params: { variant: '5a' },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'rwlock_upgrade/5a-spin',
    description: 'spinning upgrade (84aecdd3) re-checks by spinning',
    model: rwlockUpgrade,
    params: { variant: '5a-spin' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_upgrade/5a-fix',
    description: 'blocking upgrade that sleeps on the queue runlock wakes',
    model: rwlockUpgrade,
    params: { variant: '5a-fix' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_upgrade/5b',
    description: 'vmem_vma_insert: rlock, scan, upgrade; uk_vma_unmap frees prev in between',
    model: rwlockUpgrade,
    params: { variant: '5b' },
    expect: { fail: 'I-uaf' },
  }),
  spec({
    name: 'rwlock_upgrade/5b-fix',
    description: 'wlock around the whole find-position-and-link',
    model: rwlockUpgrade,
    params: { variant: '5b-fix' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_upgrade/5c',
    description: 'vmem_vma_find returns the VMA after runlock; the fault uses a freed VMA',
    model: rwlockUpgrade,
    params: { variant: '5c' },
    expect: { fail: 'I-uaf' },
  }),
  spec({
    name: 'rwlock_upgrade/5c-fix',
    description: 'the read lock is held across the whole fault (Linux mmap_read_lock)',
    model: rwlockUpgrade,
    params: { variant: '5c-fix' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'rwlock_upgrade/5b-fix/2faults',
    description: 'wlock around the insert; two faults in Y',
    model: rwlockUpgrade,
    params: { variant: '5b-fix', faults: [35, 35] },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_upgrade/5c-fix/2faults',
    description: 'read lock held across the fault; faults in X (unmapped) and in Y',
    model: rwlockUpgrade,
    params: { variant: '5c-fix', faults: [15, 35] },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_upgrade/5c-fix/3faults',
    description: 'read lock held across the fault; faults in X and twice in Y',
    model: rwlockUpgrade,
    params: { variant: '5c-fix', faults: [15, 35, 35] },
    expect: 'pass',
  }),
];

/**
 * M5a's lost wake-up as a liveness violation: with deadlocks allowed (threads may park), the
 * upgrader still waits forever (`starvation`, README, Liveness).
 */
export const liveness = [
  spec({
    name: 'rwlock_upgrade/5a-starvation',
    description: 'the lost wake-up of 5a: U sleeps on shared forever after R finished',
    model: rwlockUpgrade,
    params: { variant: '5a' },
    deadlock: 'allowed',
    starvation: 'error',
    expect: { fail: 'starvation' },
  }),
  spec({
    name: 'rwlock_upgrade/5a-fix-starvation',
    description: 'the fixed upgrade is woken: nobody waits forever',
    model: rwlockUpgrade,
    params: { variant: '5a-fix' },
    deadlock: 'allowed',
    starvation: 'error',
    expect: 'pass',
  }),
];
