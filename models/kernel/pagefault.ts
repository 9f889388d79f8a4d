import { procedure, type Thread } from '../../src/index.ts';
import type { KernelState } from './state.ts';

/**
 * The page-fault trap (plat/kvm/x86/traps.c): an interrupt gate, so the handler runs with IRQs
 * off whatever the faulting context had, inline on the faulting core; then the access is
 * retried. The handler is the procedure named in `s.traps.page_fault` (the model lists it in
 * its `procedures`), called with `{ page }`; it returns `false` when it could not handle the
 * fault (a trylock failed in atomic context), anything else when the page is now present.
 */
export const page_fault = procedure<KernelState, unknown, PageFaultLocals>('page_fault', {
  trap: (s, t) => {
    t.saved = s.irq_on[t.core];
    s.irq_on[t.core] = false;
    s.in_fault[t.core] = true;
    const handler = s.traps.page_fault;
    if (handler === null) {
      t.assert(false, 'I-unhandled-fault', `page ${t.page} is not present and no handler is installed`);
      return t.exit();
    }
    t.call(handler, { page: t.page }, { into: 'handled' });
  },
  iret: (s, t) => {
    if (t.handled === false) return t.goto('no_fixup');
    s.in_fault[t.core] = false;
    s.irq_on[t.core] = t.saved;
    t.ret();
  },
  /*
   * The handler returned "not handled" (Linux: faulthandler_disabled() → bad_area_nosemaphore).
   * A kernel-heap access has no exception-table fixup, so this is an oops; the thread ends here.
   */
  no_fixup: (s, t) => {
    s.unhandled_fault[t.core] = true;
    t.exit();
  },
});

/**
 * Use inside a step that accesses memory on a demand-paged page. When the page is present it
 * returns true and the step goes on; when it is not, the access does not complete: the step
 * becomes the trap (the handler runs inline) and is retried afterwards.
 *
 * @example
 * ```ts
 * wake: (s, t) => { if (!touch(s, t, t.page)) return; s.runnable[t.target] = true; },
 * ```
 */
export function touch(s: KernelState, t: Thread, page: string): boolean {
  if (s.pages[page]) return true;
  t.call(page_fault, { page }, { retry: true });
  return false;
}

/**
 * The assertions the page-fault trap checks (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const pagefaultAssertions = ['I-unhandled-fault'] as const;

/**
 * page_fault's frame: the faulting `page` (arg), the IF flag `saved` by `trap`, and what the
 * handler returned (`handled`: any value; only `false` means "not handled").
 */
type PageFaultLocals = { page: string; saved: boolean; handled?: unknown };
