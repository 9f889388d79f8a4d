import { procedure } from '../../src/index.ts';
import { NIL, takeFrame, type FrameState, framesAssertions } from './frames.ts';
import { spin_lock, spin_unlock, type LockState, spinlockAssertions } from './spinlock.ts';

type VmemState = LockState & FrameState & { pt: { tables: Record<string, unknown[]> } };

/**
 * lib/ukvmem/vma_anon.c vma_op_anon_fault: falloc(ANY) and memset_isr the new frame to zero.
 * One step: the frame is private until the PTE publishes it. Returns the frame.
 */
export const vma_op_anon_fault = procedure<VmemState, unknown, {}>('vma_op_anon_fault', {
  falloc_zero: (s, t) => {
    const f = takeFrame(s);
    t.assert(f !== NIL, 'I-oom', 'the frame pool is empty');
    s.fa.data[f] = 0;
    t.ret(f);
  },
});

/** vmem_mapx_pagefault: the page-fault mapx callback; supplies a fresh frame through the fault op. */
export const vmem_mapx_pagefault = procedure<VmemState, unknown, { f?: number }>('vmem_mapx_pagefault', {
  fault_op: (s, t) => { t.call(vma_op_anon_fault, {}, { into: 'f' }); },
  ret: (s, t) => { t.ret(t.f); },
});

/**
 * vmem_mapx_advise (uk_vma_advise WILLNEED) as the draft 718a8d7b writes it: it takes
 * `pt->lock` itself, returns ESKIP for a present PTE *with the lock held*, and otherwise unlocks
 * and populates outside the lock. Returns 'ESKIP' or the new frame.
 */
export const vmem_mapx_advise = procedure<VmemState, unknown, { tbl: string; l: number; f?: number }>('vmem_mapx_advise', {
  lock: (s, t) => { t.call(spin_lock, { lock: 'PT' }); },
  check_present: (s, t) => { if (s.pt.tables[t.tbl]![t.l] !== null) t.ret('ESKIP'); },
  unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); },
  populate: (s, t) => { t.call(vma_op_anon_fault, {}, { into: 'f' }); },
  ret: (s, t) => { t.ret(t.f); },
});

/**
 * The assertions the ukvmem handlers and what they call check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const vmemAssertions = ['I-oom', ...framesAssertions, ...spinlockAssertions] as const;
