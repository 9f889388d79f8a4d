import { range } from '../../src/index.ts';

/** Reader-writer lock state, as `struct uk_rwlock` (lib/uklock/include/uk/rwlock.h). */
export interface RwState {
  /** k readers inside, or -1 for a writer. */
  nactive: number;
  npend_r: number;
  npend_w: number;
}

/**
 * The shared state every kernel building block works on. A model's shared state spreads
 * `kernelState(...)` and adds its own fields.
 *
 * - `locks[name]`: spinlock words, 0 free, holder tid + 1 held. A rwlock R has `R.sl`; a wait
 *   queue W has `W.sl`.
 * - `irq_on[core]`: the IF flag of each core.
 * - `runnable[tid]`: the RUNNABLE flag of each thread's `struct uk_thread`.
 * - `wq[name]`: the threads linked into wait queue `name`, in order.
 * - `rw[name]`: reader-writer locks.
 * - `pages[name]`: present bits of demand-paged pages (`false`: the first access faults).
 * - `traps.page_fault`: the procedure the page-fault trap runs (the model's handler).
 * - `in_fault[core]`: ghost, the core is inside its page-fault handler.
 * - `unhandled_fault[core]`: ghost, a fault on that core was not handled.
 */
export interface KernelState {
  locks: Record<string, number>;
  irq_on: boolean[];
  runnable: boolean[];
  wq: Record<string, number[]>;
  rw: Record<string, RwState>;
  pages: Record<string, boolean>;
  traps: { page_fault: string | null };
  in_fault: boolean[];
  /** Ghost: the core took a kernel page fault its handler could not resolve (oops / UK_CRASH). */
  unhandled_fault: boolean[];
  /**
   * Per thread, the pages holding its `struct uk_thread` fields: `waker` is written by another
   * core's uk_thread_wake (RUNNABLE), `self` by the thread's own wake-up tail.
   */
  tpages: { waker: string; self: string }[];
}

/**
 * Where kernelState() keeps thread and core ids, for a model's symmetry declaration: per-thread
 * and per-core arrays, lock words (holder's tid + 1), wait-queue lists of tids, the default
 * thread-struct pages `t<tid>` (named in `tpages` and keys of `pages`), and the `target` and
 * `page` locals of uk_thread_wake.
 */
export const KERNEL_IDS = {
  keys: ['runnable.#tid', 'tpages.#tid', 'pages.t#tid', 'irq_on.#core', 'in_fault.#core', 'unhandled_fault.#core'],
  values: [{ path: 'locks.*', offset: 1 }, { path: 'wq.*.*' }, { path: 'tpages.*.*', prefix: 't' }],
  // thread_wake's `target` (a thread id) and `page` (the target's struct page, 't<tid>').
  locals: ['target', { name: 'page', prefix: 't' }],
} as const;

/**
 * Locations the kernel building blocks access atomically, for a model's `atomics` (data-race
 * detection): the spinlock words (`locks`, taken with an atomic exchange). Everything else
 * kernelState() holds is plain data, protected by those locks or owned by one core.
 */
export const KERNEL_ATOMICS = ['locks'] as const;

export interface KernelConfig {
  cores: number;
  threads: number;
  spinlocks?: string[];
  rwlocks?: string[];
  waitqueues?: string[];
  pages?: Record<string, boolean>;
  pageFaultHandler?: string;
  /** Pages of each thread's struct (default: one present page `t<tid>`). */
  threadPages?: { waker: string; self: string }[];
}

/** Initial kernel state: every lock free, IRQs on, threads runnable, queues empty. */
export function kernelState(c: KernelConfig): KernelState {
  const locks: Record<string, number> = {};
  const wq: Record<string, number[]> = {};
  const rw: Record<string, RwState> = {};
  for (const l of c.spinlocks ?? []) locks[l] = 0;
  for (const w of c.waitqueues ?? []) {
    wq[w] = [];
    locks[`${w}.sl`] = 0;
  }
  for (const r of c.rwlocks ?? []) {
    rw[r] = { nactive: 0, npend_r: 0, npend_w: 0 };
    locks[`${r}.sl`] = 0;
    for (const q of [`${r}.shared`, `${r}.exclusive`]) {
      wq[q] = [];
      locks[`${q}.sl`] = 0;
    }
  }
  const tpages = range(c.threads).map((tid) => c.threadPages?.[tid] ?? { waker: `t${tid}`, self: `t${tid}` });
  const pages: Record<string, boolean> = {};
  for (const tp of tpages) pages[tp.waker] = pages[tp.self] = true;
  Object.assign(pages, c.pages ?? {});
  return {
    locks,
    irq_on: range(c.cores).map(() => true),
    runnable: range(c.threads).map(() => true),
    wq,
    rw,
    pages,
    traps: { page_fault: c.pageFaultHandler ?? null },
    in_fault: range(c.cores).map(() => false),
    unhandled_fault: range(c.cores).map(() => false),
    tpages,
  };
}
