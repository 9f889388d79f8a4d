import type { Footprint } from '../model/footprint.ts';
import type { Loc } from '../model/location.ts';
import type { Dependence, EventInfo } from './dependence.ts';

/** An interned event: one object per distinct (thread, footprint, observed) of a search. */
export interface Interned extends EventInfo {
  readonly id: number;
  readonly alt: number;
}

/** Pairs of ids both below this are memoised in a dense matrix (at most DENSE_MAX² bytes, 4 MB). */
const DENSE_MAX = 2048;
const UNKNOWN = 0;
const INDEPENDENT = 1;
const DEPENDENT = 2;

/**
 * Interns events so that wakeup trees and sleep sets, which can hold hundreds of thousands of
 * entries (lastzero(15)), share one small object per distinct event instead of one per
 * insertion, and caches the dependence relation between interned events by id. The same step
 * of the same thread with the same footprint is the same event for the reduction (DESIGN §2:
 * dependence is a function of footprints), so interning changes no decision.
 *
 * The memo is exact for any number of events: pairs of ids below `cap` (which doubles up to
 * DENSE_MAX as events are interned) live in a dense cap × cap matrix, and any pair with a larger
 * id lives in a map keyed by the smaller id and then by the larger one. No two pairs share a slot.
 */
export class EventTable {
  private readonly byKey = new Map<string, Interned>();
  /** dense[lo * cap + hi], lo < hi < cap: UNKNOWN, INDEPENDENT or DEPENDENT. */
  private dense = new Uint8Array(64 * 64);
  private cap = 64;
  /** Pairs whose larger id is at least `cap` once cap has reached DENSE_MAX: lo → hi → dependent. */
  private readonly sparse = new Map<number, Map<number, boolean>>();
  private next = 0;
  /** Per thread, the footprint object interned last and its event (footprints are never mutated). */
  private readonly lastByThread: ({ src: Footprint; e: Interned } | undefined)[] = [];

  constructor(private readonly dep: Dependence) {}

  /** How many distinct events have been interned. */
  get size(): number {
    return this.next;
  }

  intern(tid: number, fp: Footprint, obs: boolean, alt = 0, branching = false): Interned {
    // The search interns the same recorded footprint (one object per step run) again and again
    // as it takes and reverses a step; recognise it without building its key.
    const last = this.lastByThread[tid];
    if (last !== undefined && last.src === fp && last.e.obs === obs && last.e.alt === alt && last.e.branching === branching) return last.e;
    const e = this.internByKey(tid, fp, obs, alt, branching);
    this.lastByThread[tid] = { src: fp, e };
    return e;
  }

  private internByKey(tid: number, fp: Footprint, obs: boolean, alt: number, branching: boolean): Interned {
    const key = `${tid}/${alt}${branching ? '*' : ''}${obs ? '+' : '-'}${ids(fp.reads)}|${ids(fp.navs)}|${ids(fp.writes)}`;
    let e = this.byKey.get(key);
    if (e === undefined) {
      const id = this.next++;
      if (id >= this.cap && this.cap < DENSE_MAX) this.grow();
      e = { id, tid, alt, branching, fp: { reads: fp.reads, navs: fp.navs, writes: fp.writes }, obs };
      this.byKey.set(key, e);
    }
    return e;
  }

  /** Doubles the dense matrix, keeping what it already knows. */
  private grow(): void {
    const cap = this.cap * 2;
    const dense = new Uint8Array(cap * cap);
    for (let lo = 0; lo < this.cap; lo++) dense.set(this.dense.subarray(lo * this.cap, (lo + 1) * this.cap), lo * cap);
    this.dense = dense;
    this.cap = cap;
  }

  /** Same relation as Dependence.dependent, memoised for interned events. */
  dependent(a: EventInfo, b: EventInfo): boolean {
    const ia = (a as Interned).id;
    const ib = (b as Interned).id;
    if (ia === undefined || ib === undefined) return this.dep.dependent(a, b);
    if (ia === ib) return true; // the same event: same thread
    const lo = ia < ib ? ia : ib;
    const hi = ia < ib ? ib : ia;
    if (hi < this.cap) {
      const slot = lo * this.cap + hi;
      const m = this.dense[slot]!;
      if (m !== UNKNOWN) return m === DEPENDENT;
      const d = this.dep.dependent(a, b);
      this.dense[slot] = d ? DEPENDENT : INDEPENDENT;
      return d;
    }
    let row = this.sparse.get(lo);
    if (row === undefined) {
      row = new Map();
      this.sparse.set(lo, row);
    }
    let d = row.get(hi);
    if (d === undefined) {
      d = this.dep.dependent(a, b);
      row.set(hi, d);
    }
    return d;
  }
}

function ids(locs: readonly Loc[]): string {
  let s = '';
  for (const l of locs) s += `${l.id},`;
  return s;
}
