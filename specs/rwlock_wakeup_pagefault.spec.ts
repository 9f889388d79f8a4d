import { spec } from '../src/index.ts';
import { rwlockWakeupPagefault } from '../models/rwlock_wakeup_pagefault.ts';

/** M4: the seed crash of the 2023-06-20 SMP meeting and the spinning-rwlock answer (MODELS.md, M4). */
export default [
  spec({
    name: 'rwlock_wakeup_pagefault/V1',
    description: 'blocking rwlocks; fault in the IRQs-off wake-up tail; schedule() with IRQs off',
    model: rwlockWakeupPagefault,
    params: { variant: 'V1' },
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
];
