import type { Footprint } from '../model/footprint.ts';
import type { Loc } from '../model/location.ts';
import type { Dependence, EventInfo } from './dependence.ts';

/** An interned event: one object per distinct (thread, footprint, observed) of a search. */
export interface Interned extends EventInfo {
  readonly id: number;
}

/**
 * Interns events so that wakeup trees and sleep sets, which can hold hundreds of thousands of
 * entries (lastzero(15)), share one small object per distinct event instead of one per
 * insertion, and caches the dependence relation between interned events by id. The same step
 * of the same thread with the same footprint is the same event for the reduction (DESIGN §2:
 * dependence is a function of footprints), so interning changes no decision.
 */
export class EventTable {
  private readonly byKey = new Map<string, Interned>();
  private readonly cache = new Map<number, boolean>();
  private next = 0;

  constructor(private readonly dep: Dependence) {}

  intern(tid: number, fp: Footprint, obs: boolean): Interned {
    const key = `${tid}${obs ? '+' : '-'}${ids(fp.reads)}|${ids(fp.navs)}|${ids(fp.writes)}`;
    let e = this.byKey.get(key);
    if (e === undefined) {
      e = { id: this.next++, tid, fp: { reads: fp.reads, navs: fp.navs, writes: fp.writes }, obs };
      this.byKey.set(key, e);
    }
    return e;
  }

  /** Same relation as Dependence.dependent, memoised for interned events. */
  dependent(a: EventInfo, b: EventInfo): boolean {
    const ia = (a as Interned).id;
    const ib = (b as Interned).id;
    if (ia === undefined || ib === undefined) return this.dep.dependent(a, b);
    const key = ia < ib ? ia * 0x100000 + ib : ib * 0x100000 + ia;
    let d = this.cache.get(key);
    if (d === undefined) {
      d = this.dep.dependent(a, b);
      this.cache.set(key, d);
    }
    return d;
  }
}

function ids(locs: readonly Loc[]): string {
  let s = '';
  for (const l of locs) s += `${l.id},`;
  return s;
}
