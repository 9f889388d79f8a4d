/**
 * Promela twins of three smpcheck kernel families, for setting SPIN beside smpcheck on the same
 * configurations (test/bench/run.ts wires them in; {@link runSpin} runs them).
 *
 * - `falloc_pop L`: M1 (models/falloc_pop.ts, variant L): bfa_do_alloc_any / bfa_do_free of
 *   models/kernel/freelist.ts under free_list_lock FL and zone->lock Z (models/kernel/spinlock.ts).
 * - `rwlock spinning`: M5c-fix (models/rwlock_upgrade.ts, variant 5c-fix): the spinning uk_rwlock of
 *   84aecdd3 (models/kernel/rwlock.ts srwlock_*) around the VMA list; k faulting readers
 *   (vmem_vma_find with the read lock held across the fault) against one uk_vma_unmap writer.
 * - `M4 V2`: models/rwlock_wakeup_pagefault.ts, variant V2: 1 writer + k readers of the blocking
 *   rwlock A (wait queues, IRQ save/restore, schedule(), uk_thread_wake), whose wake-up tail
 *   faults with IRQs off into a handler that takes the spinning rwlock B.
 *
 * How a model maps to Promela. Every one of our steps (DESIGN §2: one shared load, one store,
 * one atomic RMW, one lock acquire or release, plus the thread-local computation that the
 * explorer fuses into it, src/model/step.ts) is one `atomic { guard -> body; jump }` group. A
 * guarded step (`t.await`) is a group whose first statement is its guard, so it is disabled as a
 * whole, as ours is. The local control that follows a step (returns, calls, `if` on locals) runs
 * at the end of that group and jumps to the next step's label; frames' locals are Promela
 * locals, reset to 0 when our frame would be popped. Procedures are expanded at each call site
 * by the TypeScript generator below (no call stack: the return address is the continuation).
 * Invariants are asserted in the steps that write what they read; finals are asserted by a
 * checker process once every thread has ended (ghost counter `ndone`, bumped in each thread's
 * last step); a deadlock is SPIN's invalid end state. Lock words hold tid + 1, as ours do.
 *
 * Not expressed: witnesses (SPIN has no "must be reachable" for a safety run) and the ghost
 * `cs` of spinlock.ts (no model here declares it).
 */
import type { Model } from '../../src/model/define.ts';
import { fallocPop, type M1Op } from '../../models/falloc_pop.ts';
import { rwlockUpgrade } from '../../models/rwlock_upgrade.ts';
import { rwlockWakeupPagefault } from '../../models/rwlock_wakeup_pagefault.ts';
import { runSpin, type SpinOptions, type SpinRun } from './spin.ts';

/** What smpcheck should say: PASS, or a FAIL of the named property ('deadlock' for a deadlock). */
export type KernelExpect = 'pass' | { fail: string };

export interface KernelSpinSize {
  /** e.g. `cores=3 ops=3`. */
  label: string;
  /** The Promela source for this size. */
  promela(): string;
  /** The same configuration in smpcheck. */
  smpcheck: { model: Model; params: Record<string, unknown> };
  expect: KernelExpect;
}

export interface KernelSpinFamily {
  name: 'falloc_pop L' | 'rwlock spinning' | 'M4 V2';
  sizes: KernelSpinSize[];
}

// ---------------------------------------------------------------------------------------------
// The generator: steps as labelled atomic groups, procedures in continuation-passing style.

/** Promela statements that end in a jump (the local tail of a step, or the entry of a procedure). */
type Code = string;

/** The continuation "the thread ends here": its step is emitted last and falls off the proctype. */
const END: Code = '/*END*/';

class Proc {
  private groups: { label: string; text: string }[] = [];
  private n = 0;
  readonly locals = new Map<string, string>();

  constructor(readonly prefix: string) {}

  /** A fresh label (for a step whose code refers to itself, e.g. a retried access). */
  label(hint: string): string {
    return `${this.prefix}_${hint}_${++this.n}`;
  }

  /** Declares a local of this proctype (`byte h = 255`). */
  local(decl: string, name: string): string {
    this.locals.set(name, decl);
    return name;
  }

