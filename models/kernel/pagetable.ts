import { procedure, range } from '../../src/index.ts';
import { giveFrame, NIL, takeFrame, type FrameState, framesAssertions } from './frames.ts';
import { spin_lock, spin_unlock, type LockState, spinlockAssertions } from './spinlock.ts';
import { invlpg, type TlbState } from './tlb.ts';
import { vmem_mapx_advise, vmem_mapx_pagefault, vmemAssertions } from './vmem.ts';

/**
 * A toy two-level page table (plat/common/paging.c, MODELS.md §1.7): one upper-level entry
 * ROOT[0] (`pt.root`) over one table of `size` leaf PTEs; virtual page l is leaf index l.
 * PTE reads and writes are plain 64-bit loads and stores (ukarch_pte_read / ukarch_pte_write),
 * so each is one step. Page-table pages come from the frame pool (frames.ts) and are named
 * `T<frame>` in `pt.tables`.
 */
export type Attr = 'R' | 'RW';
export interface Leaf {
  paddr: number | string;
  attr: Attr;
}
/** ROOT[0]: not present, a table, or a large page whose small page l is `<paddr><l>`. */
export type RootPte = null | { table: string } | { paddr: string; attr: Attr; large: true };

export interface PageTable {
  root: RootPte;
  tables: Record<string, (Leaf | null)[]>;
  /** Leaf PTEs per table. */
  size: number;
  /** Ghost: per virtual page, the frame the last successful map of it installed (I-visible). */
  mapped: (number | string | null)[];
  /** Ghost: frames a loser of a re-check allocated and gave back (Linux pte_free / folio_put). */
  unused_freed: number;
}

export interface PagingState extends LockState, FrameState {
  pt: PageTable;
}

export function pageTable(size: number, root: RootPte = null, tables: Record<string, (Leaf | null)[]> = {}): PageTable {
  return { root, tables, size, mapped: range(size).map(() => null), unused_freed: 0 };
}

/** The leaf PTE of virtual page l (what a hardware walk finds), or null. */
export function leafOf(s: PagingState, l: number): Leaf | null {
  const r = s.pt.root;
  if (r === null) return null;
  if ('large' in r) return { paddr: `${r.paddr}${l}`, attr: r.attr };
  return s.pt.tables[r.table]![l] ?? null;
}

/** The physical page virtual page l maps to, or null. */
export function translate(s: PagingState, l: number): number | string | null {
  return leafOf(s, l)?.paddr ?? null;
}

/**
 * How pg_page_mapx synchronizes (MODELS.md M6/M7):
 * - `none`: upstream, no lock;
 * - `publish`: PT held only around the publication of a new table (M6-LW);
 * - `whole`: PT held from the walk to the leaf write, callback included (the seed's "lock the
 *   entire pg_page_mapx");
 * - `draft`: 718a8d7b: PT held for the walk, dropped around `mapx->map` and around
 *   pg_page_split's recursive map, re-taken before the writes, no re-check;
 * - `linux`: read locklessly, allocate outside the lock, take PT and re-validate before every
 *   write; the loser frees what it allocated (pmd_install, do_anonymous_page).
 */
export type PtSync = 'none' | 'publish' | 'whole' | 'draft' | 'linux';
/** The mapx callback: `fixed` keeps the caller's paddr; `fault` is vmem_mapx_pagefault; `advise` is vmem_mapx_advise. */
export type Mapx = 'fixed' | 'fault' | 'advise';

const holds = (sync: PtSync) => sync === 'whole' || sync === 'draft' || sync === 'linux';

/**
 * ukplat_page_mapx → pg_page_mapx for one page `l` (args: `l`, `sync`, `mapx`, `attr`, and
 * `paddr` for a `fixed` mapping). Walks ROOT[0]: allocates and publishes a table when there is
 * none (pg_pt_alloc), splits a large page (pg_page_split), then reads the leaf, runs the
 * callback and writes the leaf.
 */
