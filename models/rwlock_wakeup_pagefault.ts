import { defineModel, procedure, thread, type ThreadSpec } from '../src/index.ts';
import { falloc, framePool, NIL, type FrameState } from './kernel/frames.ts';
import { touch } from './kernel/pagefault.ts';
import { forVariants } from './kernel/props.ts';
import { blockingRwlock, rwlock_tryrlock, spinningRwlock, type RwlockOps } from './kernel/rwlock.ts';
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
 * Variants (MODELS.md M4 table):
 * - V1: blocking B, T0's own struct page not present → FAIL I-sched-irq.
 * - V1b: the page uk_thread_wake writes for the *waker* is not present: T1 faults inside
 *   wunlock(A) and its handler wants B, which T1 itself write-holds → FAIL I-sched-irq.
 * - V2: B is the spinning rwlock of 84aecdd3, held on the other core → PASS.
 * - V3: spinning, the handler needs the lock the faulting core holds (A == B) → deadlock.
 * - V3-wheld: T0 write-holds spinning B and touches an unpopulated heap page → deadlock.
 * - V4: heap objects pre-populated (PR #946): P present → PASS for this fault.
 * - V4-T2: V4 plus T2 on a third core with an ordinary heap fault while B is held → FAIL.
 * - V5: the handler uses a read trylock on B (Linux faulthandler_disabled()) → I-sched-irq
 *   holds, but "unhandled kernel fault" is reachable (witness W-unhandled-fault).
 */
export type M4Variant = 'V1' | 'V1b' | 'V2' | 'V3' | 'V3-wheld' | 'V4' | 'V4-T2' | 'V5';
type Params = { variant: M4Variant };
type Shared = KernelState & FrameState;

/** Which lock the handler takes, and the rwlock flavour of B. */
const faultLock = (p: Params) => (p.variant === 'V3' ? 'A' : 'B');
const faultOps = (p: Params): RwlockOps =>
  p.variant === 'V2' || p.variant === 'V3' || p.variant === 'V3-wheld' ? spinningRwlock : blockingRwlock;

/** vmem_pagefault → vmem_vma_find (rlock vma_list_lock) → vma_op_anon_fault → pg_page_mapx. */
const vmem_pagefault = procedure<Shared, Params>('vmem_pagefault', {
  vma_find_rlock: (s, t, p) => {
    if (p.variant === 'V5') t.call(rwlock_tryrlock, { rw: faultLock(p) }, { into: 'locked' });
    else t.call(faultOps(p).rlock, { rw: faultLock(p) });
  },
  trylock_failed: (s, t, p) => { if (p.variant === 'V5' && !t.locked) t.ret(false); }, // bad_area_nosemaphore
  anon_falloc: (s, t) => { t.call(falloc, {}, { into: 'f' }); },
  pte_write: (s, t) => {
    t.assert(t.f !== NIL, 'I-oom', 'the frame pool is empty');
    s.pages[t.page] = true;
  },
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

/** T2 (V4-T2): ordinary kernel code touching a heap page Q for the first time, IRQs on. */
const heapUser = procedure<Shared, Params>('T2', {
  touch_heap_Q: (s, t) => { if (!touch(s, t, 'Q')) return; },
});

/** V3-wheld: uk_vma_unmap holds the VMA list for writing and frees a VMA (vmem_vma_destroy → uk_free) on a never-touched heap page. */
const unmapper = procedure<Shared, Params>('T0', {
  wlock_B: (s, t) => { t.call(spinningRwlock.wlock, { rw: 'B' }); },
  uk_free_touch_Q: (s, t) => { if (!touch(s, t, 'Q')) return; },
  wunlock_B: (s, t) => { t.call(spinningRwlock.wunlock, { rw: 'B' }); },
});

function threadsOf(p: Params): ThreadSpec[] {
  if (p.variant === 'V3-wheld') return [thread('T0', unmapper, {}, { core: 0 })];
  const ts = [thread('T0', reader, {}, { core: 0 }), thread('T1', writer, {}, { core: 1 })];
  if (p.variant === 'V4-T2') ts.push(thread('T2', heapUser, {}, { core: 2 }));
  return ts;
}

/** T0's struct: `waker` holds RUNNABLE (written by uk_thread_wake from the waker), `self` what its own wake-up tail writes. */
function threadPages(p: Params) {
  if (p.variant === 'V1b') return [{ waker: 'P', self: 'P1' }, { waker: 't1', self: 't1' }];
  return [{ waker: 'P1', self: 'P' }, { waker: 't1', self: 't1' }, { waker: 't2', self: 't2' }];
}

export const rwlockWakeupPagefault = defineModel({
  name: 'rwlock_wakeup_pagefault',
  description: 'seed crash: page fault in the IRQs-off wake-up tail reaches a blocking rwlock',
  params: { variant: 'V1' } as Params,
  shared: (p): Shared => ({
    ...kernelState({
      cores: p.variant === 'V4-T2' ? 3 : 2,
      threads: threadsOf(p).length,
      rwlocks: ['A', 'B'],
      pageFaultHandler: 'vmem_pagefault',
      // P: a heap page never touched yet (heap_init maps 16 pages only); V4 pre-populates it.
      threadPages: threadPages(p),
      pages: { P: p.variant === 'V4' || p.variant === 'V4-T2', Q: false },
    }),
    fa: framePool(2),
  }),
  threads: threadsOf,
  procedures: [vmem_pagefault],
  witnesses: {
    // The handler really runs with IRQs off (interrupt gate), so the model exercises the fault path.
    'W-fault-irqoff': forVariants(['V2', 'V5'], (s: Shared) => s.in_fault.some((f, c) => f && !s.irq_on[c])),
    // V2: the handler's read lock really waits for T1's write hold (it spins instead of sleeping).
    'W-handler-spins': forVariants(['V2'], (s: Shared) => s.in_fault[0]! && s.rw.B!.nactive === -1 && s.rw.B!.npend_r > 0),
    // V4: the IRQs-off wake-up tail still runs (T0 woken, in A.shared, holding its lock, IRQs off); it just cannot fault.
    'W-wake-tail-irqoff': forVariants(['V4'], (s: Shared) =>
      s.runnable[0]! && s.wq['A.shared']!.includes(0) && s.locks['A.shared.sl'] === 1 && !s.irq_on[0]),
    // V5: the trylock fails and the fault is not handled: Linux's oops, Unikraft's crash.
    'W-unhandled-fault': forVariants(['V5'], (s: Shared) => s.unhandled_fault.some((x) => x)),
  },
});
