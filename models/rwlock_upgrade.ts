import { defineModel, procedure, thread, type ThreadSpec } from '../src/index.ts';
import { forVariants } from './kernel/props.ts';
import { blockingRwlock, spinningRwlock, type RwlockOps, rwlockAssertions } from './kernel/rwlock.ts';
import { KERNEL_IDS, kernelState, type KernelState } from './kernel/state.ts';

/**
 * M5 `rwlock_upgrade` (MODELS.md): uk_rwlock_upgrade (cb35dfff until 756db4ce).
 *
 * 5a: the blocking upgrade gives up its read share and sleeps on `shared` until nactive == 0,
 * but the last runlock wakes `exclusive`: a lost wake-up. U: rlock, upgrade, wunlock; R: rlock,
 * runlock. The spinning upgrade (84aecdd3) re-checks by spinning; 5a-fix sleeps on the queue
 * runlock wakes.
 *
 * 5b/5c: the VMA list of PR #935 / 973c052e, head → X → Y, under vma_list_lock (spinning).
 * I (uk_vma_map → vmem_vma_insert) inserts N between X and Y: rlock, scan for `prev`, upgrade,
 * link, downgrade, runlock. R (a fault: vmem_vma_find) scans under the read lock. W
 * (uk_vma_unmap(X)) write-locks, unlinks X, unlocks, frees X. Between giving up its read share
 * and winning the spin, I can lose X to W and link N into freed memory (5b). vmem_vma_find
 * returns X after runlock, and the fault then reads X.attr (5c). Fixes: wlock around the whole
 * insert (5b-fix); the read lock held across the fault (5c-fix).
 *
 * `faults` lists the addresses the faulting threads R, R2, … touch, one thread each (default:
 * one fault, in Y for 5b and in X for 5c).
 */
export type M5Variant = '5a' | '5a-spin' | '5a-fix' | '5b' | '5b-fix' | '5c' | '5c-fix';
type Params = { variant: M5Variant; faults?: number[] | null };
type Vma = 'X' | 'Y' | 'N';
type Shared = KernelState & {
  /** The VMA list: `next` links from `head`; `attr` per VMA; ghost `freed` and `mapped`. */
  vma: { next: Record<string, Vma | null>; attr: Record<Vma, string>; freed: Record<Vma, boolean>; mapped: Vma[] };
};

/** VMA address ranges [start, end) (immutable while linked). */
const RANGE: Record<Vma, [number, number]> = { X: [10, 20], N: [20, 30], Y: [30, 40] };
const LOCK = 'vma_list_lock';

const ops = (p: Params): RwlockOps => (p.variant === '5a' || p.variant === '5a-fix' ? blockingRwlock : spinningRwlock);
const rwName = (p: Params) => (p.variant.startsWith('5a') ? 'L' : LOCK);

/** 5a, U: a reader that upgrades to a writer. */
const upgrader = procedure<Shared, Params, {}>('U', {
  u1_rlock: (s, t, p) => { t.call(ops(p).rlock, { rw: rwName(p) }); },
  u2_upgrade: (s, t, p) => { t.call(ops(p).upgrade, { rw: rwName(p), fixed: p.variant === '5a-fix' }); },
  u4_wunlock: (s, t, p) => { t.call(ops(p).wunlock, { rw: rwName(p) }); },
});

/** 5a, R: a plain reader. */
const reader = procedure<Shared, Params, {}>('R', {
  r1_rlock: (s, t, p) => { t.call(ops(p).rlock, { rw: rwName(p) }); },
  r2_runlock: (s, t, p) => { t.call(ops(p).runlock, { rw: rwName(p) }); },
});

/** One load per hop from head while the next VMA starts at or below `addr`; leaves `prev`, `cur`. */
const scan = procedure<Shared, Params, ScanLocals>('vma_list_scan', {
  start: (s, t) => {
    t.prev = 'head';
    t.cur = s.vma.next.head;
  },
  hop: (s, t) => {
    if (t.cur === null || RANGE[t.cur as Vma][0] > t.addr) return t.ret({ prev: t.prev, cur: t.cur });
    t.prev = t.cur;
    t.cur = s.vma.next[t.cur];
    t.goto('hop');
  },
});

