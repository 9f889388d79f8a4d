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
 * happens-before inside v given by vector clocks: event k's clock is
 * `vc[offsets[k] .. offsets[k] + threads)`, where entry t is one more than the position in E of
 * the latest event of thread t that happens before event k (0: none), and the entry of its own
 * thread is its own position + 1 (the reversed event, last, is placed after all of E). Positions
 * at or below `base` (the position of e) are outside v. Every event after `base` that happens
 * before an event of v is itself in v (otherwise it would happen after e), so "some event left in
 * v happens before k" is a comparison per thread. Only the first `len` entries of `events` and
 * `offsets` are v: the search reuses one Sequence (and its arrays) for every reversal.
 */
export interface Sequence {
  len: number;
  readonly events: EventInfo[];
  offsets: Int32Array;
  vc: Int32Array;
  base: number;
  readonly threads: number;
}

/**
 * Tracks which events of v are consumed; they are consumed in thread order (initials first), so
 * each thread's events in v form a queue and the first one left is its head. One instance is
 * reset for every walk (the walks do not nest), so a walk allocates nothing.
 */
class Remaining {
  removed = new Uint8Array(64);
  /** nextSame[k]: the next event of v of the same thread as event k (-1: none). */
  nextSame = new Int32Array(64);
  /** head[t]: thread t's first event left in v (-1: none). */
  head = new Int32Array(8);
  /** Per thread, the latest position of a consumed event (or the base). */
  upTo = new Int32Array(8);
  left = 0;
  v: Sequence | null = null;

  reset(v: Sequence): void {
    const n = v.len;
    if (this.removed.length < n) {
      this.removed = new Uint8Array(2 * n);
      this.nextSame = new Int32Array(2 * n);
    }
    if (this.head.length < v.threads) {
      this.head = new Int32Array(2 * v.threads);
      this.upTo = new Int32Array(2 * v.threads);
    }
    this.removed.fill(0, 0, n);
    this.head.fill(-1, 0, v.threads);
    this.upTo.fill(v.base, 0, v.threads);
    const ev = v.events;
    for (let k = n - 1; k >= 0; k--) {
      const t = ev[k]!.tid;
      this.nextSame[k] = this.head[t]!;
      this.head[t] = k;
    }
    this.left = n;
    this.v = v;
  }

  /** Drops the reference to the sequence (its events) once a walk is over. */
  release(): void {
    this.v = null;
  }

  firstOf(tid: number): number {
    return this.head[tid]!;
  }

  /** I_[E](v): nothing left in v happens before event k. */
  isInitial(k: number): boolean {
    const v = this.v!;
    const vc = v.vc;
    const at = v.offsets[k]!;
    const me = v.events[k]!.tid;
    const base = v.base;
    const upTo = this.upTo;
    for (let t = 0; t < v.threads; t++) {
      if (t === me) continue;
      const p = vc[at + t]! - 1;
      if (p > base && p > upTo[t]!) return false;
    }
    return true;
  }

  /** Consumes event k, the first event left of its thread. */
  consume(k: number): void {
    const v = this.v!;
    this.removed[k] = 1;
    this.left--;
    const t = v.events[k]!.tid;
    this.head[t] = this.nextSame[k]!;
    const pos = v.vc[v.offsets[k]! + t]! - 1;
    if (pos > this.upTo[t]!) this.upTo[t] = pos;
  }

  independent(info: EventInfo, dep: DependenceRelation): boolean {
    const v = this.v!;
    const ev = v.events;
    for (let k = 0; k < v.len; k++) if (!this.removed[k] && dep.dependent(ev[k]!, info)) return false;
    return true;
  }
}

const rest = new Remaining();

/** The same alternative of a thread's step (events of one thread: step.ts moveOf). */
function sameAlt(a: EventInfo, b: EventInfo): boolean {
  return (a.alt ?? 0) === (b.alt ?? 0);
}

/**
 * WI_[E](v) ∩ sleep ≠ ∅ (JACM'17 Algorithm 2, line 6): some sleeping thread is a weak initial of
 * v — its first event in v is an initial, or it has no event in v and its sleeping event is
 * independent of all of v. Then the executions starting with v were already explored. An event
 * of a choosing step is only the first case: independence says nothing of its thread's other
 * alternatives, which an extension of v may take (dpor.ts, choices).
 */
export function sleepCovers(sleep: readonly EventInfo[], v: Sequence, dep: DependenceRelation): boolean {
  rest.reset(v);
  let covered = false;
  for (const s of sleep) {
    const k = rest.firstOf(s.tid);
    if (k >= 0 ? sameAlt(s, v.events[k]!) && rest.isInitial(k) : !s.branching && rest.independent(s, dep)) {
      covered = true;
      break;
    }
  }
  rest.release();
  return covered;
}

/**
 * insert_[E](v, wut) (JACM'17 §6.2). Walks down from the root along the leftmost child that is a
 * weak initial of what is left of v: a child whose thread's first event left in v is an initial
 * consumes that event; a child whose thread has no event left and which is independent of
 * everything left consumes nothing. Reaching a leaf means an already scheduled sequence covers
 * v; when no child fits, what is left of v becomes a new rightmost branch. Returns the branch of
 * `root` that grew (the one v went down, or the new one), or null when the tree already covered
 * v: a split search (dpor-split.ts) learns from it that a branch given to a helper changed.
 */
export function insertSequence(root: WuNode, v: Sequence, dep: DependenceRelation): WuNode | null {
  rest.reset(v);
  const grew = walkAndInsert(root, v, dep);
  rest.release();
  return grew;
}

function walkAndInsert(root: WuNode, v: Sequence, dep: DependenceRelation): WuNode | null {
  let node = root;
  let top: WuNode | null = null;
  for (;;) {
    if (node !== root && node.isLeaf) return null;
    if (rest.left === 0) return null;
    let next: WuNode | null = null;
    for (let child = node.first; child !== null; child = child.next) {
      const info = child.info!;
      const k = rest.firstOf(info.tid);
      if (k >= 0) {
        // Another alternative of the same step is another event: this branch does not cover v.
        if (sameAlt(info, v.events[k]!) && rest.isInitial(k)) {
          rest.consume(k);
          next = child;
          break;
        }
      } else if (!info.branching && rest.independent(info, dep)) {
        next = child;
        break;
      }
    }
    if (next === null) {
      let at = node;
      for (let k = 0; k < v.len; k++) {
        if (rest.removed[k]) continue;
        const c = new WuNode(v.events[k]!);
        at.append(c);
        at = c;
        top ??= c;
      }
      return top;
    }
    top ??= next;
    node = next;
  }
}