  /**
   * One of our steps: `text` is the inside of the atomic group, starting with its guard when the
   * step awaits, ending with the jump to the next step. Returns the code that enters it.
   */
  step(hint: string, text: string, label = this.label(hint)): Code {
    this.groups.push({ label, text });
    return `goto ${label}`;
  }

  /**
   * The proctype body: the declarations, `entry` (code), then every group. The one group that
   * ends in {@link END} (the thread's last step) goes last and falls through to the closing
   * brace, so that SPIN's process ends in that step, as our thread does (no extra `skip` state).
   */
  body(entry: Code): string {
    const decls = [...this.locals.values()].map((d) => `  ${d};`).join('\n');
    const last = this.groups.filter((g) => g.text.endsWith(END));
    if (last.length !== 1 || this.groups.some((g) => g.text.slice(0, -END.length).includes(END))) {
      throw new Error(`${this.prefix}: a thread needs exactly one last step, ending in END`);
    }
    const ordered = [...this.groups.filter((g) => g !== last[0]), last[0]!];
    // Our finished thread has no frames left: its locals go with its last step (SPIN would keep
    // them until it deletes the process, in pid order only).
    const reset = [...this.locals.keys()].map((n) => `${n} = 0`).join('; ');
    const lastText = (t: string) => `${t.slice(0, -END.length).replace(/;\s*$/, '')}${reset ? `; ${reset}` : ''}`;
    const groups = ordered.map((g) => `${g.label}:\n  atomic { ${g === last[0] ? lastText(g.text) : g.text} }`).join('\n');
    return `${decls}\n  ${entry};\n${groups}\n`;
  }
}

/** Thread context: proc for labels/locals, the tid and core Promela sees, used in lock words. */
interface Ctx {
  p: Proc;
  tid: string;
  core: string;
}

/** uk_spin_lock: `await L == 0; L := tid + 1` (spinlock.ts spin_lock.acquire). */
function spinLock(c: Ctx, lock: string, k: Code): Code {
  return c.p.step('lock', `${lock} == 0 -> ${lock} = ${c.tid} + 1; ${k}`);
}

/** uk_spin_unlock with I-lockowner (spinlock.ts spin_unlock.release). */
function spinUnlock(c: Ctx, lock: string, k: Code): Code {
  return c.p.step('unlock', `assert(${lock} == ${c.tid} + 1) /* I-lockowner */; ${lock} = 0; ${k}`);
}

/** spin_lock_split (L-TAS): the test (a guarded load) and the set (a store) are two steps. */
function spinLockSplit(c: Ctx, lock: string, k: Code): Code {
  const set = c.p.step('tas_set', `${lock} = ${c.tid} + 1; ${k}`);
  return c.p.step('tas_test', `${lock} == 0 -> ${set}`);
}

// ---------------------------------------------------------------------------------------------
// M1 falloc_pop

const NIL = 255;

