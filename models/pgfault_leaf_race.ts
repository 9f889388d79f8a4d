import { defineModel, procedure, range, thread } from '../src/index.ts';
import { framePool, type FrameState, framesAssertions } from './kernel/frames.ts';
import { leafOf, pageTable, pg_page_mapx, type PagingState, type PtSync, pagetableAssertions } from './kernel/pagetable.ts';
import { forVariants } from './kernel/props.ts';

/**
 * M7 `pgfault_leaf_race` (MODELS.md): two cores touch the same not-yet-populated page v.
 * Each faults: vmem_pagefault → ukplat_page_mapx(paddr=0, mapx=vmem_mapx_pagefault) →
 * pg_page_mapx reads the leaf (orig_pte), the callback allocates and zeroes a frame
 * (vma_op_anon_fault), then the leaf is written. Then each retries its access: load the leaf,
 * store c+1 into the frame. With the draft 718a8d7b, PT is dropped around the callback, so the
 * check and the write of the leaf are separate critical sections.
 *
 * Variants: U (no lock), Draft (PT dropped around mapx), Whole-lockingcb (PT held across the
 * callback, but the callback is vmem_mapx_advise, which takes PT itself; one core), Whole (PT
 * held across a lock-free callback), Linux (do_anonymous_page: allocate outside, re-check under
 * PT, the loser frees), Advise-draft / Advise-linux (C0 runs uk_vma_advise WILLNEED, C1 faults).
 */
export type M7Variant = 'U' | 'Draft' | 'Whole-lockingcb' | 'Whole' | 'Linux' | 'Advise-draft' | 'Advise-linux';
type Op = 'fault' | 'advise';
type Params = { variant: M7Variant; frames: number; cores: number };
type Shared = PagingState &
  FrameState & {
    locks: { PT: number };
    /** Ghost: the value of the last completed store to v, and which cores took the fault. */
    last_store: number | null;
    faulted: boolean[];
  };

const SYNC: Record<M7Variant, PtSync> = {
  U: 'none', Draft: 'draft', 'Whole-lockingcb': 'whole', Whole: 'whole', Linux: 'linux', 'Advise-draft': 'draft', 'Advise-linux': 'linux',
};

/** What each core does: one advise (Whole-lockingcb), advise then faults, or faults on every core. */
function opsOf({ variant: v, cores }: Params): Op[] {
  if (v === 'Whole-lockingcb') return ['advise'];
  const faults = range(cores).map((): Op => 'fault');
  return v === 'Advise-draft' || v === 'Advise-linux' ? ['advise', ...faults.slice(1)] : faults;
}

/** vmem_pagefault for v (page 0): the anonymous-VMA fault through pg_page_mapx. */
const vmem_pagefault = procedure<Shared, Params, {}>('vmem_pagefault', {
  ukplat_page_mapx: (s, t, p) => { t.call(pg_page_mapx, { l: 0, attr: 'RW', sync: SYNC[p.variant], mapx: 'fault' }); },
});

/** Core c touches v and stores c+1 into it; the first access faults while v is not present. */
const touch_and_store = procedure<Shared, Params, { g: number }>('store_to_v', {
  s9_load_pte: (s, t) => {
    const e = leafOf(s, 0);
    if (e === null) {
      s.faulted[t.tid] = true;
      return t.call(vmem_pagefault, {}, { retry: true }); // #PF, then retry the access
    }
    t.g = e.paddr as number;
  },
  s10_store: (s, t) => {
    s.fa.data[t.g] = t.tid + 1;
    s.last_store = t.tid + 1;
  },
});

/** uk_vma_advise(v, WILLNEED): ukplat_page_mapx with vmem_mapx_advise. */
const vma_advise = procedure<Shared, Params, {}>('uk_vma_advise', {
  ukplat_page_mapx: (s, t, p) => { t.call(pg_page_mapx, { l: 0, attr: 'RW', sync: SYNC[p.variant], mapx: 'advise' }); },
});

const allocated = (s: Shared) => range(s.fa.free.length).filter((f) => !s.fa.free[f]);

export const pgfaultLeafRace = defineModel({
  name: 'pgfault_leaf_race',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: [...framesAssertions, ...pagetableAssertions],
  description: 'two cores fault on the same page; the draft drops the PT lock around the mapx callback',
  params: { variant: 'U', frames: 4, cores: 2 } as Params,
  shared: (p): Shared => ({
    locks: { PT: 0 },
    fa: framePool(p.frames),
    pt: pageTable(1, { table: 'T' }, { T: [null] }),
    last_store: null,
    faulted: opsOf(p).map(() => false),
  }),
  threads: (p) => opsOf(p).map((op, c) => (op === 'fault' ? thread(`C${c}`, touch_and_store) : thread(`C${c}`, vma_advise))),
  finals: {
    // Every frame taken from the pool is the one the PTE maps (or was given back).
    'I-noleak': (s) => allocated(s).every((f) => leafOf(s, 0)?.paddr === f),
    // The frame v maps holds the last completed store.
    'I-store-kept': (s) => s.last_store === null || s.fa.data[leafOf(s, 0)!.paddr as number] === s.last_store,
  },
  witnesses: {
    // Whole: both cores fault; the second finds the PTE present under PT and allocates nothing.
    'W-both-fault': forVariants(['Whole'], (s: Shared) => s.faulted.every((x) => x) && allocated(s).length === 1 && s.last_store !== null),
    // Linux: both allocate a frame, one is installed, the loser's goes back to the pool.
    'W-loser-frees': forVariants(['Linux', 'Advise-linux'], (s: Shared) => s.pt.unused_freed > 0),
  },
});

// store_to_v's local `g` is the frame its PTE maps: pg_page_mapx's fault callback installs
// frame numbers (a Leaf's paddr is a string only for a split large page), hence `as number`.
