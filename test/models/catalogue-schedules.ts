/**
 * For every FAIL variant of MODELS.md section 3: the schedule the catalogue gives, in the
 * notation of runCatalogueSchedule (`T:step` runs thread T up to and including that step), the
 * properties that schedule violates in our model, and the story the checker's counterexample —
 * the minimal one users see — must tell, as steps in order (up to renaming the threads). Where
 * the minimal counterexample makes an equivalent choice the page did not (the other core pops
 * first, the other reader takes the lock first), the story follows the counterexample; the
 * page's own schedule is still replayed and checked by `schedule`/`violates`.
 */
export interface CatalogueCase {
  spec: string;
  /** MODELS.md's schedule for this variant. */
  schedule: string[];
  /** What replaying `schedule` violates (sorted). */
  violates: string[];
  /** Steps the checker's own counterexample shows in this order: `thread proc.label changed,paths`. */
  story: RegExp[];
  /** Where the page and the model differ, the finding (docs/catalogue-findings.md). */
  note?: string;
}

export const catalogue: CatalogueCase[] = [
  // M1: C0:A1 (h=F0), C1:A1 (h=F0), C0:A3–A7, C1:A3–A7 → owners[F0] = 2.
  {
    spec: 'falloc_pop/U',
    schedule: ['C0:A1_load_head', 'C1:A1_load_head', 'C0:A7_zbit_alloc', 'C1:A7_zbit_alloc'],
    violates: ['I-own'],
    story: [/^C0 \S+A1_load_head/, /^C1 \S+A1_load_head/, /^C1 \S+A4_unlink head/, /^C1 \S+A7_zbit_alloc b.0,owners.0$/, /^C0 \S+A4_unlink head/, /^C0 \S+A7_zbit_alloc b.0,owners.0$/],
  },
  // Both cores see FL == 0, both store FL = me, then as in U.
  {
    spec: 'falloc_pop/L-TAS',
    schedule: ['C0:spin_lock_split.test', 'C1:spin_lock_split.test', 'C0:spin_lock_split.set', 'C1:spin_lock_split.set', 'C0:A1_load_head', 'C1:A1_load_head', 'C0:A7_zbit_alloc', 'C1:A7_zbit_alloc'],
    violates: ['I-lockowner', 'I-own'],
    story: [/^C0 spin_lock_split.test/, /^C1 spin_lock_split.test/, /^C\d spin_lock_split.set locks.FL/, /^C\d spin_lock_split.set locks.FL/, /^C1 \S+A7_zbit_alloc b.0,owners.0$/],
  },
  // M2: C1:S2 (b[F0] = 0), C1:S3 (finds F0 at head), C0:A1–A7 (pops F0), C1:S4, C1:S5 → owners[F0] = 2.
  {
    spec: 'falloc_any_vs_specific/Draft',
    schedule: ['C1:S2_zbit_scan', 'C1:S3_load_head', 'C0:end', 'C1:S4_unlink', 'C1:S5_zbit_fill'],
    violates: ['I-count', 'I-own', 'I-unlink-member'],
    story: [/^C0 \S+A1_load_head/, /^C1 bfa_do_alloc.S2_zbit_scan/, /^C1 bfa_do_alloc.S4_unlink/, /^C1 bfa_do_alloc.S5_zbit_fill b.0,owners.0/, /^C0 \S+A4_unlink head/, /^C0 \S+A7_zbit_alloc b.0,owners.0/],
  },
  // "Same schedule as M1-U inside two concurrent read sections."
  {
    spec: 'falloc_any_vs_specific/RW-noFL',
    schedule: ['C0:cas_inc', 'C1:cas_inc', 'C0:A1_load_head', 'C1:A1_load_head', 'C0:A7_zbit_alloc', 'C1:A7_zbit_alloc'],
    violates: ['I-own'],
    story: [/^C0 rw_read_lock.cas_inc/, /^C0 \S+A1_load_head/, /^C1 rw_read_lock.cas_inc/, /^C1 \S+A1_load_head/, /^C1 \S+A7_zbit_alloc b.0,owners.0/, /^C0 \S+A4_unlink/, /^C0 \S+A7_zbit_alloc b.0,owners.0/],
  },
  // The writer loads rw == 0, a reader enters, the writer stores -1.
  {
    spec: 'falloc_any_vs_specific/RW-TAS',
    schedule: ['C1:rw_write_lock_tas.test', 'C0:cas_inc', 'C1:rw_write_lock_tas.set'],
    violates: ['I-excl'],
    story: [/^C1 rw_write_lock_tas.test/, /^C0 rw_read_lock.cas_inc/, /^C1 rw_write_lock_tas.set rwl.rw.v,rwl.rw.wr$/],
  },
  // M3 U: A:a2 (pops F0), B:b1–b3 (case 1), B:b5, b6, b7 (F0 not in FL0), B:b8, b10, A:a4 (marks F0).
  {
    spec: 'falloc_merge_inflight/U',
    schedule: ['A:a2_fl_pop_mb', 'B:b3_case1_clear', 'B:b6_buddy_lv', 'B:b7_fl_del', 'B:b10_fl_add', 'A:a4_zbit_store'],
    violates: ['I-free-not-owned', 'I-lockowner', 'I-unlink-member'],
    story: [/^A \S+a2_fl_pop_mb fl.0,inflight.0/, /^B \S+b3_case1_clear z.0/, /^B \S+b6_buddy_lv/, /^B \S+b7_fl_del/],
  },
  // D1: B unlocks Z at b3, then again at b5 when the buddy is allocated.
  {
    spec: 'falloc_merge_inflight/D1',
    schedule: ['B:b3_case1_clear', 'A:end', 'B:b5_buddy_word'],
    violates: ['I-lockowner'],
    story: [/^A \S+a4_zbit_store/, /^B \S+b3_case1_clear/, /^B spin_unlock.release locks.Z/, /^B \S+b4_group_enter_merge locks.M/, /^B spin_unlock.release locks.Z/],
  },
  // D1, two operations: after B's b9, A's second allocation takes Z (a4); B's b11 stores Z = 0;
  // B's second free takes Z: two cores inside Z.
  {
    spec: 'falloc_merge_inflight/D1/2ops',
    schedule: ['A:a5_n_allocs_dec', 'B:b9_n_merges_dec', 'A:acquire@locks.Z', 'B:b10_fl_add', 'B:acquire@locks.FR', 'B:acquire@locks.Z'],
    violates: ['I-lockowner', 'I-mutex(Z)'],
    story: [/^B \S+b9_n_merges_dec/, /^A \S+a1_group_enter_alloc/, /^A spin_lock.acquire locks.Z,cs.Z/, /^B spin_unlock.release locks.Z$/, /^B spin_lock.acquire locks.Z,cs.Z/],
  },
  // D2: B:b1, b2 (holds Z), b3 (case 2, Z still held); A:a1, a2, a3, a4 blocks on Z; B:b4 waits for n_allocs == 0.
  {
    spec: 'falloc_merge_inflight/D2',
    schedule: ['B:b3_case2_fill_store', 'A:block', 'B:block'],
    violates: ['deadlock'],
    story: [/^B spin_lock.acquire locks.Z/, /^B \S+b3_case2_clear z.1,owners.1$/, /^B \S+b3_case2_fill_store z.0$/],
  },
  // M4 V1: T1:w1; T0:r1, r2 (sleeps on A); T1:w2, w3 (wakes T0); T0: r3 (IRQs off), r4, r5 → #PF → h1, h2 → schedule().
  {
    spec: 'rwlock_wakeup_pagefault/V1',
    schedule: ['T1:take@rw.A.nactive', 'T0:schedule.check', 'T1:take@rw.B.nactive', 'T1:wake@runnable.0', 'T1:release@locks.A.shared.sl', 'T0:page_fault.trap', 'T0:schedule.check'],
    violates: ['I-sched-irq', 'I-sched-spin'],
    story: [
      /^T1 spin_lock.acquire locks.A.sl$/, /^T0 wait_event.enqueue wq.A.shared,runnable.0$/, /^T0 schedule.check $/, /^T1 uk_rwlock_wlock.take rw.B/,
      /^T1 uk_thread_wake.wake runnable.0$/, /^T0 irq_save.cli irq_on.0$/, /^T0 page_fault.trap irq_on.0,in_fault.0$/, /^T0 uk_rwlock_rlock.pend rw.B.npend_r$/, /^T0 schedule.check $/,
    ],
  },
  // V1b: the waker faults in uk_thread_wake(T0) on core 1 and its handler wants B, which T1 write-holds itself.
  {
    spec: 'rwlock_wakeup_pagefault/V1b',
    schedule: ['T1:take@rw.A.nactive', 'T0:schedule.check', 'T1:take@rw.B.nactive', 'T1:page_fault.trap', 'T1:schedule.check'],
    violates: ['I-sched-irq', 'I-sched-spin', 'deadlock'],
    story: [/^T0 wait_event.enqueue wq.A.shared/, /^T1 uk_rwlock_wlock.take rw.B/, /^T1 irq_save.cli irq_on.1$/, /^T1 page_fault.trap irq_on.1,in_fault.1$/, /^T1 uk_rwlock_rlock.pend rw.B.npend_r$/, /^T1 schedule.check $/],
  },
  // V3 (A == B): at r5 T0 holds A.sl; the handler's lock(A.sl) never succeeds.
  {
    spec: 'rwlock_wakeup_pagefault/V3',
    schedule: ['T1:take@rw.A.nactive', 'T0:schedule.check', 'T1:end', 'T0:block'],
    violates: ['deadlock'],
    story: [/^T0 wait_event.enqueue wq.A.shared/, /^T1 uk_thread_wake.wake runnable.0$/, /^T0 spin_lock.acquire locks.A.sl$/, /^T0 page_fault.trap/],
  },
  // V3 with write-held B: h2 waits for B.nactive >= 0 while T0 itself holds -1.
  {
    spec: 'rwlock_wakeup_pagefault/V3-wheld',
    schedule: ['T0:block'],
    violates: ['deadlock'],
    story: [/^T0 uk_rwlock_wlock_spin.take rw.B.nactive/, /^T0 page_fault.trap/, /^T0 uk_rwlock_rlock_spin.pend rw.B.npend_r$/],
  },
  // V4 + T2: an ordinary heap fault while B is write-held still blocks with IRQs off.
  {
    spec: 'rwlock_wakeup_pagefault/V4-T2',
    schedule: ['T1:take@rw.B.nactive', 'T2:page_fault.trap', 'T2:schedule.check'],
    violates: ['I-sched-irq'],
    story: [/^T1 uk_rwlock_wlock.take rw.B/, /^T2 page_fault.trap irq_on.2,in_fault.2$/, /^T2 uk_rwlock_rlock.pend rw.B.npend_r$/, /^T2 schedule.check/],
  },
  // M5a: u1, r1, u2 (nactive 2 → 1, sleeps on shared), r2 (nactive 0, wakes the empty exclusive queue).
  {
    spec: 'rwlock_upgrade/5a',
    schedule: ['U:take@rw.L.nactive', 'R:take@rw.L.nactive', 'U:schedule.check', 'R:end', 'U:block'],
    violates: ['deadlock'],
    story: [/^R uk_rwlock_rlock.take/, /^U uk_rwlock_rlock.take/, /^U uk_rwlock_upgrade.only_reader rw.L.npend_w,rw.L.nactive$/, /^U wait_event.enqueue wq.L.shared/, /^R uk_rwlock_runlock.dec rw.L.nactive$/, /^R spin_lock.acquire locks.L.exclusive.sl$/],
  },
  // M5b: i1, f1, i2 (prev = X), i3 (nactive = 1), x1 request, f3 (nactive = 0), W wins, x2, x3, x4, I wins, i5 writes into freed X.
  {
    spec: 'rwlock_upgrade/5b',
    schedule: [
      'I:take@rw.vma_list_lock.nactive', 'R:take@rw.vma_list_lock.nactive', 'I:vma_list_scan.hop', 'I:only_reader', 'W:pend@rw.vma_list_lock.npend_w',
      'R:uk_rwlock_runlock_spin.dec', 'W:uk_rwlock_wlock_spin.take', 'W:x2_unlink', 'W:uk_rwlock_wunlock_spin.clear', 'W:x4_free',
      'I:uk_rwlock_upgrade_spin.take', 'I:i5_list_add',
    ],
    violates: ['I-uaf'],
    story: [/^I vma_list_scan.hop/, /^I uk_rwlock_upgrade_spin.only_reader/, /^W uk_rwlock_wlock_spin.take rw.vma_list_lock.nactive/, /^W uk_vma_unmap.x2_unlink vma.next.head/, /^W uk_vma_unmap.x4_free vma.freed.X$/, /^I uk_rwlock_upgrade_spin.take/, /^I vmem_vma_insert.i5_list_add/],
  },
  // M5c: f1, f2 (finds X), f3 (runlock); W: x1–x4; R uses X.attr.
  {
    spec: 'rwlock_upgrade/5c',
    schedule: ['R:uk_rwlock_runlock_spin.dec', 'W:end', 'R:f4_use_vma'],
    violates: ['I-uaf'],
    story: [/^R vma_list_scan.start/, /^R uk_rwlock_runlock_spin.dec/, /^W uk_vma_unmap.x2_unlink/, /^W uk_vma_unmap.x4_free vma.freed.X$/, /^R vmem_pagefault.f4_use_vma/],
  },
  // M6 U: C0:s1 (NONE), C1:s1 (NONE), C0:s2–s7, C1:s2, s3, s4 (ROOT = T1 overwrites).
  {
    spec: 'pgmap_table_alloc_race/U',
    schedule: ['C0:walk_pte_read', 'C1:walk_pte_read', 'C0:leaf_pte_write', 'C1:pte_write_parent'],
    violates: ['I-visible'],
    story: [/^C0 pg_page_mapx.walk_pte_read/, /^C1 pg_page_mapx.walk_pte_read/, /^C1 pg_page_mapx.pte_write_parent pt.root$/, /^C1 pg_page_mapx.leaf_pte_write/, /^C0 pg_page_mapx.pte_write_parent pt.root$/],
  },
  // LW: the same schedule; the lock around s4 does not help.
  {
    spec: 'pgmap_table_alloc_race/LW',
    schedule: ['C0:walk_pte_read', 'C1:walk_pte_read', 'C0:leaf_pte_write', 'C1:pte_write_parent'],
    violates: ['I-visible'],
    story: [/^C0 pg_page_mapx.walk_pte_read/, /^C1 pg_page_mapx.walk_pte_read/, /^C0 pg_page_mapx.leaf_pte_write/, /^C1 spin_lock.acquire locks.PT$/, /^C1 pg_page_mapx.pte_write_parent pt.root$/],
  },
  // Split: both see the same large PTE, both build split tables, both publish; C0's leaf is lost.
  {
    spec: 'pgmap_table_alloc_race/Split',
    schedule: ['C0:walk_pte_read', 'C1:walk_pte_read', 'C0:split_pt_alloc', 'C1:split_pt_alloc', 'C0:leaf_pte_write', 'C1:split_pte_write'],
    violates: ['I-visible'],
    story: [/^C0 pg_page_mapx.walk_pte_read/, /^C1 pg_page_mapx.walk_pte_read/, /^C1 pg_page_mapx.split_pte_write pt.root$/, /^C1 pg_page_mapx.leaf_pte_write/, /^C0 pg_page_mapx.split_pte_write pt.root$/],
  },
  // M7 U: as the draft schedule without the lock steps.
  {
    spec: 'pgfault_leaf_race/U',
    schedule: ['C0:leaf_pte_read', 'C1:leaf_pte_read', 'C0:falloc_zero', 'C0:leaf_pte_write', 'C0:s10_store', 'C1:falloc_zero', 'C1:leaf_pte_write', 'C1:end'],
    violates: ['I-no-overwrite', 'I-noleak'],
    story: [/^C0 pg_page_mapx.leaf_pte_read/, /^C1 pg_page_mapx.leaf_pte_read/, /^C1 pg_page_mapx.leaf_pte_write/, /^C0 pg_page_mapx.leaf_pte_write/],
    note: 'M7 store-kept',
  },
  // Draft: C0:s1, s2 (NONE), s4, s5 (F0); C1:s1, s2 (NONE), s4; C0:s6, s7 (E = F0), s8–s10; C1:s5 (F1), s6, s7 (E = F1), s8–s10.
  {
    spec: 'pgfault_leaf_race/Draft',
    schedule: ['C0:falloc_zero', 'C1:release@locks.PT', 'C0:s10_store', 'C1:end'],
    violates: ['I-no-overwrite', 'I-noleak'],
    story: [/^C0 pg_page_mapx.leaf_pte_read/, /^C0 spin_unlock.release locks.PT$/, /^C1 pg_page_mapx.leaf_pte_read/, /^C1 spin_unlock.release locks.PT$/, /^C1 pg_page_mapx.leaf_pte_write/, /^C0 pg_page_mapx.leaf_pte_write/],
    note: 'M7 store-kept',
  },
  // Whole lock + a callback that takes PT: lock(PT) while the same core holds it, with one core.
  {
    spec: 'pgfault_leaf_race/Whole-lockingcb',
    schedule: ['C0:block'],
    violates: ['deadlock'],
    story: [/^C0 spin_lock.acquire locks.PT$/, /^C0 pg_page_mapx.leaf_pte_read/],
  },
  // Advise (check under PT, unlock, populate, re-lock, write) against a fault, draft locking.
  {
    spec: 'pgfault_leaf_race/Advise-draft',
    schedule: ['C0:falloc_zero', 'C1:release@locks.PT', 'C0:leaf_pte_write', 'C1:leaf_pte_write'],
    violates: ['I-no-overwrite'],
    story: [/^C1 pg_page_mapx.leaf_pte_read/, /^C0 vmem_mapx_advise.check_present/, /^C0 pg_page_mapx.leaf_pte_write/, /^C1 pg_page_mapx.leaf_pte_write/],
  },
  // M8 8a-U: C0: E0 := R; C1: E0 := RW, E1 := RW, vma_attr := RW; C0: E1 := R, vma_attr := R.
  {
    spec: 'pgattr_uniform/8a-U',
    schedule: ['C0:pte_write@pt.tables.T.0', 'C1:pte_write@pt.tables.T.0', 'C1:pte_write@pt.tables.T.1', 'C1:vma_attr_store', 'C0:pte_write@pt.tables.T.1', 'C0:vma_attr_store'],
    violates: ['U1'],
    story: [/^C0 pg_page_set_attr.pte_write pt.tables.T.0$/, /^C1 pg_page_set_attr.pte_write pt.tables.T.0$/, /^C1 uk_vma_set_attr.vma_attr_store/, /^C0 uk_vma_set_attr.vma_attr_store/],
  },
  // 8b: C1:g1 (a = RW); C0 runs the whole set_attr(R); C1:g2 installs E2 = RW.
  {
    spec: 'pgattr_uniform/8b',
    schedule: ['C1:g1_read_vma_attr', 'C0:end', 'C1:end'],
    violates: ['U1'],
    story: [/^C1 vmem_pagefault.g1_read_vma_attr/, /^C0 uk_vma_set_attr.vma_attr_store vma_attr/, /^C1 pg_page_mapx.leaf_pte_write pt.tables.T.2/],
  },
  // 8c: after C0 returns, C1 writes page 0 through its stale TLB entry.
  {
    spec: 'pgattr_uniform/8c',
    schedule: ['C0:end', 'C1:end'],
    violates: ['U2'],
    story: [/^C0 pg_page_set_attr.pte_write pt.tables.T.0$/, /^C0 uk_vma_set_attr.vma_attr_store/, /^C1 access.load_store fa.data.0$/],
  },
  // 8c-irqoff: each waits for an ack the other cannot deliver.
  {
    spec: 'pgattr_uniform/8c-irqoff',
    schedule: ['C0:send_ipi', 'C1:uk_spin_lock_irqsave.cli', 'C0:block', 'C1:block'],
    violates: ['deadlock'],
    story: [/^C0 uk_spin_lock_irqsave.cli irq_on.0$/, /^C0 flush_tlb_mm_range.send_ipi ipi.1.0$/, /^C1 uk_spin_lock_irqsave.cli irq_on.1$/],
  },
  // M9 9a: C1:g1, g3 (Eb = F); C0:u1, u2, u3 (ffree(F) while Eb maps it); C2:a1 (gets F), a2.
  {
    spec: 'frame_refcount/9a',
    schedule: ['C1:g1_pte_read', 'C1:g3_pte_write', 'C0:u1_pte_read', 'C0:u2_pte_clear', 'C0:ffree.free', 'C2:a1_falloc', 'C2:a2_store_secret'],
    violates: ['I-free-unmapped'],
    story: [/^C1 share_into_B.g1_pte_read/, /^C0 pg_page_unmap.u2_pte_clear/, /^C0 ffree.free fa.free.0$/],
  },
  // 9b-race-put: C0 and C1 both unmap: both load 2, both store 1; nobody frees F.
  {
    spec: 'frame_refcount/9b-race-put',
    schedule: ['C0:ref_put_nonatomic.load', 'C1:ref_put_nonatomic.load', 'C0:ref_put_nonatomic.store', 'C1:ref_put_nonatomic.store', 'C2:end'],
    violates: ['I-noleak', 'I-ref'],
    story: [/^C0 ref_put_nonatomic.load/, /^C1 ref_put_nonatomic.load/, /^C1 ref_put_nonatomic.store fa.ref.0$/, /^C0 ref_put_nonatomic.store fa.ref.0$/],
  },
  // 9b-race-get: C1:g1, get load (1); C0:u1, u2, put (load 1, store 0, free F); C1 get store (2), g3.
  {
    spec: 'frame_refcount/9b-race-get',
    schedule: ['C1:g1_pte_read', 'C1:ref_get_nonatomic.load', 'C0:u1_pte_read', 'C0:u2_pte_clear', 'C0:ref_put_nonatomic.free', 'C1:ref_get_nonatomic.store', 'C1:g3_pte_write'],
    violates: ['I-free-unmapped'],
    story: [/^C1 share_into_B.g1_pte_read/, /^C0 ref_put_nonatomic.free fa.free.0$/, /^C1 ref_get_nonatomic.store fa.ref.0$/, /^C1 share_into_B.g3_pte_write pt.tables.T.1$/],
  },
  // 9c: C1:g1 (y = F); C0:u2, u3 (fetch_sub 1 → 0, free); C1:g2 (fetch_add 0 → 1), g3.
  {
    spec: 'frame_refcount/9c',
    schedule: ['C1:g1_pte_read', 'C0:ref_put.free', 'C1:ref_get.fetch_add', 'C1:g3_pte_write'],
    violates: ['I-free-unmapped'],
    story: [/^C1 share_into_B.g1_pte_read/, /^C0 ref_put.fetch_sub fa.ref.0$/, /^C0 ref_put.free fa.free.0$/, /^C1 ref_get.fetch_add fa.ref.0$/, /^C1 share_into_B.g3_pte_write/],
  },
  // 9e: C0 frees after a local flush while C1 still caches A → F; C2 reuses F.
  {
    spec: 'frame_refcount/9e',
    schedule: ['C0:ref_put.free', 'C2:a1_falloc'],
    violates: ['I-free-unmapped'],
    story: [/^C0 pg_page_unmap.u2_pte_clear pt.tables.T.0$/, /^C0 ref_put.free fa.free.0$/],
  },
  // M10 V801: 4 free, palloc(1 page) leaves nr_free_pages = 2 (one core).
  {
    spec: 'bbuddy_level_locks/V801',
    schedule: ['C0:end'],
    violates: ['I-acct'],
    story: [/^C0 map_alloc.nr_free_pages nr_free_pages$/, /^C0 map_alloc.nr_free_pages nr_free_pages$/],
  },
  // V946: pfree holds level_locks[k] and blocks in uk_rwlock_rlock(vma_list_lock), write-held on the other core.
  {
    spec: 'bbuddy_level_locks/V946',
    schedule: ['C1:uk_rwlock_wlock.take', 'C0:schedule.check'],
    violates: ['I-sched-spin'],
    story: [/^C1 uk_rwlock_wlock.take rw.vma_list_lock/, /^C0 spin_lock.acquire locks.level_locks\[0\]$/, /^C0 uk_rwlock_rlock.pend/, /^C0 schedule.check/],
  },
];
