import { procedure, type Thread } from '../../src/index.ts';

/**
 * Spinlock words live in `s.locks[name]`: 0 when free, holder's tid + 1 when held.
 *
 * `s.cs[name]`, when a model declares it for a lock, is ghost state: the threads that are
 * between their own acquire of that lock and their own release. It stays right when an
 * unbalanced `uk_spin_unlock` releases a lock another thread holds (the word says "free", the
 * holder still believes it is inside), which is what `I-mutex(Z)` of M3 checks.
 */
export interface LockState {
  locks: Record<string, number>;
  cs?: Record<string, number[]>;
}

function enter(s: LockState, t: Thread): void {
  const inside = s.cs?.[t.lock];
  if (inside !== undefined) s.cs![t.lock] = [...inside, t.tid];
}

function leave(s: LockState, t: Thread): void {
  const inside = s.cs?.[t.lock];
  if (inside !== undefined && inside.includes(t.tid)) s.cs![t.lock] = inside.filter((x) => x !== t.tid);
}

/**
 * uk_spin_lock / uk_spin_unlock (lib/uklock, MODELS.md §1.1).
 *
 * Acquire is one guarded atomic step (the test-and-test-and-set loop folded into `await`).
 * Release is an unconditional store of 0, like the real code; it checks I-lockowner ("unlock
 * only by the holder"), because the real `uk_spin_unlock` does not and silently releases a
 * lock another core holds.
 */
export const spin_lock = procedure<LockState, unknown, { lock: string }>('spin_lock', {
  acquire: (s, t) => {
    t.await(s.locks[t.lock] === 0, `${t.lock} is held`);
    s.locks[t.lock] = t.tid + 1;
    enter(s, t);
  },
});

export const spin_unlock = procedure<LockState, unknown, { lock: string }>('spin_unlock', {
  release: (s, t) => {
    t.assert(s.locks[t.lock] === t.tid + 1, 'I-lockowner', `${t.lock} released by a thread that does not hold it`);
    s.locks[t.lock] = 0;
    leave(s, t);
  },
});

/** Non-blocking attempt; returns true when the lock was taken (Linux spin_trylock). */
export const spin_trylock = procedure<LockState, unknown, { lock: string }>('spin_trylock', {
  try: (s, t) => {
    if (s.locks[t.lock] !== 0) return t.ret(false);
    s.locks[t.lock] = t.tid + 1;
    enter(s, t);
    t.ret(true);
  },
});

/** The locks `tid` holds, as a scheduler check sees them. */
export function heldBy(locks: Record<string, number>, tid: number): string[] {
  return Object.keys(locks).filter((k) => locks[k] === tid + 1);
}

/**
 * A broken test-and-set: the test (a load) and the set (a store) are two steps, so two cores
 * can both see the lock free and both take it. Used by the `*-TAS` variants.
 */
export const spin_lock_split = procedure<LockState, unknown, { lock: string }>('spin_lock_split', {
  test: (s, t) => { t.await(s.locks[t.lock] === 0, `${t.lock} is held`); },
  set: (s, t) => {
    s.locks[t.lock] = t.tid + 1;
    enter(s, t);
  },
});

/**
 * The assertions spin_unlock checks (`t.assert`): a model that uses them lists these in its
 * `assertions`, so that its specs may expect them.
 */
export const spinlockAssertions = ['I-lockowner'] as const;
