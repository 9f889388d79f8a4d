import { writesAny, type Footprint } from '../model/footprint.ts';
import { isPrefix, overlaps, type Loc } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import { alternatives } from '../model/step.ts';

/** A thread's next step as race detection sees it: who, which step, what it touches. */
export interface PendingAccess {
  readonly tid: number;
  readonly fp: Footprint;
  /** `proc.label`, for the report. */
  readonly step: string;
}

/** Two co-enabled steps of different threads that conflict on a plain (not atomic) location. */
export interface Race {
  readonly loc: Loc;
  readonly first: PendingAccess & { readonly writes: boolean };
  readonly second: PendingAccess & { readonly writes: boolean };
}

/**
 * Data races (DESIGN §3, property `data-race`), under sequential consistency: two steps of
 * different threads that are enabled in the same reachable state and conflict on a location
 * neither accesses atomically (the model's `atomics`), at least one of them writing it. A
 * program has such a state iff it has an execution in which the two accesses are unordered by
 * happens-before (Adve & Hill, "Weak Ordering — A New Definition", ISCA 1990: a race is two
 * conflicting accesses that can be adjacent in an SC execution). Accesses under a common lock
 * are never co-enabled (the second thread's acquire is blocked), so locks order them, as
 * release/acquire does in C. Every engine visits every reachable state (or, DPOR, a state where
 * each such pair is co-enabled) with every enabled step's footprint at hand, so each checks it
 * where it already has the steps.
 */
export function findRace(program: Program, pending: readonly PendingAccess[]): Race | null {
  for (let i = 0; i < pending.length; i++) {
    for (let j = i + 1; j < pending.length; j++) {
      const a = pending[i]!;
      const b = pending[j]!;
      if (a.tid === b.tid) continue;
      const loc = plainConflict(program, a.fp, b.fp) ?? plainConflict(program, b.fp, a.fp);
      if (loc !== null) return { loc, first: { ...a, writes: writesAny(a.fp, [loc]) }, second: { ...b, writes: writesAny(b.fp, [loc]) } };
    }
  }
  return null;
}

/** A location `w` writes plainly that `o` reads, navigates or writes plainly: the more specific of the two paths. */
function plainConflict(program: Program, w: Footprint, o: Footprint): Loc | null {
  for (const x of w.writes) {
    if (program.isAtomic(x)) continue;
    for (const y of o.writes) if (overlaps(x, y) && !program.isAtomic(y)) return deeper(x, y);
    for (const y of o.reads) if (overlaps(x, y) && !program.isAtomic(y)) return deeper(x, y);
    for (const y of o.navs) if (isPrefix(x, y) && !program.isAtomic(y)) return y;
  }
  return null;
}

function deeper(a: Loc, b: Loc): Loc {
  return a.depth >= b.depth ? a : b;
}

/** `on x: T0 writes it (w.store), T1 reads it (r.load)`: a race as violations and traces word it. */
export function raceDetail(program: Program, r: Race): string {
  const who = (a: Race['first']) => `${program.threadName(a.tid)} ${a.writes ? 'writes' : 'reads'} it (${a.step})`;
  return `on ${r.loc.path || '(all of shared state)'}: ${who(r.first)}, ${who(r.second)}, and neither access is atomic`;
}

/** The race among the steps every thread can take at `state` (all alternatives), if any. */
export function raceAt(program: Program, state: State): Race | null {
  const pending: PendingAccess[] = [];
  for (const t of program.threads) {
    for (const o of alternatives(program, state, t.tid).steps) {
      pending.push({ tid: o.tid, fp: o.rec, step: `${o.proc}.${o.label}` });
    }
  }
  return findRace(program, pending);
}
