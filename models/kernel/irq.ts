import { procedure } from '../../src/index.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './spinlock.ts';
import type { KernelState } from './state.ts';

/** ukplat_lcpu_save_irqf: returns the old IF flag and disables IRQs on this core. */
export const irq_save = procedure<KernelState, unknown, {}>('irq_save', {
  cli: (s, t) => {
    const was = s.irq_on[t.core];
    s.irq_on[t.core] = false;
    t.ret(was);
  },
});

/** ukplat_lcpu_restore_irqf(flags). */
export const irq_restore = procedure<KernelState, unknown, { flags: boolean }>('irq_restore', {
  restore: (s, t) => { s.irq_on[t.core] = t.flags; },
});

/** uk_spin_lock_irqsave: save and disable IRQs, then take the spinlock; returns the saved flag. */
export const spin_lock_irqsave = procedure<KernelState, unknown, { lock: string; flags: boolean }>('uk_spin_lock_irqsave', {
  cli: (s, t) => {
    t.flags = s.irq_on[t.core];
    s.irq_on[t.core] = false;
  },
  lock: (s, t) => { t.call(spin_lock, { lock: t.lock }); },
  ret: (s, t) => { t.ret(t.flags); },
});

/** uk_spin_unlock_irqrestore(lock, flags). */
export const spin_unlock_irqrestore = procedure<KernelState, unknown, { lock: string; flags: boolean }>('uk_spin_unlock_irqrestore', {
  unlock: (s, t) => { t.call(spin_unlock, { lock: t.lock }); },
  restore: (s, t) => { s.irq_on[t.core] = t.flags; },
});

/**
 * The assertions the IRQ-saving spinlocks check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const irqAssertions = [...spinlockAssertions] as const;
