import { procedure, range, thread, type ThreadSpec } from '../../src/index.ts';
import type { KernelState } from './state.ts';

/** A cached translation: the leaf PTE the core loaded (paddr and attributes). */
export interface TlbEntry {
  paddr: number | string;
  attr: string;
}

/**
 * Per-core TLBs (MODELS.md M8/M9): `tlb[c][l]` is what core c cached for virtual page l, or
 * null. A core's accesses use its entry and only a miss walks the page table. invlpg and CR3
 * reloads are local to the calling core (ukarch_tlb_flush_entry); remote entries go only
 * through a shootdown: IPIs (`ipi[dst][src]`) and waiting for the acks (Linux
 * flush_tlb_mm_range). `tlb_shot` is ghost: entries removed by IPI flushes.
 */
export interface TlbState {
  tlb: (TlbEntry | null)[][];
  ipi: boolean[][];
  tlb_shot: number;
}

export function tlbState(cores: number, pages: number, cached: { core: number; l: number; entry: TlbEntry }[] = []): TlbState {
  const tlb = range(cores).map(() => range(pages).map((): TlbEntry | null => null));
  for (const c of cached) tlb[c.core]![c.l] = c.entry;
  return { tlb, ipi: range(cores).map(() => range(cores).map(() => false)), tlb_shot: 0 };
}

/** invlpg on `core`: drops its cached entry for page l (a plain function, used inside a PTE-write step). */
export function invlpg(s: TlbState, core: number, l: number): void {
  if (s.tlb[core]![l] !== null) s.tlb[core]![l] = null;
}

/** The entry core uses for page l: its TLB entry, or a fill from `pte` on a miss (null: not present). */
export function tlbFill(s: TlbState, core: number, l: number, pte: TlbEntry | null): TlbEntry | null {
  const hit = s.tlb[core]![l];
  if (hit !== null) return hit;
  if (pte !== null) s.tlb[core]![l] = { paddr: pte.paddr, attr: pte.attr };
  return pte;
}

/**
 * The remote half of a TLB shootdown: raise an IPI at every other core, then wait until each
 * has flushed and acked. The wait is an ordinary spin: if the target has IRQs off it never
 * acks, which is why Linux forbids waiting for IPIs with IRQs disabled (M8c-irqoff).
 */
export const tlb_shootdown = procedure<TlbState, unknown, {}>('flush_tlb_mm_range', {
  send_ipi: (s, t) => {
    for (let d = 0; d < s.ipi.length; d++) if (d !== t.core) s.ipi[d]![t.core] = true;
  },
  wait_acks: (s, t) => {
    t.await(s.ipi.every((row, d) => d === t.core || !row[t.core]), 'waiting for TLB shootdown acks');
  },
});

/**
 * The IPI handler of one core (flush_tlb_func), run as its own thread on that core: it can
 * only run while the core has IRQs on. Each IPI flushes the whole local TLB and acks. `left` is
 * how many IPIs this core will receive in the model; the thread ends after the last one.
 */
export const tlb_ipi_handler = procedure<TlbState & KernelState, unknown, { left: number }>('flush_tlb_func', {
  take_ipi: (s, t) => {
    const pending = s.ipi[t.core]!;
    t.await(s.irq_on[t.core]! && pending.some((x) => x), 'no IPI pending, or IRQs off on this core');
    const mine = s.tlb[t.core]!;
    for (let l = 0; l < mine.length; l++) {
      if (mine[l] !== null) {
        mine[l] = null;
        s.tlb_shot += 1;
      }
    }
    let acked = 0;
    for (let src = 0; src < pending.length; src++) {
      if (pending[src]) {
        pending[src] = false;
        acked += 1;
      }
    }
    t.left -= acked;
    if (t.left > 0) t.goto('take_ipi');
  },
});

/** The IPI handler threads of `cores` (`IPI<core>`, on that core), each expecting `ipis` IPIs. */
export function ipiHandlers(cores: readonly number[], ipis: number): ThreadSpec[] {
  return cores.map((c) => thread(`IPI${c}`, tlb_ipi_handler, { left: ipis }, { core: c }));
}
