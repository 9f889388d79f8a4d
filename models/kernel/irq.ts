import { procedure } from '../../src/index.ts';
import type { KernelState } from './state.ts';

/** ukplat_lcpu_save_irqf: returns the old IF flag and disables IRQs on this core. */
export const irq_save = procedure<KernelState>('irq_save', {
  cli: (s, t) => {
    const was = s.irq_on[t.core];
    s.irq_on[t.core] = false;
    t.ret(was);
  },
});

/** ukplat_lcpu_restore_irqf(flags). */
export const irq_restore = procedure<KernelState>('irq_restore', {
  restore: (s, t) => { s.irq_on[t.core] = t.flags; },
});
