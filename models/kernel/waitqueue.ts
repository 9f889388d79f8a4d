import { procedure, type Thread } from '../../src/index.ts';
import { irq_restore, irq_save, irqAssertions } from './irq.ts';
import { schedule, thread_wake, schedAssertions } from './sched.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './spinlock.ts';
import type { KernelState } from './state.ts';

/** Wait conditions by name (procedure arguments are plain data, so conditions are named). */
const conditions = new Map<string, (s: KernelState, arg: any) => boolean>();

/** Registers a named condition for {@link wait_event}; blocks do this when they are imported. */
export function defineCondition(name: string, fn: (s: KernelState, arg: any) => boolean): void {
  conditions.set(name, fn);
}

function holds(s: KernelState, t: Thread): boolean {
  const c = conditions.get(t.cond);
  if (c === undefined) throw new Error(`wait_event: no condition named '${t.cond}'`);
  return c(s, t.arg);
}

/**
 * __wq_wait_event_deadline (lib/uksched/include/uk/wait.h, MODELS.md §1.3), behind
 * uk_waitq_wait_event_locked: called with the caller's spinlock `lock` held, returns with it
 * held and `cond(arg)` true. With `once: true` it is uk_waitq_wait_locked: sleep once,
 * unconditionally. The wait entry is linked into `wq`; the wake-up tail runs with IRQs off
 * and writes the thread's own struct (page `tpages[tid].self`), which is where the seed crash
 * faults.
 */
export const wait_event = procedure<KernelState, unknown, WaitEventLocals>('wait_event', {
  test: (s, t) => { if (!t.once && holds(s, t)) t.ret(); },
  save: (s, t) => { t.call(irq_save, {}, { into: 'flags' }); },
  wq_lock: (s, t) => { t.call(spin_lock, { lock: `${t.wq}.sl` }); },
  locked_test: (s, t) => {
    // Condition true under wq->sl: unlock with irqrestore and go to the tail.
    if (!t.once && holds(s, t)) t.call(spin_unlock, { lock: `${t.wq}.sl` });
    else t.goto('enqueue');
  },
  break_restore: (s, t) => { t.call(irq_restore, { flags: t.flags }, { then: 'tail_save' }); },
  enqueue: (s, t) => {
    if (!s.wq[t.wq]!.includes(t.tid)) s.wq[t.wq]!.push(t.tid); // uk_waitq_add
    s.runnable[t.tid] = false; // clear_runnable + thread_blocked
  },
  wq_unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.wq}.sl` }); },
  restore: (s, t) => { t.call(irq_restore, { flags: t.flags }); },
  unlock: (s, t) => { t.call(spin_unlock, { lock: t.lock }); }, // unlock_fn(lock)
  yield: (s, t) => { t.call(schedule); }, // uk_sched_yield
  relock: (s, t) => { t.call(spin_lock, { lock: t.lock }); }, // lock_fn(lock)
  recheck: (s, t) => { if (!t.once && !holds(s, t)) t.goto('save'); },
  tail_save: (s, t) => { t.call(irq_save, {}, { into: 'flags' }); },
  tail_lock: (s, t) => { t.call(spin_lock, { lock: `${t.wq}.sl` }); },
  tail_wake: (s, t) => { t.call(thread_wake, { target: t.tid, page: s.tpages[t.tid]!.self }); }, // uk_thread_wake(self)
  tail_unlink: (s, t) => { s.wq[t.wq] = s.wq[t.wq]!.filter((x) => x !== t.tid); },
  tail_unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.wq}.sl` }); },
  tail_restore: (s, t) => { t.call(irq_restore, { flags: t.flags }); },
});

/**
 * uk_waitq_wake_up / uk_waitq_wake_up_one: under the queue's spinlock with IRQs off, wake every
 * linked waiter (or only the first). Entries stay linked; each waiter unlinks itself in its tail.
 */
export const wake_up = procedure<KernelState, unknown, WakeUpLocals>('uk_waitq_wake_up', {
  save: (s, t) => { t.i = 0; t.call(irq_save, {}, { into: 'flags' }); },
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.wq}.sl` }); },
  next: (s, t) => {
    const q = s.wq[t.wq]!;
    if (t.i >= q.length || (!t.all && t.i >= 1)) return;
    const target = q[t.i]!;
    t.i += 1;
    t.call(thread_wake, { target, page: s.tpages[target]!.waker }, { then: 'next' });
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.wq}.sl` }); },
  restore: (s, t) => { t.call(irq_restore, { flags: t.flags }); },
});

/**
 * The assertions wait_event, wake_up and what they call check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const waitqueueAssertions = [...irqAssertions, ...schedAssertions, ...spinlockAssertions] as const;

/**
 * wait_event's frame: the queue `wq`, the caller's lock `lock`, the named condition `cond` and
 * its argument `arg` (omitted with `once: true`), and the IRQ flag `irq_save` returns.
 */
type WaitEventLocals = {
  wq: string;
  lock: string;
  cond?: string;
  arg?: unknown; // whatever the named condition takes: it is dynamic, looked up by name
  once?: boolean;
  flags?: boolean;
};
/** wake_up's frame: the queue `wq`, `all` (wake every waiter or the first), the index `i` set by `save`, the IRQ flag. */
type WakeUpLocals = { wq: string; all: boolean; i: number; flags?: boolean };
