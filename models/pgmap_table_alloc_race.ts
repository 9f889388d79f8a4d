import { defineModel, procedure, range, thread } from '../src/index.ts';
import { framePool, type FrameState, framesAssertions } from './kernel/frames.ts';
import { pageTable, pg_page_mapx, translate, type PagingState, type PtSync, type RootPte, pagetableAssertions } from './kernel/pagetable.ts';
import { forVariants } from './kernel/props.ts';

/**
 * M6 `pgmap_table_alloc_race` (MODELS.md): two cores (`cores`) map v0 → p0 and v1 → p1, both under
 * ROOT[0], through ukplat_page_mapx → pg_page_mapx (plat/common/paging.c). When ROOT[0] is
 * empty, each may allocate a page table (pg_pt_alloc) and publish it with ukarch_pte_write: the
 * second publication overwrites the first ("lost page-table page"). Split: ROOT[0] is a large
 * page that both cores split (pg_page_split).
 *
 * Variants: U (no lock), LW (PT only around the publication), L (PT around the whole
 * pg_page_mapx), Draft-walk (718a8d7b: PT for the walk, dropped around mapx), Split (the draft
 * with ROOT[0] a large page: the split drops PT around its recursive map), Linux (pmd_install:
 * allocate outside PT, publish after re-checking, the loser frees its table).
 */
export type M6Variant = 'U' | 'LW' | 'L' | 'Draft-walk' | 'Split' | 'Linux';
type Params = { variant: M6Variant; frames: number; cores: number };
type Shared = PagingState & FrameState & { locks: { PT: number } };

const SYNC: Record<M6Variant, PtSync> = { U: 'none', LW: 'publish', L: 'whole', 'Draft-walk': 'draft', Split: 'draft', Linux: 'linux' };

/** Core c: ukplat_page_mapx(v_c, p_c, 1 page) with a mapx callback that keeps p_c. */
const map_page = procedure<Shared, Params, { l: number; paddr: string }>('ukplat_page_mapx', {
  pg_page_mapx: (s, t, p) => {
    t.call(pg_page_mapx, { l: t.l, paddr: t.paddr, attr: 'RW', sync: SYNC[p.variant], mapx: 'fixed' });
  },
});

/** Frames of the pool that are allocated, i.e. page tables. */
const tables = (s: Shared) => range(s.fa.free.length).filter((f) => !s.fa.free[f]);

export const pgmapTableAllocRace = defineModel({
  name: 'pgmap_table_alloc_race',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: [...framesAssertions, ...pagetableAssertions],
  description: 'pg_page_mapx on a shared page table: a lost page-table page, and pmd_install',
  params: { variant: 'U', frames: 4, cores: 2 } as Params,
  shared: (p): Shared => {
    // Split: ROOT[0] maps v0, v1 as one large page (small pages L0, L1).
    const root: RootPte = p.variant === 'Split' ? { paddr: 'L', attr: 'RW', large: true } : null;
    return { locks: { PT: 0 }, fa: framePool(p.frames), pt: pageTable(p.cores, root) };
  },
  // Core c maps v_c → p_c; all under ROOT[0].
  threads: ({ cores }) => range(cores).map((c) => thread(`C${c}`, map_page, { l: c, paddr: `p${c}` })),
  invariants: {
    // After a core's map returned OK, its page translates to its frame (until an unmap).
    'I-visible': (s) => s.pt.mapped.every((m, l) => m === null || translate(s, l) === m),
  },
  finals: {
    // Every allocated page-table frame is reachable from ROOT.
    'I-noleak': (s) => tables(s).every((f) => s.pt.root !== null && 'table' in s.pt.root && s.pt.root.table === `T${f}`),
  },
  witnesses: {
    // The second core descends into the table the first one published (one table, both leaves).
    'W-shared-table': forVariants(['L', 'Draft-walk'], (s: Shared) => {
      const r = s.pt.root;
      return r !== null && 'table' in r && s.pt.tables[r.table]!.every((e) => e !== null);
    }),
    // Both cores allocate a table concurrently, one is installed, the loser's frame goes back.
    'W-loser-frees': forVariants(['Linux'], (s: Shared) => s.pt.unused_freed > 0),
  },
});