export const pg_page_mapx = procedure<PagingState & Partial<TlbState>, unknown, MapxLocals>('pg_page_mapx', {
  pt_lock: (s, t) => { if (t.sync === 'whole' || t.sync === 'draft') t.call(spin_lock, { lock: 'PT' }); },
  walk_pte_read: (s, t) => {
    const e = s.pt.root;
    if (e === null) return t.goto(t.sync === 'linux' ? 'pte_alloc_one' : 'pg_pt_alloc');
    if ('large' in e) {
      t.large = { paddr: e.paddr, attr: e.attr }; // the large PTE this core saw
      return t.goto('split_unlock');
    }
    t.tbl = e.table;
    t.goto('leaf_pte_read');
  },
  // pg_pt_alloc: pg_falloc, then 512 invalid entries into the still private table.
  pg_pt_alloc: (s, t) => {
    const f = takeFrame(s);
    t.assert(f !== NIL, 'I-oom', 'no frame for a page table');
    t.tbl = `T${f}`;
    s.pt.tables[t.tbl] = range(s.pt.size).map(() => null);
  },
  publish_lock: (s, t) => { if (t.sync === 'publish') t.call(spin_lock, { lock: 'PT' }); },
  pte_write_parent: (s, t) => { s.pt.root = { table: t.tbl }; }, // the publication point
  publish_unlock: (s, t) => {
    if (t.sync === 'publish') t.call(spin_unlock, { lock: 'PT' }, { then: 'leaf_pte_read' });
    else t.goto('leaf_pte_read');
  },
  // Linux __pte_alloc → pmd_install: allocate outside the lock, publish only if still none.
  pte_alloc_one: (s, t) => {
    const f = takeFrame(s);
    t.assert(f !== NIL, 'I-oom', 'no frame for a page table');
    t.tbl = `T${f}`;
    s.pt.tables[t.tbl] = range(s.pt.size).map(() => null);
    t.consumed = false;
  },
  pmd_lock: (s, t) => { t.call(spin_lock, { lock: 'PT' }); },
  pmd_none: (s, t) => { if (s.pt.root !== null) t.goto('pmd_unlock'); }, // "Has another populated it?"
  pmd_populate: (s, t) => {
    s.pt.root = { table: t.tbl };
    t.consumed = true;
  },
  pmd_unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); },
  pte_free: (s, t) => {
    if (!t.consumed) {
      giveFrame(s, t, Number(t.tbl.slice(1)));
      delete s.pt.tables[t.tbl];
      s.pt.unused_freed += 1;
    }
    t.goto('walk_pte_read'); // re-read the entry, now populated by someone
  },
  // pg_page_split: a private table mapping the large page in small pages, then publish it.
  split_unlock: (s, t) => { if (t.sync === 'draft') t.call(spin_unlock, { lock: 'PT' }); },
  split_pt_alloc: (s, t) => {
    const large = t.large as { paddr: string; attr: Attr };
    const f = takeFrame(s);
    t.assert(f !== NIL, 'I-oom', 'no frame for a page table');
    t.tbl = `T${f}`;
    s.pt.tables[t.tbl] = range(s.pt.size).map((i) => ({ paddr: `${large.paddr}${i}`, attr: large.attr }));
  },
  split_relock: (s, t) => { if (t.sync === 'draft') t.call(spin_lock, { lock: 'PT' }); },
  split_pte_write: (s, t) => {
    s.pt.root = { table: t.tbl }; // overwrites the large PTE; no re-check in the draft
    t.goto('walk_pte_read');
  },
  leaf_pte_read: (s, t) => {
    // orig_pte. Present: the fault path returns (someone else faulted it in); a `fixed` mapx
    // remaps it to the caller's frame; vmem_mapx_advise checks for itself (ESKIP).
    const walkLocked = t.sync === 'whole' || t.sync === 'draft';
    if (s.pt.tables[t.tbl]![t.l] !== null && t.mapx === 'fault') {
      if (walkLocked) t.goto('pt_unlock');
      else t.ret();
    } else if (t.sync !== 'draft') t.goto('mapx_map');
  },
  mapx_unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); }, // draft: before mapx->map
  mapx_map: (s, t) => {
    if (t.mapx === 'fixed') t.p = t.paddr;
    else if (t.mapx === 'fault') t.call(vmem_mapx_pagefault, {}, { into: 'p' });
    else t.call(vmem_mapx_advise, { tbl: t.tbl, l: t.l }, { into: 'p' });
  },
  mapx_relock: (s, t) => {
    // ESKIP: pg_page_mapx jumps to NEXT_PTE, skipping its own re-lock; the callback left PT held.
    if (t.p === 'ESKIP') return t.goto('pt_unlock');
    if (t.sync === 'draft' || t.sync === 'linux') t.call(spin_lock, { lock: 'PT' });
  },
  pte_recheck: (s, t) => {
    // Linux: vmf_pte_changed / !pte_none under the lock; someone else won.
    if (t.sync === 'linux' && s.pt.tables[t.tbl]![t.l] !== null) t.goto('loser_unlock');
    else t.goto('leaf_pte_write');
  },
  loser_unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); },
  loser_free: (s, t) => {
    // folio_put of the frame the callback allocated for nothing.
    if (t.mapx !== 'fixed') {
      giveFrame(s, t, t.p as number);
      s.pt.unused_freed += 1;
    }
    t.ret();
  },
  leaf_pte_write: (s, t) => {
    // A frame the callback just allocated must never replace a present PTE: the old frame and
    // whatever was stored in it are lost (M7). A `fixed` remap replaces on purpose.
    const old = s.pt.tables[t.tbl]![t.l];
    if (t.mapx !== 'fixed') t.assert(old == null, 'I-no-overwrite', `leaf ${t.l} overwritten: ${old?.paddr} → ${t.p}`);
    s.pt.tables[t.tbl]![t.l] = { paddr: t.p, attr: t.attr };
    s.pt.mapped[t.l] = t.p;
    if (!holds(t.sync)) t.ret();
  },
  pt_unlock: (s, t) => { t.call(spin_unlock, { lock: 'PT' }); },
});