/** models/falloc_pop.ts for `cores` × `ops` with `frames` frames, variant U / L / L-TAS. */
export function fallocPopPromela(cores: number, ops: readonly M1Op[], frames: number, variant: 'U' | 'L' | 'L-TAS' = 'L'): string {
  if (frames > 254) throw new Error('frames must be < 255');
  const p = new Proc('C');
  const c: Ctx = { p, tid: '_pid', core: '_pid' };
  const f = p.local(`byte f = ${NIL}`, 'f'); // core: the frame the last alloc got (undefined = NIL)
  p.local(`byte h = 0`, 'h');
  p.local(`byte n = 0`, 'n');
  p.local(`short fm = 0`, 'fm');
  const fl = variant === 'U' ? null : 'FL';
  const zone = variant === 'U' ? null : 'Z';
  const lockFl = (k: Code) => (fl === null ? k : variant === 'L-TAS' ? spinLockSplit(c, fl, k) : spinLock(c, fl, k));
  const unlock = (lock: string | null, k: Code) => (lock === null ? k : spinUnlock(c, lock, k));
  const lock = (l: string | null, k: Code) => (l === null ? k : spinLock(c, l, k));

  /** bfa_do_alloc_any; returns into `f`, the frame's h, n, fm vanish. */
  const alloc = (k: Code): Code => {
    const ret = (v: string) => `${f} = ${v}; h = 0; n = 0; fm = 0; ${k}`;
    const done = ret('h');
    const zUnlock = unlock(zone, done);
    const a7 = p.step('A7_zbit_alloc', `b[h] = 1; owners[h] = owners[h] + 1; assert(owners[h] <= 1) /* I-own */; ${zUnlock}`);
    const zLock = lock(zone, a7);
    const flUnlock = unlock(fl, zLock);
    const a6 = p.step('A6_store_free', `free_memory = fm - 1; ${flUnlock}`);
    const a5 = p.step('A5_load_free', `fm = free_memory; ${a6}`);
    const a4 = p.step('A4_unlink', `head = n; ${a5}`);
    const a3 = p.step('A3_load_next', `n = next[h]; ${a4}`);
    const fail = unlock(fl, ret(`${NIL}`));
    const a1 = p.step('A1_load_head', `h = head; if :: h == ${NIL} -> ${fail} :: else -> ${a3} fi`);
    return lockFl(a1);
  };

  /** bfa_do_free(f); its n, fm vanish on return. */
  const free = (k: Code): Code => {
    const ret = `n = 0; fm = 0; ${k}`;
    const flUnlock = unlock(fl, ret);
    const r6 = p.step('R6_store_free', `free_memory = fm + 1; ${flUnlock}`);
    const r5 = p.step('R5_load_free', `fm = free_memory; ${r6}`);
    const r4 = p.step('R4_push', `head = ${f}; ${r5}`);
    const r3 = p.step('R3_link', `next[${f}] = n; ${r4}`);
    const r2 = p.step('R2_load_head', `n = head; ${r3}`);
    const flLock = lockFl(r2);
    const zUnlock = unlock(zone, flLock);
    const r1 = p.step('R1_zbit_free', `b[${f}] = 0; owners[${f}] = owners[${f}] - 1; ${zUnlock}`);
    return lock(zone, r1);
  };

  // The core's dispatch loop, unrolled over the constant op list; its final dispatch (exit) is
  // our last, local event: here the ghost bump of ndone.
  let k: Code = p.step('exit', `ndone++; ${END}`, 'C_exit');
  for (let i = ops.length - 1; i >= 0; i--) {
    k = ops[i] === 'alloc' ? alloc(k) : `if :: ${f} != ${NIL} -> ${free(k)} :: else -> ${k} fi`;
  }
  const next = Array.from({ length: frames }, (_, i) => (i + 1 < frames ? i + 1 : NIL));
  return `/* falloc_pop ${variant}: cores=${cores} ops=[${ops.join(',')}] frames=${frames} (models/falloc_pop.ts) */
#define NIL ${NIL}
#define N ${cores}
#define F ${frames}
byte head = 0;
byte next[F] = { ${next.join(', ')} };
bit b[F];
short free_memory = F;
byte owners[F];
byte FL, Z;   /* locks.FL, locks.Z: 0 free, tid + 1 held */
byte ndone;   /* ghost: threads that ended */

active [N] proctype core() {
${p.body(k)}}

/* finals (falloc_pop.ts): I-count, I-list, I-nolost in the terminal state */
active proctype finals() {
  byte x, cnt, fr;
  bit inl[F];
  d_step {
    ndone == N;
    x = head;
    do
    :: x != NIL && !inl[x] && cnt <= F -> inl[x] = 1; cnt++; x = next[x]
    :: else -> break
    od;
    assert(free_memory == cnt) /* I-count */;
    fr = 0;
    do
    :: fr < F -> assert((b[fr] == 0) == inl[fr]) /* I-list */; assert(owners[fr] > 0 || inl[fr]) /* I-nolost */; fr++
    :: else -> break
    od
  }
}
`;
}

// ---------------------------------------------------------------------------------------------
// Spinning uk_rwlock (rwlock.ts srwlock_*), for any lock with word `<R>_sl` and counters
// `<R>_nact`, `<R>_npr`, `<R>_npw`.

