import type { EventInfo } from './dependence.ts';

/** What the tree walks need of the dependence relation. */
export interface DependenceRelation {
  dependent(a: EventInfo, b: EventInfo): boolean;
}

/**
 * Wakeup trees (Abdulla et al., POPL'14 §5; JACM'17 §6.2): at each node of the search, an
 * ordered tree of event sequences still to explore from there. The children of a node are its
 * branches; the leftmost is explored first. A node's subtree is shared with the search node one
 * level down while that branch is explored, so insertions below it reach the running search.
 */
export class WuNode {
  /**
   * Children as a first-child / next-sibling list: pending trees can hold hundreds of thousands
   * of nodes (lastzero(15)), most with one child, and this costs no array per node.
   */
  first: WuNode | null = null;
  next: WuNode | null = null;
  constructor(readonly info: EventInfo | null) {}

  get isLeaf(): boolean {
    return this.first === null;
  }

  /** Adds a branch after the existing ones (it is explored last). */
  append(c: WuNode): void {
    if (this.first === null) {
      this.first = c;
      return;
    }
    let x = this.first;
    while (x.next !== null) x = x.next;
    x.next = c;
  }

  /** Removes the leftmost branch (explored). */
  dropFirst(): void {
    this.first = this.first!.next;
  }
}

/**
 * The sequence v = notdep(e, E).e' to insert at pre(E, e) (JACM'17 Algorithm 2, line 5), with
 * happens-before inside v given by vector clocks: `clocks[k][t]` is one more than the position
 * in E of the latest event of thread t that happens before event k (0: none). Positions at or
 * below `base` (the position of e) are outside v. Every event after `base` that happens before
 * an event of v is itself in v (otherwise it would happen after e), so "some event left in v
 * happens before k" is a comparison per thread.
 */
export interface Sequence {
  readonly events: readonly EventInfo[];
  readonly clocks: readonly Int32Array[];
  readonly base: number;
  readonly threads: number;
}

/** Tracks which events of v are consumed; they are consumed in thread order (initials first). */
class Remaining {
  readonly removed: boolean[];
  /** Per thread, the latest position of a consumed event (or the base). */
  readonly upTo: Int32Array;
  left: number;

  constructor(readonly v: Sequence, readonly positions: readonly number[]) {
    this.removed = new Array<boolean>(v.events.length).fill(false);
    this.upTo = new Int32Array(v.threads).fill(v.base);
    this.left = v.events.length;
  }

  firstOf(tid: number): number {
    const ev = this.v.events;
    for (let k = 0; k < ev.length; k++) if (!this.removed[k] && ev[k]!.tid === tid) return k;
    return -1;
  }

  /** I_[E](v): nothing left in v happens before event k. */
  isInitial(k: number): boolean {
    const vc = this.v.clocks[k]!;
    const me = this.v.events[k]!.tid;
    for (let t = 0; t < vc.length; t++) {
      if (t === me) continue;
      const p = vc[t]! - 1;
      if (p > this.v.base && p > this.upTo[t]!) return false;
    }
    return true;
  }

  consume(k: number): void {
    this.removed[k] = true;
    this.left--;
    const t = this.v.events[k]!.tid;
    if (this.positions[k]! > this.upTo[t]!) this.upTo[t] = this.positions[k]!;
  }

  independent(info: EventInfo, dep: DependenceRelation): boolean {
    const ev = this.v.events;
    for (let k = 0; k < ev.length; k++) if (!this.removed[k] && dep.dependent(ev[k]!, info)) return false;
    return true;
  }
}

/** Positions of v's events in E; the reversed event (last) is placed after all of them. */
function positionsOf(v: Sequence): number[] {
  const out: number[] = [];
  for (let k = 0; k < v.events.length; k++) {
    // The clock entry of an event's own thread is its own position + 1.
    out.push(v.clocks[k]![v.events[k]!.tid]! - 1);
  }
  return out;
}

/**
 * WI_[E](v) ∩ sleep ≠ ∅ (JACM'17 Algorithm 2, line 6): some sleeping thread is a weak initial of
 * v — its first event in v is an initial, or it has no event in v and its sleeping event is
 * independent of all of v. Then the executions starting with v were already explored.
 */
export function sleepCovers(sleep: readonly EventInfo[], v: Sequence, dep: DependenceRelation): boolean {
  const rest = new Remaining(v, positionsOf(v));
  for (const s of sleep) {
    const k = rest.firstOf(s.tid);
    if (k >= 0 ? rest.isInitial(k) : rest.independent(s, dep)) return true;
  }
  return false;
}

/**
 * insert_[E](v, wut) (JACM'17 §6.2). Walks down from the root along the leftmost child that is a
 * weak initial of what is left of v: a child whose thread's first event left in v is an initial
 * consumes that event; a child whose thread has no event left and which is independent of
 * everything left consumes nothing. Reaching a leaf means an already scheduled sequence covers
 * v; when no child fits, what is left of v becomes a new rightmost branch. Returns true when the
 * tree grew.
 */
export function insertSequence(root: WuNode, v: Sequence, dep: DependenceRelation): boolean {
  const rest = new Remaining(v, positionsOf(v));
  let node = root;
  for (;;) {
    if (node !== root && node.isLeaf) return false;
    if (rest.left === 0) return false;
    let next: WuNode | null = null;
    for (let child = node.first; child !== null; child = child.next) {
      const info = child.info!;
      const k = rest.firstOf(info.tid);
      if (k >= 0) {
        if (rest.isInitial(k)) {
          rest.consume(k);
          next = child;
          break;
        }
      } else if (rest.independent(info, dep)) {
        next = child;
        break;
      }
    }
    if (next === null) {
      let at = node;
      for (let k = 0; k < v.events.length; k++) {
        if (rest.removed[k]) continue;
        const c = new WuNode(v.events[k]!);
        at.append(c);
        at = c;
      }
      return true;
    }
    node = next;
  }
}
