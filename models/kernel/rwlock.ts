import { procedure, type Procedure } from '../../src/index.ts';
import { spin_lock, spin_unlock, spinlockAssertions } from './spinlock.ts';
import type { KernelState } from './state.ts';
import { defineCondition, wait_event, wake_up, waitqueueAssertions } from './waitqueue.ts';

defineCondition('rw.readable', (s, rw: string) => s.rw[rw]!.nactive >= 0);
defineCondition('rw.writable', (s, rw: string) => s.rw[rw]!.nactive === 0);

/*
 * Blocking uk_rwlock (unikraft cb35dfff, lib/uklock/rwlock.c; MODELS.md §1.5). Every access to
 * the counters happens under `R.sl`, so one step may update several of them. Waiting goes
 * through wait_event, i.e. through schedule().
 */

export const rwlock_rlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_rlock', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  pend: (s, t) => {
    s.rw[t.rw]!.npend_r += 1;
    // Writer preference: sleep once, unconditionally, if a writer is pending.
    if (s.rw[t.rw]!.npend_w > 0) t.call(wait_event, { wq: `${t.rw}.shared`, once: true, lock: `${t.rw}.sl` });
  },
  wait: (s, t) => { t.call(wait_event, { wq: `${t.rw}.shared`, cond: 'rw.readable', arg: t.rw, lock: `${t.rw}.sl` }); },
  take: (s, t) => {
    s.rw[t.rw]!.nactive += 1;
    s.rw[t.rw]!.npend_r -= 1;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const rwlock_wlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_wlock', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  pend: (s, t) => { s.rw[t.rw]!.npend_w += 1; },
  wait: (s, t) => { t.call(wait_event, { wq: `${t.rw}.exclusive`, cond: 'rw.writable', arg: t.rw, lock: `${t.rw}.sl` }); },
  take: (s, t) => {
    s.rw[t.rw]!.npend_w -= 1;
    s.rw[t.rw]!.nactive = -1;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const rwlock_runlock = procedure<KernelState, unknown, { rw: string; wake_writers: boolean }>('uk_rwlock_runlock', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  dec: (s, t) => {
    const r = s.rw[t.rw]!;
    r.nactive -= 1;
    t.wake_writers = r.nactive === 0 && r.npend_w > 0;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  wake: (s, t) => { if (t.wake_writers) t.call(wake_up, { wq: `${t.rw}.exclusive`, all: false }); },
});

export const rwlock_wunlock = procedure<KernelState, unknown, { rw: string; wake_readers: boolean }>('uk_rwlock_wunlock', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  clear: (s, t) => {
    s.rw[t.rw]!.nactive = 0;
    t.wake_readers = s.rw[t.rw]!.npend_r > 0;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  wake: (s, t) => {
    if (t.wake_readers) t.call(wake_up, { wq: `${t.rw}.shared`, all: true });
    else t.call(wake_up, { wq: `${t.rw}.exclusive`, all: false });
  },
});

/*
 * Spinning uk_rwlock (razvanvirtan/unikraft 84aecdd3). The loop "take sl; if ok break holding
 * sl; else release sl" is one guarded step: acquire `R.sl` when it is free and the condition
 * holds (the failed iterations change nothing). Unlocks wake nobody; nothing calls schedule().
 */

export const srwlock_rlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_rlock_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  pend: (s, t) => { s.rw[t.rw]!.npend_r += 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  spin: (s, t) => {
    t.await(s.locks[`${t.rw}.sl`] === 0 && s.rw[t.rw]!.nactive >= 0, `${t.rw} is write-held`);
    s.locks[`${t.rw}.sl`] = t.tid + 1;
  },
  take: (s, t) => {
    s.rw[t.rw]!.nactive += 1;
    s.rw[t.rw]!.npend_r -= 1;
  },
  release: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const srwlock_wlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_wlock_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  pend: (s, t) => { s.rw[t.rw]!.npend_w += 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  spin: (s, t) => {
    t.await(s.locks[`${t.rw}.sl`] === 0 && s.rw[t.rw]!.nactive === 0, `${t.rw} is held`);
    s.locks[`${t.rw}.sl`] = t.tid + 1;
  },
  take: (s, t) => {
    s.rw[t.rw]!.nactive = -1;
    s.rw[t.rw]!.npend_w -= 1;
  },
  release: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const srwlock_runlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_runlock_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  dec: (s, t) => { s.rw[t.rw]!.nactive -= 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const srwlock_wunlock = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_wunlock_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  clear: (s, t) => { s.rw[t.rw]!.nactive = 0; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

/*
 * uk_rwlock_upgrade / uk_rwlock_downgrade (blocking, cb35dfff until 756db4ce removed them).
 * The upgrader that is not the only reader gives up its share and sleeps on `shared` until
 * nactive == 0, but the last runlock wakes `exclusive`: a lost wake-up (M5a). `fixed: true`
 * sleeps on the queue runlock actually wakes.
 */

export const rwlock_upgrade = procedure<KernelState, unknown, { rw: string; fixed: boolean }>('uk_rwlock_upgrade', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  only_reader: (s, t) => {
    const r = s.rw[t.rw]!;
    if (r.nactive === 1) {
      r.nactive = -1;
      return t.goto('unlock');
    }
    r.npend_w += 1;
    r.nactive -= 1;
  },
  wait: (s, t) => {
    const wq = t.fixed ? `${t.rw}.exclusive` : `${t.rw}.shared`;
    t.call(wait_event, { wq, cond: 'rw.writable', arg: t.rw, lock: `${t.rw}.sl` });
  },
  take: (s, t) => {
    s.rw[t.rw]!.npend_w -= 1;
    s.rw[t.rw]!.nactive = -1;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const rwlock_downgrade = procedure<KernelState, unknown, { rw: string; wake_readers: boolean }>('uk_rwlock_downgrade', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  set_reader: (s, t) => {
    s.rw[t.rw]!.nactive = 1;
    t.wake_readers = s.rw[t.rw]!.npend_r !== 0;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  wake: (s, t) => { if (t.wake_readers) t.call(wake_up, { wq: `${t.rw}.shared`, all: true }); },
});

/*
 * Spinning upgrade / downgrade (84aecdd3, used by vmem_vma_insert in 973c052e): the same shape,
 * but the wait is a spin that re-takes `sl` until nactive == 0. Between giving up the read share
 * and winning the spin, a writer can get in (M5b).
 */

export const srwlock_upgrade = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_upgrade_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  only_reader: (s, t) => {
    const r = s.rw[t.rw]!;
    if (r.nactive === 1) {
      r.nactive = -1;
      return t.goto('release');
    }
    r.npend_w += 1;
    r.nactive -= 1;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  spin: (s, t) => {
    t.await(s.locks[`${t.rw}.sl`] === 0 && s.rw[t.rw]!.nactive === 0, `${t.rw} still has readers`);
    s.locks[`${t.rw}.sl`] = t.tid + 1;
  },
  take: (s, t) => {
    s.rw[t.rw]!.nactive = -1;
    s.rw[t.rw]!.npend_w -= 1;
  },
  release: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

export const srwlock_downgrade = procedure<KernelState, unknown, { rw: string }>('uk_rwlock_downgrade_spin', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  set_reader: (s, t) => { s.rw[t.rw]!.nactive = 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
});

/**
 * A read trylock for atomic context (Linux down_read_trylock / mmap_read_trylock): succeeds
 * when no writer holds the lock, never waits; returns whether the read share was taken.
 */
export const rwlock_tryrlock = procedure<KernelState, unknown, { rw: string; ok: boolean }>('uk_rwlock_tryrlock', {
  lock: (s, t) => { t.call(spin_lock, { lock: `${t.rw}.sl` }); },
  try: (s, t) => {
    t.ok = s.rw[t.rw]!.nactive >= 0;
    if (t.ok) s.rw[t.rw]!.nactive += 1;
  },
  unlock: (s, t) => { t.call(spin_unlock, { lock: `${t.rw}.sl` }); },
  done: (s, t) => { t.ret(t.ok); },
});

/** The operations of one rwlock flavour, so models can pick a flavour by parameter. */
export interface RwlockOps {
  rlock: RwlockOp;
  wlock: RwlockOp;
  runlock: RwlockOp;
  wunlock: RwlockOp;
  upgrade: RwlockOp;
  downgrade: RwlockOp;
}

/** One rwlock operation, called with the lock's name (`{ rw }`); its other locals are its own. */
export type RwlockOp = Procedure<KernelState>;

export const blockingRwlock: RwlockOps = {
  rlock: rwlock_rlock, wlock: rwlock_wlock, runlock: rwlock_runlock, wunlock: rwlock_wunlock,
  upgrade: rwlock_upgrade, downgrade: rwlock_downgrade,
};
export const spinningRwlock: RwlockOps = {
  rlock: srwlock_rlock, wlock: srwlock_wlock, runlock: srwlock_runlock, wunlock: srwlock_wunlock,
  upgrade: srwlock_upgrade, downgrade: srwlock_downgrade,
};

/**
 * The assertions the rwlocks and what they call check (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const rwlockAssertions = [...spinlockAssertions, ...waitqueueAssertions] as const;
