import { defineModel, procedure, spec, thread } from 'smpcheck';
import { irq_may_arrive, kernelState, spin_lock, spin_lock_irqsave, spin_unlock, spin_unlock_irqrestore, type KernelState } from 'smpcheck/kernel';

/**
 * An interrupt may arrive while a core holds a lock its interrupt handler also takes. With a
 * plain `spin_lock` the handler spins on the lock its own core holds, forever: a deadlock
 * (the single-core version of the Unikraft rwlock finding). `uk_spin_lock_irqsave` disables
 * IRQs first, so nothing can arrive inside the critical section. `irq_may_arrive` is the kernel
 * building block for "an interrupt may arrive here": the checker explores both futures.
 */
type P = { variant: 'plain' | 'irqsave' };

/** The timer handler: takes the lock the interrupted code may hold, bumps a tick counter. */
const timer_irq = procedure<KernelState & { ticks: number }>('timer_irq', {
  lock: (s, t) => { t.call(spin_lock, { lock: 'A' }); },
  tick: (s) => { s.ticks++; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: 'A' }); },
});

const update = procedure<KernelState & { ticks: number }, P>('update_stats', {
  lock: (s, t, p) => {
    if (p.variant === 'plain') t.call(spin_lock, { lock: 'A' });
    else t.call(spin_lock_irqsave, { lock: 'A' }, { into: 'flags' });
  },
  // Inside the critical section: an interrupt may arrive here.
  maybe_irq: (s, t) => { t.call(irq_may_arrive, { handler: 'timer_irq' }); },
  unlock: (s, t, p) => {
    if (p.variant === 'plain') t.call(spin_unlock, { lock: 'A' });
    else t.call(spin_unlock_irqrestore, { lock: 'A', flags: t.flags });
  },
  // After the critical section, with IRQs on again: here an interrupt is harmless.
  idle: (s, t) => { t.call(irq_may_arrive, { handler: 'timer_irq' }); },
});

export const irqLock = defineModel({
  name: 'irq_lock',
  params: { variant: 'plain' } as P,
  shared: () => ({ ...kernelState({ cores: 2, threads: 2, spinlocks: ['A'] }), ticks: 0 }),
  threads: () => [thread('C0', update), thread('C1', update)],
  procedures: [timer_irq],
  witnesses: { 'an interrupt ran': (s) => s.ticks > 0 },
});

export default [
  spec({ name: 'irq_lock/plain', model: irqLock, params: { variant: 'plain' }, expect: { fail: 'deadlock' } }),
  spec({ name: 'irq_lock/irqsave', model: irqLock, params: { variant: 'irqsave' }, expect: 'pass' }),
];
