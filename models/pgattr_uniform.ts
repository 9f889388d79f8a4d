import { defineModel, procedure, range, thread, type ThreadSpec } from '../src/index.ts';
import { framePool, type FrameState, framesAssertions } from './kernel/frames.ts';
import { spin_lock_irqsave, spin_unlock_irqrestore, irqAssertions } from './kernel/irq.ts';
import { leafOf, pageTable, pg_page_mapx, pg_page_set_attr, type Attr, type PagingState, pagetableAssertions } from './kernel/pagetable.ts';
import { forVariants } from './kernel/props.ts';
import { rw_read_lock, rw_read_unlock, rw_write_lock, rw_write_unlock, rwWords, type RwWordState } from './kernel/rwword.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './kernel/spinlock.ts';
import { kernelState, type KernelState } from './kernel/state.ts';
import { ipiHandlers, tlb_shootdown, tlbFill, tlbState, type TlbState } from './kernel/tlb.ts';

/**
 * M8 `pgattr_uniform` (MODELS.md): uk_vma_set_attr → vmem_vma_set_attr first rewrites the
 * PTEs (ukplat_page_set_attr → pg_page_set_attr: present leaves only, local invlpg), *then*
 * stores vma->attr; vmem_pagefault reads vma->attr outside any lock and installs a PTE with it.
 * Pages v0, v1 are present (RW), v2 is not; all in one VMA with vma_attr = RW.
 *
 * Variants: 8a-U (C0 set_attr(R) and C1 set_attr(RW), no lock), 8a-L (PT around the whole call,
 * the vma_attr store included), 8b (C1 faults on v2 while C0 runs set_attr(R) under the big
 * lock), 8b-fix (a VAS rwlock: set_attr writes, the fault reads from vma_attr to the PTE),
 * 8c (C1 holds a cached RW entry for v0 and writes; C0's set_attr(R) flushes only locally),
 * 8c-fix (shootdown: IPIs and acks), 8c-irqoff (both cores set_attr with a shootdown under
 * uk_spin_lock_irqsave).
 *
 * `cores` (default 2): C0 runs set_attr(R); every further core runs what C1 runs in the variant:
 * set_attr alternating RW and R (8a, 8c-irqoff), a fault on v2 (8b), or a write through its
 * cached RW entry, for v0 on C1, v1 on C2, v0 on C3, … (8c).
 */
export type M8Variant = '8a-U' | '8a-L' | '8b' | '8b-fix' | '8c' | '8c-fix' | '8c-irqoff';
type Params = { variant: M8Variant; cores: number };
type Shared = KernelState &
  PagingState &
  FrameState &
  TlbState &
  RwWordState & {
    vma_attr: Attr;
    /** Ghost: completed set_attr calls, and "a set_attr(R) has returned" (for U2). */
    done: number;
    ro_returned: boolean;
  };

const lockPT = (p: Params) => p.variant !== '8a-U' && p.variant !== '8b-fix';
const vasLock = (p: Params) => p.variant === '8b-fix';
const shootdown = (p: Params) => p.variant === '8c-fix' || p.variant === '8c-irqoff';
const irqsOff = (p: Params) => p.variant === '8c-irqoff';

/** uk_vma_set_attr(range, a) → vmem_vma_set_attr: the PTEs first, then vma->attr. */
const set_attr = procedure<Shared, Params, { a: Attr; flags?: boolean }>('uk_vma_set_attr', {
  lock: (s, t, p) => {
    if (vasLock(p)) t.call(rw_write_lock, { rw: 'VAS' });
    else if (irqsOff(p)) t.call(spin_lock_irqsave, { lock: 'PT' }, { into: 'flags' });
    else if (lockPT(p)) t.call(spin_lock, { lock: 'PT' });
  },
  pg_page_set_attr: (s, t) => { t.call(pg_page_set_attr, { tbl: 'T', l: 0, to: 3, attr: t.a }); },
  flush_tlb_mm_range: (s, t, p) => { if (shootdown(p)) t.call(tlb_shootdown); },
  vma_attr_store: (s, t, p) => {
    s.vma_attr = t.a;
    s.done += 1;
    if (t.a === 'R') s.ro_returned = true;
    if (!vasLock(p) && !lockPT(p)) t.ret();
  },
  unlock: (s, t, p) => {
    if (vasLock(p)) t.call(rw_write_unlock, { rw: 'VAS' });
    else if (irqsOff(p)) t.call(spin_unlock_irqrestore, { lock: 'PT', flags: t.flags });
    else t.call(spin_unlock, { lock: 'PT' });
  },
});

