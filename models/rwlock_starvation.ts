import { defineModel, procedure, thread } from '../src/index.ts';
import { blockingRwlock, spinningRwlock, type RwlockOps, rwlockAssertions } from './kernel/rwlock.ts';
import { kernelState, type KernelState } from './kernel/state.ts';

/**
 * Liveness of the two uk_rwlocks (MODELS.md §1.5 and §3.11, "Liveness"): one thread takes the
 * lock once (the victim) while two others take the other side again and again, forever.
 *
 * - The blocking rwlock (cb35dfff) prefers writers: a reader that finds a writer pending
 *   sleeps, so writers that keep coming can keep a reader out for ever.
 * - The spinning rwlock (84aecdd3) lets readers in whenever no writer holds it, so readers
 *   that keep overlapping keep `nactive > 0` and a writer out for ever ("the spinning rwlock can
 *   starve writers").
 *
 * Property `victim-served` (eventually): the victim gets the lock and finishes. Every lock
 * acquire is strongly fair, so a victim that could get in again and again does; what is left
 * is starvation by design, where the victim can never get in.
 */
type Lock = 'blocking' | 'spinning';
type Params = { lock: Lock; victim: 'reader' | 'writer' };
type Shared = KernelState & { served: boolean };

const ops = (p: Params): RwlockOps => (p.lock === 'blocking' ? blockingRwlock : spinningRwlock);

const once = procedure<Shared, Params, {}>('victim', {
  lock: (s, t, p) => { t.call(p.victim === 'reader' ? ops(p).rlock : ops(p).wlock, { rw: 'L' }); },
  unlock: (s, t, p) => { t.call(p.victim === 'reader' ? ops(p).runlock : ops(p).wunlock, { rw: 'L' }); },
  done: (s) => { s.served = true; },
});

const forever = procedure<Shared, Params, {}>('other_side', {
  lock: (s, t, p) => { t.call(p.victim === 'reader' ? ops(p).wlock : ops(p).rlock, { rw: 'L' }); },
  unlock: (s, t, p) => { t.call(p.victim === 'reader' ? ops(p).wunlock : ops(p).runlock, { rw: 'L' }, { then: 'lock' }); },
});

export const rwlockStarvation = defineModel({
  name: 'rwlock_starvation',
  description: 'one reader (or writer) against two writers (or readers) that take the lock forever',
  params: { lock: 'blocking', victim: 'reader' } as Params,
  shared: (): Shared => ({ ...kernelState({ cores: 3, threads: 3, rwlocks: ['L'] }), served: false }),
  threads: ({ victim }) => [thread(victim === 'reader' ? 'R' : 'W', once), thread(victim === 'reader' ? 'W0' : 'R0', forever), thread(victim === 'reader' ? 'W1' : 'R1', forever)],
  eventually: { 'victim-served': (s) => s.served },
  fairness: { strong: ['spin_lock.acquire', 'uk_rwlock_rlock_spin.spin', 'uk_rwlock_wlock_spin.spin'] },
  assertions: rwlockAssertions,
});
