import { defineModel, procedure, thread, type ThreadSpec } from '../src/index.ts';
import { falloc, framePool, NIL, type FrameState, framesAssertions } from './kernel/frames.ts';
import { touch, pagefaultAssertions } from './kernel/pagefault.ts';
import { forVariants } from './kernel/props.ts';
import { blockingRwlock, rwlock_tryrlock, spinningRwlock, type RwlockOps, rwlockAssertions } from './kernel/rwlock.ts';
import { irq_may_arrive, KERNEL_IDS, kernelState, type KernelState } from './kernel/index.ts';

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
 *
 * `readers` (default 1) is the number of readers of A, each on its own core: T0, then T2, T3, …
 * after the writer T1. Each reader's struct has its own never-touched page (P for T0, P<tid>
 * for the others), so with two readers both wake-up tails can fault, one after the other: a
 * woken reader runs its tail with A.sl held (wait_event re-takes it before the re-check).
 */
export type M4Variant = 'V1' | 'V1b' | 'V2' | 'V3' | 'V3-wheld' | 'V4' | 'V4-T2' | 'V5' | 'V4-irq' | 'V4-irq-spin';
type Params = { variant: M4Variant; readers: number };
type Shared = KernelState & FrameState;

/** Which lock the handler takes, and the rwlock flavour of B. */
const faultLock = (p: Params) => (p.variant === 'V3' ? 'A' : 'B');
const faultOps = (p: Params): RwlockOps =>
  p.variant === 'V2' || p.variant === 'V3' || p.variant === 'V3-wheld' ? spinningRwlock : blockingRwlock;

