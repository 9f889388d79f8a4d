import { defineModel, procedure, thread } from '../src/index.ts';
import { blockingRwlock, spinningRwlock, type RwlockOps } from './kernel/rwlock.ts';
import { kernelState, type KernelState } from './kernel/state.ts';

/**
 * M4 `rwlock_wakeup_pagefault` (MODELS.md): the seed crash of the 2023-06-20 SMP meeting.
 *
 * T0 sleeps in uk_rwlock_rlock(A) (blocking rwlock, wait queue). When T1's wunlock(A) wakes
 * it, T0's wake-up tail runs with IRQs off and writes its own `struct uk_thread`, which sits on
 * a demand-paged heap page P that was never touched: a page fault with IRQs off. The handler
 * (vmem_pagefault, PR #935) takes the VMA-list rwlock B for reading; T1 holds B for writing, so
 * the blocking read lock sleeps, calling schedule() with IRQs off: UK_CRASH.
 *
 * Variants: V1 (blocking B: FAIL I-sched-irq), V2 (spinning B on the other core: PASS),
 * V3 (spinning, the handler needs the lock the faulting core holds, A == B: deadlock).
 */
export type M4Variant = 'V1' | 'V2' | 'V3';
type Params = { variant: M4Variant };
type Shared = KernelState & { pool: number };

/** The rwlock flavour the fault path uses, and which lock the handler takes. */
const faultLock = (p: Params) => (p.variant === 'V3' ? 'A' : 'B');
const faultOps = (p: Params): RwlockOps => (p.variant === 'V1' ? blockingRwlock : spinningRwlock);

/** vmem_pagefault → vmem_vma_find (rlock vma_list_lock) → vma_op_anon_fault → pg_page_mapx. */
const vmem_pagefault = procedure<Shared, Params>('vmem_pagefault', {
  vma_find_rlock: (s, t, p) => { t.call(faultOps(p).rlock, { rw: faultLock(p) }); },
  anon_falloc: (s, t) => {
    t.assert(s.pool > 0, 'I-oom', 'the frame pool is empty');
    s.pool -= 1;
  },
  pte_write: (s, t) => { s.pages[t.page] = true; },
  vma_find_runlock: (s, t, p) => { t.call(faultOps(p).runlock, { rw: faultLock(p) }); },
});

/** T0 on core 0: a reader of A (uk_rwlock_rlock, then runlock). */
const reader = procedure<Shared, Params>('T0', {
  r_rlock: (s, t) => { t.call(blockingRwlock.rlock, { rw: 'A' }); },
  r_runlock: (s, t) => { t.call(blockingRwlock.runlock, { rw: 'A' }); },
});

/** T1 on core 1: write-holds A, then B (the VMA list: an uk_vma_map in progress), releases A, then B. */
const writer = procedure<Shared, Params>('T1', {
  w1_wlock_A: (s, t) => { t.call(blockingRwlock.wlock, { rw: 'A' }); },
  w2_wlock_B: (s, t, p) => { if (p.variant !== 'V3') t.call(faultOps(p).wlock, { rw: 'B' }); },
  w3_wunlock_A: (s, t) => { t.call(blockingRwlock.wunlock, { rw: 'A' }); },
  w5_wunlock_B: (s, t, p) => { if (p.variant !== 'V3') t.call(faultOps(p).wunlock, { rw: 'B' }); },
});

export const rwlockWakeupPagefault = defineModel({
  name: 'rwlock_wakeup_pagefault',
  description: 'seed crash: page fault in the IRQs-off wake-up tail reaches a blocking rwlock',
  params: { variant: 'V1' } as Params,
  shared: (): Shared => ({
    ...kernelState({
      cores: 2,
      threads: 2,
      rwlocks: ['A', 'B'],
      pageFaultHandler: 'vmem_pagefault',
      // T0's struct: RUNNABLE (written by the waker) on present page P1; the fields its own
      // wake-up tail writes on P, a heap page never touched yet (heap_init maps 16 pages only).
      threadPages: [{ waker: 'P1', self: 'P' }, { waker: 't1', self: 't1' }],
      pages: { P: false },
    }),
    pool: 2,
  }),
  threads: () => [thread('T0', reader, {}, { core: 0 }), thread('T1', writer, {}, { core: 1 })],
  procedures: [vmem_pagefault],
  witnesses: {
    // The handler really runs with IRQs off (interrupt gate), so the model exercises the fault path.
    'W-fault-irqoff': (s) => s.in_fault.some((f, c) => f && !s.irq_on[c]),
  },
});