/** uk_vma_map → vmem_vma_insert(N): rlock, scan for prev, upgrade, list_add, downgrade, runlock. */
const vma_insert = procedure<Shared, Params, InsertLocals>('vmem_vma_insert', {
  i1_lock: (s, t, p) => {
    if (p.variant === '5b-fix') t.call(spinningRwlock.wlock, { rw: LOCK });
    else t.call(spinningRwlock.rlock, { rw: LOCK });
  },
  i2_scan: (s, t) => { t.call(scan, { addr: RANGE.N[0] }, { into: 'found' }); },
  i3_upgrade: (s, t, p) => { if (p.variant !== '5b-fix') t.call(spinningRwlock.upgrade, { rw: LOCK }); },
  i5_load_prev_next: (s, t) => {
    t.prev = t.found.prev;
    t.after = s.vma.next[t.prev]; // N->next = prev->next: N is still private
  },
  i5_list_add: (s, t) => {
    if (t.prev !== 'head') t.assert(!s.vma.freed[t.prev as Vma], 'I-uaf', `N linked after ${t.prev}, which was freed`);
    s.vma.next.N = t.after;
    s.vma.next[t.prev] = 'N';
    s.vma.mapped = [...s.vma.mapped, 'N'];
  },
  i6_downgrade: (s, t, p) => { if (p.variant !== '5b-fix') t.call(spinningRwlock.downgrade, { rw: LOCK }); },
  i7_unlock: (s, t, p) => { t.call(p.variant === '5b-fix' ? spinningRwlock.wunlock : spinningRwlock.runlock, { rw: LOCK }); },
});

/** A page fault at `addr`: vmem_vma_find (rlock, scan, runlock), then the VMA's attributes are used. */
const vma_fault = procedure<Shared, Params, FaultLocals>('vmem_pagefault', {
  f1_rlock: (s, t) => { t.call(spinningRwlock.rlock, { rw: LOCK }); },
  f2_vma_find: (s, t) => { t.call(scan, { addr: t.addr }, { into: 'found' }); },
  f3_runlock: (s, t, p) => {
    t.vma = t.found.prev;
    // vmem_vma_find unlocks before returning the VMA; 5c-fix holds the read lock across the fault.
    if (p.variant === '5c-fix') t.goto('f4_use_vma');
    else t.call(spinningRwlock.runlock, { rw: LOCK }, { then: 'f4_use_vma' });
  },
  f4_use_vma: (s, t, p) => {
    t.assert(!s.vma.freed[t.vma as Vma], 'I-uaf', `the fault reads ${t.vma}->attr after ${t.vma} was freed`);
    t.attr = s.vma.attr[t.vma as Vma];
    if (p.variant !== '5c-fix') t.ret();
  },
  f5_runlock: (s, t) => { t.call(spinningRwlock.runlock, { rw: LOCK }); },
});

/** uk_vma_unmap(X): wlock, unlink X, wunlock, vmem_vma_destroy → uk_free(X). */
const vma_unmap = procedure<Shared, Params, { n: Vma | null }>('uk_vma_unmap', {
  x1_wlock: (s, t) => { t.call(spinningRwlock.wlock, { rw: LOCK }); },
  x2_load_next: (s, t) => { t.n = s.vma.next.X; },
  x2_unlink: (s, t) => {
    s.vma.next.head = t.n;
    s.vma.mapped = s.vma.mapped.filter((v) => v !== 'X');
  },
  x3_wunlock: (s, t) => { t.call(spinningRwlock.wunlock, { rw: LOCK }); },
  x4_free: (s) => { s.vma.freed.X = true; },
});

