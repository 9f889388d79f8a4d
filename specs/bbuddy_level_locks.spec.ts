import { spec } from '../src/index.ts';
import { bbuddyLevelLocks } from '../models/bbuddy_level_locks.ts';

/** M10: the bbuddy heap allocator's per-level locks (MODELS.md, M10). */
export default [
  spec({
    name: 'bbuddy_level_locks/V801',
    description: 'PR #801: palloc calls map_alloc twice; nr_free_pages drops by 2 (one core)',
    model: bbuddyLevelLocks,
    params: { variant: 'V801' },
    expect: { fail: 'I-acct' },
  }),
  spec({
    name: 'bbuddy_level_locks/Vdiploma',
    description: 'f86aaf13: one map_alloc; pfree keeps level locks upwards; global_lock innermost',
    model: bbuddyLevelLocks,
    params: { variant: 'Vdiploma' },
    expect: 'pass',
  }),
  spec({
    name: 'bbuddy_level_locks/V946',
    description: 'PR #946: pfree calls into ukvmem (a blocking rwlock) while holding a level spinlock',
    model: bbuddyLevelLocks,
    params: { variant: 'V946' },
    expect: { fail: 'I-sched-spin' },
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'bbuddy_level_locks/Vdiploma/3cores',
    description: 'f86aaf13 locking; a third core allocates a page',
    model: bbuddyLevelLocks,
    params: { variant: 'Vdiploma', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'bbuddy_level_locks/Vdiploma/4cores',
    description: 'per-level locks, four cores',
    model: bbuddyLevelLocks,
    params: { variant: 'Vdiploma', cores: 4 },
    expect: 'pass',
  }),
];
