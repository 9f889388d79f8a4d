import { spec } from 'smpcheck';
import { rwlockWakeupPagefault } from '../../models/rwlock_wakeup_pagefault.ts';

/**
 * M4 with an interrupt that may arrive between two of T0's steps (`irq_may_arrive`, the kernel
 * building block): while T0 read-holds A, its core may take an interrupt whose handler reads
 * under A as well. The blocking rwlock prefers writers, so with T1's write lock pending the
 * handler's read lock sleeps: schedule() with IRQs off, the seed crash's failure without any
 * page fault. A handler that uses a spinning rwlock (on another lock) never sleeps.
 */
export default [
  spec({ name: 'rwlock_wakeup_pagefault/V4-irq', model: rwlockWakeupPagefault, params: { variant: 'V4-irq' }, expect: { fail: 'I-sched-irq' } }),
  spec({ name: 'rwlock_wakeup_pagefault/V4-irq-spin', model: rwlockWakeupPagefault, params: { variant: 'V4-irq-spin' }, expect: 'pass' }),
];