function srwRlock(c: Ctx, R: string, k: Code): Code {
  const release = spinUnlock(c, `${R}_sl`, k);
  const take = c.p.step('srw_take', `${R}_nact++; ${R}_npr--; ${release}`);
  const spin = c.p.step('srw_rspin', `${R}_sl == 0 && ${R}_nact >= 0 -> ${R}_sl = ${c.tid} + 1; ${take}`);
  const unlock = spinUnlock(c, `${R}_sl`, spin);
  const pend = c.p.step('srw_rpend', `${R}_npr++; ${unlock}`);
  return spinLock(c, `${R}_sl`, pend);
}

function srwWlock(c: Ctx, R: string, k: Code): Code {
  const release = spinUnlock(c, `${R}_sl`, k);
  const take = c.p.step('srw_wtake', `${R}_nact = -1; ${R}_npw--; ${release}`);
  const spin = c.p.step('srw_wspin', `${R}_sl == 0 && ${R}_nact == 0 -> ${R}_sl = ${c.tid} + 1; ${take}`);
  const unlock = spinUnlock(c, `${R}_sl`, spin);
  const pend = c.p.step('srw_wpend', `${R}_npw++; ${unlock}`);
  return spinLock(c, `${R}_sl`, pend);
}

function srwRunlock(c: Ctx, R: string, k: Code): Code {
  const unlock = spinUnlock(c, `${R}_sl`, k);
  const dec = c.p.step('srw_dec', `${R}_nact--; ${unlock}`);
  return spinLock(c, `${R}_sl`, dec);
}

function srwWunlock(c: Ctx, R: string, k: Code): Code {
  const unlock = spinUnlock(c, `${R}_sl`, k);
  const clear = c.p.step('srw_clear', `${R}_nact = 0; ${unlock}`);
  return spinLock(c, `${R}_sl`, clear);
}

function srwGlobals(R: string): string {
  return `byte ${R}_sl;           /* locks['${R}.sl'] */
short ${R}_nact;        /* rw.${R}.nactive */
byte ${R}_npr, ${R}_npw; /* rw.${R}.npend_r, npend_w */`;
}

// ---------------------------------------------------------------------------------------------
// M5c-fix: the VMA list under the spinning vma_list_lock (rwlock_upgrade.ts)