/** vmem_pagefault → vmem_vma_find (rlock vma_list_lock) → vma_op_anon_fault → pg_page_mapx. */
const vmem_pagefault = procedure<Shared, Params, { page: string; locked?: boolean; f?: number }>('vmem_pagefault', {
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

/** A reader of A (uk_rwlock_rlock, then runlock): T0 on core 0, and any further readers. */
const reader = procedure<Shared, Params, {}>('reader', {
  r_rlock: (s, t) => { t.call(blockingRwlock.rlock, { rw: 'A' }); },
  r_runlock: (s, t) => { t.call(blockingRwlock.runlock, { rw: 'A' }); },
});

/** T1 on core 1: write-holds A, then B (the VMA list: an uk_vma_map in progress), releases A, then B. */
const writer = procedure<Shared, Params, {}>('writer', {
  w1_wlock_A: (s, t) => { t.call(blockingRwlock.wlock, { rw: 'A' }); },
  w2_wlock_B: (s, t, p) => { if (p.variant !== 'V3') t.call(faultOps(p).wlock, { rw: 'B' }); },
  w3_wunlock_A: (s, t) => { t.call(blockingRwlock.wunlock, { rw: 'A' }); },
  w5_wunlock_B: (s, t, p) => { if (p.variant !== 'V3') t.call(faultOps(p).wunlock, { rw: 'B' }); },
});

/** T2 (V4-T2): ordinary kernel code touching a heap page Q for the first time, IRQs on. */
const heapUser = procedure<Shared, Params, {}>('heap_user', {
  touch_heap_Q: (s, t) => { if (!touch(s, t, 'Q')) return; },
});

/** V3-wheld: uk_vma_unmap holds the VMA list for writing and frees a VMA (vmem_vma_destroy → uk_free) on a never-touched heap page. */
const unmapper = procedure<Shared, Params, {}>('uk_vma_unmap', {
  wlock_B: (s, t) => { t.call(spinningRwlock.wlock, { rw: 'B' }); },
  uk_free_touch_Q: (s, t) => { if (!touch(s, t, 'Q')) return; },
  wunlock_B: (s, t) => { t.call(spinningRwlock.wunlock, { rw: 'B' }); },
});

/**
 * V4-irq: V4, and an interrupt may arrive on T0's core while T0 read-holds A (irq_may_arrive).
 * Its handler reads under A too: with the blocking rwlock a pending writer makes that read lock
 * sleep, i.e. call schedule() with IRQs off (I-sched-irq). V4-irq-spin: the handler reads under
 * another lock, C, with the spinning rwlock, which never sleeps.
 */
const irqReader = procedure<Shared, Params, {}>('reader_irq', {
  r_rlock: (s, t) => { t.call(blockingRwlock.rlock, { rw: 'A' }); },
  r_irq: (s, t) => { t.call(irq_may_arrive, { handler: 'irq_handler' }); },
  r_runlock: (s, t) => { t.call(blockingRwlock.runlock, { rw: 'A' }); },
});
const irqHandler = procedure<Shared, Params, {}>('irq_handler', {
  h_rlock: (s, t, p) => { t.call(p.variant === 'V4-irq' ? blockingRwlock.rlock : spinningRwlock.rlock, { rw: p.variant === 'V4-irq' ? 'A' : 'C' }); },
  h_runlock: (s, t, p) => { t.call(p.variant === 'V4-irq' ? blockingRwlock.runlock : spinningRwlock.runlock, { rw: p.variant === 'V4-irq' ? 'A' : 'C' }); },
});

/** Thread i runs on core i: T0 (reader), T1 (writer), the further readers, then V4-T2's heap user. */
function threadsOf(p: Params): ThreadSpec[] {
  if (p.variant === 'V3-wheld') return [thread('T0', unmapper, {}, { core: 0 })];
  const procs = [p.variant.startsWith('V4-irq') ? irqReader : reader, writer, ...Array.from({ length: p.readers - 1 }, () => reader)];
  if (p.variant === 'V4-T2') procs.push(heapUser);
  return procs.map((proc, i) => thread(`T${i}`, proc, {}, { core: i }));
}

/** The readers' thread ids: T0, then T2, T3, … (T1 is the writer). */
const readerTids = (p: Params) => [0, ...Array.from({ length: p.readers - 1 }, (_, i) => i + 2)];

/** The page of reader `tid`'s struct that was never touched: P for T0, P<tid> for the others. */
const missingPage = (tid: number) => (tid === 0 ? 'P' : `P${tid}`);

/**
 * Each thread's struct: `waker` holds RUNNABLE (written by uk_thread_wake from the waker), `self`
 * what its own wake-up tail writes. A reader's `self` is its never-touched page and `waker` a
 * present one (P1 for T0); V1b swaps them, so the waker faults.
 */
function threadPages(p: Params) {
  return threadsOf(p).map((_, tid) => {
    if (!readerTids(p).includes(tid)) return { waker: `t${tid}`, self: `t${tid}` };
    const present = tid === 0 ? 'P1' : `t${tid}`;
    return p.variant === 'V1b' ? { waker: missingPage(tid), self: present } : { waker: present, self: missingPage(tid) };
  });
}

/** Demand-paged pages: the readers' never-touched pages (V4 pre-populates them) and Q. */
function demandPages(p: Params): Record<string, boolean> {
  const pages: Record<string, boolean> = {};
  for (const tid of readerTids(p)) pages[missingPage(tid)] = p.variant === 'V4' || p.variant === 'V4-T2' || p.variant.startsWith('V4-irq');
  return { ...pages, Q: false };
}

export const rwlockWakeupPagefault = defineModel({
  name: 'rwlock_wakeup_pagefault',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: ['I-oom', ...framesAssertions, ...pagefaultAssertions, ...rwlockAssertions],
  description: 'seed crash: page fault in the IRQs-off wake-up tail reaches a blocking rwlock',
  params: { variant: 'V1', readers: 1 } as Params,
  check: (p) => (p.readers >= 1 ? undefined : 'readers must be at least 1'),
  shared: (p): Shared => ({
    ...kernelState({
      cores: Math.max(2, threadsOf(p).length),
      threads: threadsOf(p).length,
      rwlocks: p.variant === 'V4-irq-spin' ? ['A', 'B', 'C'] : ['A', 'B'],
      pageFaultHandler: 'vmem_pagefault',
      // P: a heap page never touched yet (heap_init maps 16 pages only); V4 pre-populates it.
      threadPages: threadPages(p),
      pages: demandPages(p),
    }),
    fa: framePool(1 + p.readers),
  }),
  threads: threadsOf,
  // The readers after the first (T2, T3, ...) run the same code on their own pages t<tid> and
  // P<tid>; T0 (whose struct page is P1) and the writer are distinct.
  symmetry: (p) => ({
    threads: p.variant === 'V3-wheld' ? [] : [readerTids(p).slice(1)],
    keys: [...KERNEL_IDS.keys, 'pages.P#tid'],
    values: [...KERNEL_IDS.values, { path: 'tpages.*.*', prefix: 'P' }],
    // The readers' struct pages are P<tid> here (tpages), and thread_wake's `page` local holds one.
    locals: [...KERNEL_IDS.locals, { name: 'page', prefix: 'P' }],
  }),
  procedures: [vmem_pagefault, irqHandler],
  witnesses: {
    // The handler really runs with IRQs off (interrupt gate), so the model exercises the fault path.
    'W-fault-irqoff': forVariants(['V2', 'V5'], (s: Shared) => s.in_fault.some((f, c) => f && !s.irq_on[c])),
    // V2: the handler's read lock really waits for T1's write hold (it spins instead of sleeping).
    'W-handler-spins': forVariants(['V2'], (s: Shared) => s.in_fault[0]! && s.rw.B!.nactive === -1 && s.rw.B!.npend_r > 0),
    // V2 with two readers: one reader's handler runs while the other reader, woken too, waits for
    // A.sl, which the faulting reader holds through its wake-up tail.
    'W-woken-waits': forVariants(['V2'], (s: Shared, p: Params) => p.readers < 2 || readerTids(p).some((a) => s.in_fault[a]! &&
      readerTids(p).some((b) => b !== a && s.runnable[b]! && s.wq['A.shared']!.includes(b) && s.locks['A.sl'] === a + 1))),
    // V4: the IRQs-off wake-up tail still runs (T0 woken, in A.shared, holding its lock, IRQs off); it just cannot fault.
    'W-wake-tail-irqoff': forVariants(['V4'], (s: Shared) =>
      s.runnable[0]! && s.wq['A.shared']!.includes(0) && s.locks['A.shared.sl'] === 1 && !s.irq_on[0]),
    // V4 with two readers: both sleep on A at once, so one wunlock wakes both.
    'W-readers-queued': forVariants(['V4'], (s: Shared, p: Params) => p.readers < 2 || s.wq['A.shared']!.length >= 2),
    // V5: the trylock fails and the fault is not handled: Linux's oops, Unikraft's crash.
    'W-unhandled-fault': forVariants(['V5'], (s: Shared) => s.unhandled_fault.some((x) => x)),
  },
});
