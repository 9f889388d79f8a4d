import { procedure } from '../../src/index.ts';
import { touch, pagefaultAssertions } from './pagefault.ts';
import { heldBy, spinlockAssertions } from './spinlock.ts';
import type { KernelState } from './state.ts';

/**
 * schedcoop_schedule() / uk_sched_yield(): the crash checks, then sleep until woken.
 * I-sched-irq mirrors `UK_CRASH("Must not call schedcoop_schedule with IRQs disabled")`;
 * I-sched-spin is Linux's "scheduling while atomic" (no spinlock held across a context switch).
 */
export const schedule = procedure<KernelState, unknown, {}>('schedule', {
  check: (s, t) => {
    t.assert(s.irq_on[t.core], 'I-sched-irq', `schedule() on core ${t.core} with IRQs disabled`);
    const held = heldBy(s.locks, t.tid);
    t.assert(held.length === 0, 'I-sched-spin', `schedule() while holding ${held.join(', ')}`);
  },
  sleep: (s, t) => { t.await(s.runnable[t.tid], 'asleep until woken'); },
});

/**
 * uk_thread_wake(target): set RUNNABLE in the target's `struct uk_thread`. The write lands on
 * page `page`; when that page is not present the waker's core faults (IRQs are off here).
 */
export const thread_wake = procedure<KernelState, unknown, { target: number; page: string }>('uk_thread_wake', {
  wake: (s, t) => {
    if (!touch(s, t, t.page)) return;
    s.runnable[t.target] = true;
  },
});

/**
 * The assertions schedule() and what it calls check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const schedAssertions = ['I-sched-irq', 'I-sched-spin', ...pagefaultAssertions, ...spinlockAssertions] as const;