/** rwlock_upgrade.ts variant 5c-fix (or 5c) with one faulting reader per address in `faults`, then W. */
export function rwlockSpinPromela(faults: readonly number[], variant: '5c-fix' | '5c' = '5c-fix'): string {
  // VMA ids: 0 = head (as prev; as cur/next 0 is null), X = 1, Y = 2, N = 3.
  const START = '(cur == 1 -> 10 : (cur == 2 -> 30 : 20))'; // RANGE[cur][0], module constant
  const procs: string[] = [];
  const T = faults.length + 1;
  faults.forEach((addr, tid) => {
    const p = new Proc(`R${tid}`);
    const c: Ctx = { p, tid: `${tid}`, core: `${tid}` };
    for (const [n, d] of [['prev', 'byte prev'], ['cur', 'byte cur'], ['fprev', 'byte fprev'], ['fcur', 'byte fcur'], ['vma', 'byte vma'], ['attr', 'byte attr']]) p.local(d!, n!);
    const end = `ndone++; ${END}`;
    // f5_runlock (5c-fix): the last step of the thread also bumps the ghost ndone.
    const f5 = srwRunlock(c, 'V', end);
    // f4_use_vma: the assertion and the load of vma->attr (attr of 'head' is undefined: 0).
    const f4 = p.step('f4_use_vma', `assert(!freed[vma]) /* I-uaf */; attr = (vma == 0 -> 0 : 1); ${variant === '5c-fix' ? f5 : end}`);
    // vma_list_scan returns {prev, cur} into found; f3 takes found.prev (local, fused).
    const afterScan = variant === '5c-fix'
      ? `fprev = prev; fcur = cur; prev = 0; cur = 0; vma = fprev; ${f4}`
      : `fprev = prev; fcur = cur; prev = 0; cur = 0; vma = fprev; ${srwRunlock(c, 'V', f4)}`;
    const hopTest = `if :: cur == 0 || ${START} > ${addr} -> ${afterScan} :: else -> goto R${tid}_hop fi`;
    p.step('hop', `prev = cur; cur = vnext[cur]; ${hopTest}`, `R${tid}_hop`);
    const start = p.step('scan_start', `prev = 0; cur = vnext[0]; ${hopTest}`);
    const entry = srwRlock(c, 'V', start);
    procs.push(`active proctype R${tid}() {\n${p.body(entry)}}`);
  });
  {
    const tid = faults.length;
    const p = new Proc('W');
    const c: Ctx = { p, tid: `${tid}`, core: `${tid}` };
    p.local('byte wn', 'wn');
    const x4 = p.step('x4_free', `freed[1] = 1; ndone++; ${END}`);
    const x3 = srwWunlock(c, 'V', x4);
    const x2u = p.step('x2_unlink', `vnext[0] = wn; mapped_X = 0; ${x3}`);
    const x2l = p.step('x2_load_next', `wn = vnext[1]; ${x2u}`);
    const entry = srwWlock(c, 'V', x2l);
    procs.push(`active proctype W() {\n${p.body(entry)}}`);
  }
  return `/* rwlock_upgrade ${variant}: faults=[${faults.join(',')}] + uk_vma_unmap(X) (models/rwlock_upgrade.ts) */
${srwGlobals('V')}
byte vnext[4] = { 1, 2, 0, 0 };  /* vma.next: head -> X -> Y -> null; N -> null */
bit freed[4];                    /* vma.freed (freed[head] is undefined: 0) */
bit mapped_X = 1, mapped_Y = 1;  /* vma.mapped = [X, Y] (N is never mapped here) */
byte ndone;                      /* ghost: threads that ended */

${procs.join('\n\n')}

/* final I-reach: every mapped VMA is reachable from head */
active proctype finals() {
  byte v; bit seen[4];
  d_step {
    ndone == ${T};
    v = vnext[0];
    do
    :: v != 0 && !seen[v] -> seen[v] = 1; v = vnext[v]
    :: else -> break
    od;
    assert((!mapped_X || seen[1]) && (!mapped_Y || seen[2])) /* I-reach */
  }
}
`;
}

// ---------------------------------------------------------------------------------------------
// M4 V2 (rwlock_wakeup_pagefault.ts): blocking rwlock A with wait queues, spinning rwlock B in the
// page-fault handler.

