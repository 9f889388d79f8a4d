import { spec } from '../src/index.ts';
import { rwlockWakeupPagefault } from '../models/rwlock_wakeup_pagefault.ts';

/** M4: the seed crash of the 2023-06-20 SMP meeting and the answers to it (MODELS.md, M4). */
export default [
  spec({
    name: 'rwlock_wakeup_pagefault/V1',
    description: 'blocking rwlocks; fault in the IRQs-off wake-up tail; schedule() with IRQs off',
    model: rwlockWakeupPagefault,
    params: { variant: 'V1' },
    expect: { fail: 'I-sched-irq' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V1b',
    description: 'the waker faults in uk_thread_wake with IRQs off and needs the lock it holds itself',
    model: rwlockWakeupPagefault,
    params: { variant: 'V1b' },
    expect: { fail: 'I-sched-irq' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V2',
    description: 'fault-path lock is the spinning rwlock of 84aecdd3, held on the other core',
    model: rwlockWakeupPagefault,
    params: { variant: 'V2' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V3',
    description: 'spinning rwlock, but the handler needs the lock the faulting core holds',
    model: rwlockWakeupPagefault,
    params: { variant: 'V3' },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V3-wheld',
    description: 'a core write-holds the spinning rwlock and faults on a heap page',
    model: rwlockWakeupPagefault,
    params: { variant: 'V3-wheld' },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V4',
    description: 'pre-populated thread structs (PR #946): the wake-up tail cannot fault',
    model: rwlockWakeupPagefault,
    params: { variant: 'V4' },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V4-T2',
    description: 'pre-population alone: any other heap fault still blocks with IRQs off',
    model: rwlockWakeupPagefault,
    params: { variant: 'V4-T2' },
    expect: { fail: 'I-sched-irq' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V5',
    description: 'handler trylocks in atomic context: no crash, but an unhandled kernel fault',
    model: rwlockWakeupPagefault,
    params: { variant: 'V5' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'rwlock_wakeup_pagefault/V4/2readers',
    description: 'pre-populated structs; the writer wakes two sleeping readers',
    model: rwlockWakeupPagefault,
    params: { variant: 'V4', readers: 2 },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V5/2readers',
    description: 'trylock: the oops ends a reader holding A.sl and the wait-queue lock; the other reader spins forever',
    model: rwlockWakeupPagefault,
    params: { variant: 'V5', readers: 2 },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V2/2readers',
    description: 'spinning handler lock; the writer wakes two sleeping readers',
    model: rwlockWakeupPagefault,
    params: { variant: 'V2', readers: 2 },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V2/3readers',
    description: 'spinning handler lock; the writer wakes three sleeping readers',
    model: rwlockWakeupPagefault,
    params: { variant: 'V2', readers: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'rwlock_wakeup_pagefault/V4/3readers',
    description: 'pre-populated structs; the writer wakes three sleeping readers',
    model: rwlockWakeupPagefault,
    params: { variant: 'V4', readers: 3 },
    expect: 'pass',
  }),
];
