import { procedure } from '../../src/index.ts';
import type { KernelState } from './state.ts';

/**
 * "An interrupt may arrive here": call it between two steps of a code path, and the checker
 * explores both futures, the one where no interrupt comes and the one where this core takes
 * the interrupt now and runs `handler` (a procedure the model lists in `procedures`) before
 * going on. An interrupt is only taken while IRQs are on at this core (`irq_on[core]`), so code
 * that disabled them (`uk_spin_lock_irqsave`) is never interrupted there; the handler runs
 * with IRQs off (an interrupt gate), and they are on again when it returns. Taking it is a
 * `t.choose` (`choose irq = …` in traces).
 *
 * @example
 * ```ts
 * locked: (s, t) => { t.call(irq_may_arrive, { handler: 'timer_irq' }); },
 * ```
 */
export const irq_may_arrive = procedure<Pick<KernelState, 'irq_on'>, unknown, { handler: string }>('irq_may_arrive', {
  arrive: (s, t) => {
    if (!s.irq_on[t.core]) return t.ret(); // masked: nothing can arrive
    if (t.choose('irq', ['none', t.handler]) === 'none') return t.ret();
    s.irq_on[t.core] = false;
    t.call(t.handler);
  },
  iret: (s, t) => { s.irq_on[t.core] = true; },
});