/** rwlock_wakeup_pagefault.ts variant V2 with `readers` readers (T0, T2, …) and the writer T1. */
export function m4v2Promela(readers: number): string {
  const T = readers + 1; // threads = cores (each thread on its own core; cores = max(2, T))
  const C = Math.max(2, T);
  const NF = 1 + readers;
  const readerTids = [0, ...Array.from({ length: readers - 1 }, (_, i) => i + 2)];
  const isReader = (tid: number) => readerTids.includes(tid);
  const procs: string[] = [];

  for (let tid = 0; tid < T; tid++) {
    const p = new Proc(`T${tid}`);
    const c: Ctx = { p, tid: `${tid}`, core: `${tid}` };
    for (const [n, d] of [
      ['wf', 'bit wf'],     // wait_event: flags
      ['wr', 'bit wr'],     // wunlock: wake_readers
      ['ww', 'bit ww'],     // runlock: wake_writers
      ['wki', 'byte wki'],  // wake_up: i
      ['wkf', 'bit wkf'],   // wake_up: flags
      ['wt', 'byte wt'],    // uk_thread_wake: target (from wake_up)
      ['pfs', 'bit pfs'],   // page_fault: saved
      ['vf', 'byte vf'],    // vmem_pagefault: f
      ['x', 'byte x'],      // scratch inside one step (always 0 between steps)
    ] as const) p.local(d, n);

    const held = `A_sl != ${tid + 1} && Ash_sl != ${tid + 1} && Aex_sl != ${tid + 1} && B_sl != ${tid + 1}`;

    /** page_fault (pagefault.ts) → vmem_pagefault (V2) for page `pg[tid]`; then retries at `retry`. */
    const pageFault = (retry: Code): Code => {
      const iret = p.step('pf_iret', `in_fault[${tid}] = 0; irq_on[${tid}] = pfs; pfs = 0; ${retry}`);
      const runlockB = srwRunlock(c, 'B', `vf = 0; ${iret}`);
      const pte = p.step('pte_write', `assert(vf != ${NIL}) /* I-oom */; pg[${tid}] = 1; ${runlockB}`);
      // falloc: the lowest free frame (frames.ts takeFrame)
      const falloc = p.step('falloc', `x = 0; do :: x < ${NF} && !fa_free[x] -> x++ :: else -> break od; if :: x < ${NF} -> fa_free[x] = 0; vf = x :: else -> vf = ${NIL} fi; x = 0; ${pte}`);
      const rlockB = srwRlock(c, 'B', falloc);
      return p.step('pf_trap', `pfs = irq_on[${tid}]; irq_on[${tid}] = 0; in_fault[${tid}] = 1; ${rlockB}`);
    };

    /** uk_thread_wake(self) on this thread's `self` page (missing for readers, present t1 for the writer). */
    const wakeSelf = (k: Code): Code => {
      if (!isReader(tid)) return p.step('thread_wake', `runnable[${tid}] = 1; ${k}`);
      const L = p.label('thread_wake');
      const fault = pageFault(`goto ${L}`);
      return p.step('thread_wake', `if :: pg[${tid}] -> runnable[${tid}] = 1; ${k} :: else -> ${fault} fi`, L);
    };

    /** irq_save into `v`; irq_restore from `v`. */
    const irqSave = (v: string, k: Code, label?: string) => p.step('irq_save', `${v} = irq_on[${tid}]; irq_on[${tid}] = 0; ${k}`, label);
    const irqRestore = (v: string, k: Code) => p.step('irq_restore', `irq_on[${tid}] = ${v}; ${k}`);

    /** wait_event (waitqueue.ts) on queue `q` (`Ash`/`Aex`) with caller lock A_sl; `cond` null = once. */
    const waitEvent = (q: string, cond: string | null, k: Code): Code => {
      const tailRestore = irqRestore('wf', `wf = 0; ${k}`);
      const tailUnlock = spinUnlock(c, `${q}_sl`, tailRestore);
      const tailUnlink = p.step('tail_unlink',
        `x = 0; do :: x < ${q}_n && ${q}[x] != ${tid} -> x++ :: else -> break od; ` +
        `if :: x < ${q}_n -> do :: x + 1 < ${q}_n -> ${q}[x] = ${q}[x + 1]; x++ :: else -> break od; ${q}_n--; ${q}[${q}_n] = 0 :: else -> skip fi; x = 0; ${tailUnlock}`);
      const tailWake = wakeSelf(tailUnlink);
      const tailTpages = p.step('tail_wake', `skip /* reads tpages[${tid}].self, a constant */; ${tailWake}`);
      const tailLock = spinLock(c, `${q}_sl`, tailTpages);
      const tailSave = irqSave('wf', tailLock);
      const SAVE = p.label('save');
      const recheck = cond === null ? tailSave : p.step('recheck', `if :: !(${cond}) -> goto ${SAVE} :: else -> ${tailSave} fi`);
      const relock = spinLock(c, 'A_sl', recheck);
      const sleep = p.step('sched_sleep', `runnable[${tid}] -> ${relock}`);
      const check = p.step('sched_check', `assert(irq_on[${tid}]) /* I-sched-irq */; assert(${held}) /* I-sched-spin */; ${sleep}`);
      const unlock = spinUnlock(c, 'A_sl', check);
      const restore = irqRestore('wf', unlock);
      const wqUnlock = spinUnlock(c, `${q}_sl`, restore);
      const enqueue = p.step('enqueue',
        `x = 0; do :: x < ${q}_n && ${q}[x] != ${tid} -> x++ :: else -> break od; ` +
        `if :: x == ${q}_n -> ${q}[${q}_n] = ${tid}; ${q}_n++ :: else -> skip fi; x = 0; runnable[${tid}] = 0; ${wqUnlock}`);
      let afterWqLock = enqueue;
      if (cond !== null) {
        const breakRestore = irqRestore('wf', tailSave);
        const ltUnlock = spinUnlock(c, `${q}_sl`, breakRestore);
        afterWqLock = p.step('locked_test', `if :: ${cond} -> ${ltUnlock} :: else -> ${enqueue} fi`);
      }
      const wqLock = spinLock(c, `${q}_sl`, afterWqLock);
      // The save step is also where recheck loops back to.
      const saveEntry = irqSave('wf', wqLock, SAVE);
      if (cond === null) return saveEntry;
      return p.step('test', `if :: ${cond} -> ${k} :: else -> ${saveEntry} fi`);
    };

    /** uk_waitq_wake_up(q, all): every linked waiter (all) or the first. */
    const wakeUp = (q: string, all: boolean, k: Code): Code => {
      const restore = irqRestore('wkf', `wkf = 0; wki = 0; ${k}`);
      const unlock = spinUnlock(c, `${q}_sl`, restore);
      const NEXT = p.label('wake_next');
      const wake = p.step('thread_wake', `runnable[wt] = 1; wt = 0; goto ${NEXT}`);
      p.step('wake_next', `if :: wki < ${q}_n${all ? '' : ' && wki < 1'} -> wt = ${q}[wki]; wki++; ${wake} :: else -> ${unlock} fi`, NEXT);
      const lock = spinLock(c, `${q}_sl`, `goto ${NEXT}`);
      return p.step('wake_save', `wki = 0; wkf = irq_on[${tid}]; irq_on[${tid}] = 0; ${lock}`);
    };

    const cReadable = 'A_nact >= 0';
    const cWritable = 'A_nact == 0';
    const rlockA = (k: Code): Code => {
      const unlock = spinUnlock(c, 'A_sl', k);
      const take = p.step('rw_take', `A_nact++; A_npr--; ${unlock}`);
      const wait = waitEvent('Ash', cReadable, take);
      const once = waitEvent('Ash', null, wait);
      const pend = p.step('rw_rpend', `A_npr++; if :: A_npw > 0 -> ${once} :: else -> ${wait} fi`);
      return spinLock(c, 'A_sl', pend);
    };
    const runlockA = (k: Code): Code => {
      const wake = wakeUp('Aex', false, `ww = 0; ${k}`);
      const unlock = spinUnlock(c, 'A_sl', `if :: ww -> ${wake} :: else -> ww = 0; ${k} fi`);
      const dec = p.step('rw_dec', `A_nact--; ww = (A_nact == 0 && A_npw > 0); ${unlock}`);
      return spinLock(c, 'A_sl', dec);
    };
    const wlockA = (k: Code): Code => {
      const unlock = spinUnlock(c, 'A_sl', k);
      const take = p.step('rw_wtake', `A_npw--; A_nact = -1; ${unlock}`);
      const wait = waitEvent('Aex', cWritable, take);
      const pend = p.step('rw_wpend', `A_npw++; ${wait}`);
      return spinLock(c, 'A_sl', pend);
    };
    const wunlockA = (k: Code): Code => {
      const wakeSh = wakeUp('Ash', true, `wr = 0; ${k}`);
      const wakeEx = wakeUp('Aex', false, `wr = 0; ${k}`);
      const unlock = spinUnlock(c, 'A_sl', `if :: wr -> ${wakeSh} :: else -> ${wakeEx} fi`);
      const clear = p.step('rw_clear', `A_nact = 0; wr = (A_npr > 0); ${unlock}`);
      return spinLock(c, 'A_sl', clear);
    };

    let entry: Code;
    if (isReader(tid)) {
      // reader: r_rlock, r_runlock; the runlock's last (local) step ends the thread: its own event.
      const exit = p.step('exit', `skip; ${END}`);
      entry = rlockA(runlockA(exit));
    } else {
      // writer T1: w1 wlock(A), w2 wlock(B) spinning, w3 wunlock(A), w5 wunlock(B) spinning.
      const w5 = srwWunlock(c, 'B', END);
      const w3 = wunlockA(w5);
      const w2 = srwWlock(c, 'B', w3);
      entry = wlockA(w2);
    }
    procs.push(`active proctype T${tid}() {\n${p.body(entry)}}`);
  }

  return `/* rwlock_wakeup_pagefault V2: readers=${readers} (T0, T2..), writer T1 (models/rwlock_wakeup_pagefault.ts) */
#define NIL ${NIL}
bool irq_on[${C}] = true;
bit in_fault[${C}];          /* ghost */
bool runnable[${T}] = true;
byte A_sl, Ash_sl, Aex_sl;   /* locks: A.sl, A.shared.sl, A.exclusive.sl */
short A_nact;
byte A_npr, A_npw;
byte Ash[${T}], Ash_n;       /* wq['A.shared'], in order */
byte Aex[${T}], Aex_n;       /* wq['A.exclusive'] */
${srwGlobals('B')}
bit pg[${T}];                /* pages P (T0), P<tid> (readers): never touched; the writer's t1 is present */
bool fa_free[${NF}] = true;  /* fa.free */

${procs.join('\n\n')}
`;
}