function threadsOf(p: Params): ThreadSpec[] {
  if (p.variant.startsWith('5a')) return [thread('U', upgrader), thread('R', reader)];
  const insert = p.variant.startsWith('5b');
  const faults = (p.faults ?? [insert ? RANGE.Y[0] + 5 : RANGE.X[0] + 5]).map((addr, i) => thread(i === 0 ? 'R' : `R${i + 1}`, vma_fault, { addr }));
  return insert ? [thread('I', vma_insert), ...faults, thread('W', vma_unmap)] : [...faults, thread('W', vma_unmap)];
}

/** Groups of the faulting threads that fault at the same address. */
function sameFaults(p: Params): string[][] {
  const by = new Map<unknown, string[]>();
  for (const t of threadsOf(p)) {
    if (t.proc !== vma_fault) continue;
    by.set(t.args.addr, [...(by.get(t.args.addr) ?? []), t.name]);
  }
  return [...by.values()].filter((g) => g.length > 1);
}

/** VMAs reachable from head. */
function reachable(s: Shared): string[] {
  const out: string[] = [];
  for (let v = s.vma.next.head; v !== null && !out.includes(v!); v = s.vma.next[v!]!) out.push(v!);
  return out;
}

export const rwlockUpgrade = defineModel({
  name: 'rwlock_upgrade',
  // The assertions its steps and the kernel blocks they call check, for its specs' expect.
  assertions: ['I-uaf', ...rwlockAssertions],
  description: 'rwlock upgrade: lost wake-up (blocking) and stale cursor (spinning, vmem_vma_insert)',
  // faults: null, one fault at the variant's default address; listed so that specs may set it.
  params: { variant: '5a', faults: null } as Params,
  shared: (p): Shared => ({
    ...kernelState({ cores: threadsOf(p).length, threads: threadsOf(p).length, rwlocks: [rwName(p)] }),
    vma: {
      next: { head: 'X', X: 'Y', Y: null, N: null },
      attr: { X: 'RW', Y: 'RW', N: 'RW' },
      freed: { X: false, Y: false, N: false },
      mapped: ['X', 'Y'],
    },
  }),
  threads: threadsOf,
  // Faulting readers at the same address run the same code. Everything in the kernel state
  // that names a thread or core is declared, so renaming them is exact (and checked).
  symmetry: (p) => ({ threads: sameFaults(p), ...KERNEL_IDS }),
  finals: {
    // Every successfully mapped VMA is reachable from head (else faults in it return -EFAULT).
    'I-reach': (s) => s.vma.mapped.every((v) => reachable(s).includes(v)),
  },
  witnesses: {
    // The upgrader really has to wait for the other reader.
    'W-upgrade-waits': forVariants(['5a-spin', '5a-fix'], (s: Shared) => s.rw.L!.npend_w > 0 && s.rw.L!.nactive > 0),
    // 5a-fix: the upgrader sleeps, and is woken.
    'W-upgrader-sleeps': forVariants(['5a-fix'], (s: Shared) => !s.runnable[0]),
    // A writer is pending while a reader is inside the VMA list.
    'W-contended': forVariants(['5b-fix', '5c-fix'], (s: Shared) => s.rw[LOCK]!.nactive > 0 && s.rw[LOCK]!.npend_w > 0),
    // With two faults: both are inside the read side of the VMA list at once.
    'W-readers-overlap': forVariants(['5b-fix', '5c-fix'], (s: Shared, p: Params) => (p.faults?.length ?? 1) < 2 || s.rw[LOCK]!.nactive >= 2),
  },
});

/** What vma_list_scan returns: the last VMA at or below `addr` (or 'head') and the one after it. */
type ScanResult = { prev: 'head' | Vma; cur: Vma | null };
/** vma_list_scan's frame: the address `addr` (arg) and the cursor `prev` → `cur`. */
type ScanLocals = { addr: number } & ScanResult;
/** vmem_vma_insert's frame: what the scan `found`, the `prev` N goes after, and the VMA `after` it. */
type InsertLocals = { found: ScanResult; prev: 'head' | Vma; after: Vma | null };
/** A fault's frame: the address `addr` (arg), what the scan `found`, the `vma` it uses and the `attr` read from it. */
type FaultLocals = { addr: number; found: ScanResult; vma: 'head' | Vma; attr: string };