/**
 * pg_page_set_attr over leaves [from, to) of table `tbl`: rewrite each present leaf with the
 * new attributes and flush the local TLB entry (invlpg, this core only). Non-present leaves
 * are skipped: a later fault builds them from vma->attr.
 */
export const pg_page_set_attr = procedure<PagingState & TlbState, unknown, SetAttrLocals>('pg_page_set_attr', {
  pte_read: (s, t) => {
    if (t.l >= t.to) return t.ret();
    const orig = s.pt.tables[t.tbl]![t.l];
    if (orig == null) {
      t.l += 1;
      return t.goto('pte_read');
    }
    t.paddr = orig.paddr;
  },
  pte_write: (s, t) => {
    s.pt.tables[t.tbl]![t.l] = { paddr: t.paddr, attr: t.attr };
    invlpg(s, t.core, t.l);
    t.l += 1;
    t.goto('pte_read');
  },
});

/**
 * The assertions the page-table walk and what it calls check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const pagetableAssertions = ['I-no-overwrite', 'I-oom', ...framesAssertions, ...spinlockAssertions, ...vmemAssertions] as const;

/**
 * pg_page_mapx's frame. Args: the page `l`, `sync`, `mapx`, `attr`, and `paddr` (given only for a
 * `fixed` mapping, read only then). Set by the steps: the table `tbl` walked or allocated, the
 * `large` PTE seen, whether the allocated table was `consumed`, and `p`: the frame to map (the
 * caller's paddr, the callback's frame, or 'ESKIP' from vmem_mapx_advise; `loser_free` sees
 * only a callback's frame, hence its `as number`).
 */
type MapxLocals = {
  l: number;
  sync: PtSync;
  mapx: Mapx;
  attr: Attr;
  paddr: number | string;
  tbl: string;
  large?: { paddr: string; attr: Attr };
  consumed?: boolean;
  p: number | string;
};
/** pg_page_set_attr's frame: leaves [`l`, `to`) of `tbl` get `attr` (args); `paddr` is the leaf being rewritten. */
type SetAttrLocals = { tbl: string; l: number; to: number; attr: Attr; paddr: number | string };