// ---------------------------------------------------------------------------------------------
// The families and their sizes

const M1_OPS3: M1Op[] = ['alloc', 'free', 'alloc'];
const M1_OPS2: M1Op[] = ['alloc', 'free'];

/** frames: the model's default 4, raised to the core count so every core can get a frame. */
function m1Size(cores: number, ops: M1Op[]): KernelSpinSize {
  const frames = Math.max(4, cores);
  return {
    label: `cores=${cores} ops=${ops.length} frames=${frames}`,
    promela: () => fallocPopPromela(cores, ops, frames, 'L'),
    smpcheck: { model: fallocPop, params: { variant: 'L', cores, frames, ops } },
    expect: 'pass',
  };
}

/** k faulting readers alternating between X (15) and Y (35), as 5c-fix/2faults does. */
function rwSize(k: number): KernelSpinSize {
  const faults = Array.from({ length: k }, (_, i) => (i % 2 === 0 ? 15 : 35));
  return {
    label: `readers=${k} cores=${k + 1}`,
    promela: () => rwlockSpinPromela(faults),
    smpcheck: { model: rwlockUpgrade, params: { variant: '5c-fix', faults } },
    expect: 'pass',
  };
}

function m4Size(k: number): KernelSpinSize {
  return {
    label: `readers=${k} cores=${Math.max(2, k + 1)}`,
    promela: () => m4v2Promela(k),
    smpcheck: { model: rwlockWakeupPagefault, params: { variant: 'V2', readers: k } },
    expect: 'pass',
  };
}