/** vmem_pagefault: g1 reads vma->attr (outside PT), g2 installs the PTE under PT. */
const vmem_pagefault = procedure<Shared, Params, { l: number; a: Attr }>('vmem_pagefault', {
  vas_rlock: (s, t, p) => { if (vasLock(p)) t.call(rw_read_lock, { rw: 'VAS' }); },
  g1_read_vma_attr: (s, t) => { t.a = s.vma_attr; },
  g2_ukplat_page_mapx: (s, t) => { t.call(pg_page_mapx, { l: t.l, attr: t.a, sync: 'whole', mapx: 'fault' }); },
  vas_runlock: (s, t, p) => { if (vasLock(p)) t.call(rw_read_unlock, { rw: 'VAS' }); },
});

/**
 * A load or store to page l: through the core's TLB entry, or a walk on a miss (the walk, the
 * fill and the access are one instruction; a not-present PTE traps to vmem_pagefault, then the
 * access is retried). A store through a read-only entry is a protection fault and does not
 * complete. U2: no store completes after a set_attr(R) returned.
 */
const access = procedure<Shared, Params, { l: number; write: boolean }>('access', {
  load_store: (s, t) => {
    const e = tlbFill(s, t.core, t.l, leafOf(s, t.l));
    if (e === null) return t.call(vmem_pagefault, { l: t.l }, { retry: true });
    if (!t.write || e.attr !== 'RW') return;
    t.assert(!s.ro_returned, 'U2', `core ${t.core} wrote page ${t.l} through a stale RW TLB entry after set_attr(R) returned`);
    s.fa.data[e.paddr as number] = t.tid + 1;
  },
});

/** The page core c (c ≥ 1) has cached RW and writes in 8c: v0, v1, v0, … */
const stalePage = (c: number) => (c - 1) % 2;
const others = (p: Params) => range(p.cores).slice(1);

function threadsOf(p: Params): ThreadSpec[] {
  const c0 = thread('C0', set_attr, { a: 'R' });
  const setAttrs = others(p).map((c) => thread(`C${c}`, set_attr, { a: c % 2 === 1 ? 'RW' : 'R' }));
  switch (p.variant) {
    case '8a-U':
    case '8a-L':
      return [c0, ...setAttrs];
    case '8b':
    case '8b-fix':
      return [c0, ...others(p).map((c) => thread(`C${c}`, access, { l: 2, write: false }))];
    case '8c':
    case '8c-fix': {
      const writers = others(p).map((c) => thread(`C${c}`, access, { l: stalePage(c), write: true }));
      return p.variant === '8c' ? [c0, ...writers] : [c0, ...writers, ...ipiHandlers(others(p), 1)];
    }
    case '8c-irqoff':
      // Every core receives one IPI from each of the other cores' shootdowns.
      return [c0, ...setAttrs, ...ipiHandlers(range(p.cores), p.cores - 1)];
  }
}

export const pgattrUniform = defineModel({
  name: 'pgattr_uniform',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: ['U2', ...framesAssertions, ...irqAssertions, ...pagetableAssertions, ...spinlockAssertions],
  description: 'uniform permissions after a paging/VMA API call, versus faults and remote TLBs',
  params: { variant: '8a-U', cores: 2 } as Params,
  check: (p) => (p.cores >= 2 ? undefined : 'cores must be at least 2'),
  shared: (p): Shared => ({
    ...kernelState({ cores: p.cores, threads: threadsOf(p).length, spinlocks: ['PT'] }),
    fa: framePool(4, [0, 1]),
    pt: pageTable(3, { table: 'T' }, { T: [{ paddr: 0, attr: 'RW' }, { paddr: 1, attr: 'RW' }, null] }),
    // 8c: core 1 already used v0 for writing, so its TLB caches the RW entry (core 2 v1, …).
    ...tlbState(p.cores, 3, p.variant.startsWith('8c') ? others(p).map((c) => ({ core: c, l: stalePage(c), entry: { paddr: stalePage(c), attr: 'RW' } })) : []),
    rwl: rwWords(['VAS']),
    vma_attr: 'RW',
    done: 0,
    ro_returned: false,
  }),
  threads: threadsOf,
  finals: {
    // U1: every present PTE of the VMA carries the VMA's attributes.
    U1: (s) => s.pt.tables.T!.every((e) => e === null || e.attr === s.vma_attr),
  },
  witnesses: {
    // 8a-L: the calls serialize both ways; the last one wins everywhere.
    'W-R-last': forVariants(['8a-L'], (s: Shared) => s.done === 2 && s.vma_attr === 'R'),
    'W-RW-last': forVariants(['8a-L'], (s: Shared) => s.done === 2 && s.vma_attr === 'RW'),
    // 8b-fix: the fault installs v2 before set_attr (which then rewrites it), or after (with R).
    'W-fault-first': forVariants(['8b-fix'], (s: Shared) => s.pt.tables.T![2]?.attr === 'RW'),
    'W-setattr-first': forVariants(['8b-fix'], (s: Shared) => s.vma_attr === 'R' && s.pt.tables.T![2] === null),
    // 8c-fix: the other cores' cached RW entries are removed by the IPIs.
    'W-shootdown': forVariants(['8c-fix'], (s: Shared, p: Params) => s.tlb_shot >= p.cores - 1),
  },
});