export const kernelSpinFamilies: KernelSpinFamily[] = [
  { name: 'falloc_pop L', sizes: [...[2, 3, 4, 5, 6].map((n) => m1Size(n, M1_OPS3)), m1Size(4, M1_OPS2)] },
  { name: 'rwlock spinning', sizes: [1, 2, 3, 4, 5, 6, 7, 8].map(rwSize) },
  { name: 'M4 V2', sizes: [1, 2, 3, 4, 5, 6, 7, 8].map(m4Size) },
];

/** Runs SPIN on one size (see {@link runSpin} for the options and what it reports). */
export function runKernelSpin(family: KernelSpinFamily, size: KernelSpinSize, opts: SpinOptions = {}): SpinRun {
  const file = `${family.name.replace(/\W+/g, '_')}_${size.label.replace(/\W+/g, '_')}.pml`;
  return runSpin(size.promela(), { name: file, ...opts });
}

/** SPIN's verdict in smpcheck's words: PASS, FAIL, or INCOMPLETE when a budget stopped it. */
export function spinVerdictOf(r: SpinRun): 'PASS' | 'FAIL' | 'INCOMPLETE' | 'ERROR' {
  if (r.verdict === 'PASS' || r.verdict === 'FAIL' || r.verdict === 'ERROR') return r.verdict;
  return 'INCOMPLETE';
}
