import { evaluatePredicates } from '../check/evaluate.ts';
import type { NamedPredicate, Program, State } from '../model/program.ts';
import { alternatives, moveOf, NewThreads } from '../model/step.ts';
import { combine, hashShared, hashThread, updateShared, type Hash2 } from './fingerprint.ts';
import { defaultClock, Pacer } from './pace.ts';
import type { Clock, Cut, ExploreResult, Violation } from './types.ts';

/**
 * Liveness under fairness (DESIGN §3), on the explicit state graph: every reachable state and
 * every transition, stored, then the graph's strongly connected components (Tarjan).
 *
 * An infinite execution ends up inside one SCC, visiting its states and taking its edges
 * forever; it is *weakly fair* to thread u when u is not enabled in every state it visits
 * forever or u steps forever, and *strongly fair* to a step class (thread u running a step
 * `proc.label` listed in the model's `fairness.strong`, such as a lock acquire) when u takes
 * that step forever if it is enabled forever-often. So an SCC holds a fair execution iff (Lichtenstein & Pnueli, POPL
 * 1985; Emerson & Lei's refinement for strong fairness): it has an edge inside; every thread
 * enabled in all its states has an edge inside; and every strong step enabled in one of its
 * states has an edge inside — else those states are dropped and what is left is split again.
 *
 * Properties, each violated by a fair execution (a lasso: a path, then a cycle that repeats
 * forever) or by a maximal finite one (all finished, or stuck):
 * - `starvation` (spec `starvation: 'error'`): some unfinished thread never steps again —
 *   a thread blocked forever while the others go on, or stuck when no thread can move;
 * - `eventually` P: P never holds;
 * - `leadsTo` (P, Q): from a state where P holds, Q never holds afterwards.
 */

export interface LivenessOptions {
  /** Check the built-in `starvation` property. */
  readonly starvation: boolean;
  /** Most states to store (the graph keeps every state and edge). */
  readonly maxStates: number;
  readonly timeMs: number;
  readonly clock?: Clock;
}

interface Edge {
  readonly tid: number;
  readonly move: number;
  /** For a strongly fair step, its class `tid proc.label` (fairness is per thread); else null. */
  readonly strong: string | null;
  readonly to: number;
}

interface Node {
  readonly state: State;
  /** The state's 64-bit fingerprint, shared part and per thread (fingerprint.ts), kept for its successors'. */
  readonly shared: Hash2;
  readonly threads: readonly Hash2[];
  readonly edges: Edge[];
  /** Threads with some step enabled here. */
  readonly enabled: Set<number>;
  /** The strongly fair step classes (`tid proc.label`) enabled here. */
  readonly steps: Set<string>;
  /** No thread can move and none is held by t.assume: a maximal finite execution ends here (set when expanded). */
  end: boolean;
  /** How the search first reached it: the parent node and the move taken, for counterexamples. */
  readonly parent: number;
  readonly via: number;
  /** Length of that first path. */
  readonly depth: number;
  /** Per liveness predicate, whether it holds here (eventually, leadsTo's when and then). */
  readonly holds: Map<NamedPredicate, boolean>;
}

export interface LivenessResult {
  readonly violations: Violation[];
  /** Why the graph is not complete (then no liveness verdict): a budget. */
  readonly cut: Cut[];
  /** States stored. */
  readonly states: number;
  readonly error?: ExploreResult['error'];
}

/** The liveness properties' verdicts, from the whole state graph. */
export function exploreLiveness(program: Program, opts: LivenessOptions): LivenessResult {
  for (;;) {
    const known = program.threads.length;
    const r = new LivenessSearch(program, opts).run();
    if (r.error?.error instanceof NewThreads && program.threads.length > known) continue; // see spawns.ts
    return r;
  }
}

class LivenessSearch {
  private readonly nodes: Node[] = [];
  private readonly ids = new Map<string, number>();
  private readonly preds: NamedPredicate[];
  private readonly strong: ReadonlySet<string>;
  private readonly pace: Pacer;

  constructor(
    private readonly program: Program,
    private readonly opts: LivenessOptions,
  ) {
    this.preds = [...program.eventually, ...program.leadsTo.flatMap((l) => [l.when, l.then])];
    this.strong = program.strongSteps;
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.timeMs);
  }

  run(): LivenessResult {
    try {
      if (!this.build()) return { violations: [], cut: [this.cutReason], states: this.nodes.length };
      const violations: Violation[] = [];
      if (this.opts.starvation) {
        const v = this.starvation();
        if (v !== null) violations.push(v);
      }
      for (const e of this.program.eventually) {
        const v = this.never('eventually', e.name, [0], e);
        if (v !== null) violations.push(v);
      }
      for (const l of this.program.leadsTo) {
        const starts = this.nodes.map((_, i) => i).filter((i) => this.holds(i, l.when) && !this.holds(i, l.then));
        const v = this.never('leadsTo', l.name, starts, l.then);
        if (v !== null) violations.push(v);
      }
      return { violations, cut: [], states: this.nodes.length };
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      return { violations: [], cut: [], states: this.nodes.length, error: { error: e, schedule: [] } };
    }
  }

  private cutReason: Cut = 'states';

  // ------------------------------------------------------------------ the graph

  /** Every reachable state and transition; false when a budget ran out. */
  private build(): boolean {
    const p = this.program;
    const shared0 = hashShared(p.locs, p.initial.shared);
    const threads0 = p.initial.threads.map((f) => hashThread(f));
    this.add(p.initial, shared0, threads0, -1, -1);
    for (let i = 0; i < this.nodes.length; i++) {
      if (this.pace.due() === 'time') {
        this.cutReason = 'time';
        return false;
      }
      const node = this.nodes[i]!;
      let assumed = false;
      for (const t of p.threads) {
        const a = alternatives(p, node.state, t.tid);
        if (a.held?.assumed) assumed = true;
        for (const o of a.steps) {
          const move = moveOf(o.tid, o.alt);
          // Incremental fingerprints, as the stateful engine keys its states.
          const shared = updateShared(p.locs, node.shared, node.state.shared, o.state.shared, o.rec.writes);
          const threads = node.threads.slice();
          threads[o.tid] = hashThread(o.state.threads[o.tid]!);
          for (const c of o.spawned ?? []) threads[c] = hashThread(o.state.threads[c]!);
          let to = this.ids.get(keyOf(shared, threads));
          if (to === undefined) {
            if (this.nodes.length >= this.opts.maxStates) return false;
            to = this.add(o.state, shared, threads, i, move);
          }
          const step = `${o.proc}.${o.label}`;
          const strong = this.strong.has(step) ? `${o.tid} ${step}` : null;
          node.edges.push({ tid: o.tid, move, strong, to });
          node.enabled.add(o.tid);
          if (strong !== null) node.steps.add(strong);
        }
      }
      node.end = node.edges.length === 0 && !assumed; // an end held by t.assume is discarded, not an execution
    }
    return true;
  }

  private add(state: State, shared: Hash2, threads: readonly Hash2[], parent: number, via: number): number {
    const p = this.program;
    const id = this.nodes.length;
    this.ids.set(keyOf(shared, threads), id);
    const holds = new Map<NamedPredicate, boolean>();
    for (const pred of this.preds) holds.set(pred, evaluatePredicates(p, state.shared, [pred], 'liveness').length === 0);
    const depth = parent === -1 ? 0 : this.nodes[parent]!.depth + 1;
    this.nodes.push({ state, shared, threads, edges: [], enabled: new Set(), steps: new Set(), end: false, parent, via, depth, holds });
    return id;
  }

  private holds(i: number, pred: NamedPredicate): boolean {
    return this.nodes[i]!.holds.get(pred)!;
  }

  // ------------------------------------------------------------------ properties

  /**
   * A fair cycle, or an end, in which an unfinished thread never steps. For thread t: a fair
   * SCC of the graph without t's edges, among the states where t has not finished (a cycle
   * that avoids t's steps may sit inside a larger SCC where t does step).
   */
  private starvation(): Violation | null {
    for (const t of this.program.threads) {
      const waiting = new Set<number>();
      for (let i = 0; i < this.nodes.length; i++) {
        const st = this.nodes[i]!.state;
        if (st.threads[t.tid]!.length > 0 && !isAbsentFrames(st, t.tid)) waiting.add(i);
      }
      const c = this.fairSccs(waiting, t.tid)[0];
      if (c !== undefined) return this.lasso('starvation', c, `${t.name} waits forever: it never takes a step again while the others go on`, t.tid);
    }
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (!n.end) continue;
      const stuck = this.program.threads.filter((t) => n.state.threads[t.tid]!.length > 0 && !isAbsentFrames(n.state, t.tid));
      if (stuck.length > 0) {
        return { property: 'starvation', kind: 'liveness', detail: `${stuck.map((t) => t.name).join(', ')} wait${stuck.length === 1 ? 's' : ''} forever: no thread can move`, schedule: this.pathTo(i) };
      }
    }
    return null;
  }

  /**
   * A fair execution that, from one of `starts`, never reaches a state where `goal` holds:
   * through states where it is false, to an end or into a fair cycle of such states.
   */
  private never(kind: 'eventually' | 'leadsTo', name: string, starts: readonly number[], goal: NamedPredicate): Violation | null {
    const bad = new Set<number>();
    const from = new Map<number, number>(); // within the bad region: node → predecessor (BFS)
    const queue: number[] = [];
    for (const s of starts) {
      if (this.holds(s, goal) || bad.has(s)) continue;
      bad.add(s);
      from.set(s, -1);
      queue.push(s);
    }
    for (let k = 0; k < queue.length; k++) {
      for (const e of this.nodes[queue[k]!]!.edges) {
        if (bad.has(e.to) || this.holds(e.to, goal)) continue;
        bad.add(e.to);
        from.set(e.to, queue[k]!);
        queue.push(e.to);
      }
    }
    const what = kind === 'eventually' ? `${name} never holds` : `after ${name}'s condition holds, its goal never does`;
    const into = (target: number) => {
      const inner: number[] = [];
      let at = target;
      while (from.get(at)! !== -1) {
        const prev = from.get(at)!;
        inner.push(this.nodes[prev]!.edges.find((e) => e.to === at)!.move);
        at = prev;
      }
      return [...this.pathTo(at), ...inner.reverse()];
    };
    for (const i of queue) {
      if (this.nodes[i]!.end) return { property: name, kind: 'liveness', detail: `${what}: the execution ends without it`, schedule: into(i) };
    }
    const scc = this.fairSccs(bad, null)[0];
    if (scc === undefined) return null;
    const order = new Map(queue.map((n, k) => [n, k]));
    const entry = scc.reduce((a, b) => (order.get(a)! <= order.get(b)! ? a : b)); // reached first
    const prefix = into(entry);
    return this.lassoFrom(name, scc, entry, prefix, `${what}: the cycle repeats forever`, null);
  }

  // ------------------------------------------------------------------ fair SCCs

  /**
   * The SCCs of the subgraph on `within`, without the edges of thread `skip`, that hold a fair
   * infinite execution (see the top comment; fairness still applies to `skip`).
   */
  private fairSccs(within: ReadonlySet<number>, skip: number | null): number[][] {
    const out: number[][] = [];
    for (const c of this.sccs(within, skip)) {
      const set = new Set(c);
      const internal = c.some((i) => this.nodes[i]!.edges.some((e) => e.tid !== skip && set.has(e.to)));
      if (!internal) continue;
      const inside = this.insideThreads(c, skip);
      const insideSteps = new Set<string>();
      const enabledSteps = new Set<string>();
      for (const i of c) {
        for (const k of this.nodes[i]!.steps) enabledSteps.add(k);
        for (const e of this.nodes[i]!.edges) if (e.strong !== null && e.tid !== skip && set.has(e.to)) insideSteps.add(e.strong);
      }
      // Weak fairness: a thread enabled everywhere here must step here.
      const weakOk = this.program.threads.every((t) => inside.has(t.tid) || c.some((i) => !this.nodes[i]!.enabled.has(t.tid)));
      if (!weakOk) continue;
      // Strong fairness: a strong step enabled somewhere here must be taken here; else drop where it is enabled.
      const unfair = [...enabledSteps].filter((k) => !insideSteps.has(k));
      if (unfair.length === 0) {
        out.push(c);
        continue;
      }
      const rest = new Set(c.filter((i) => !unfair.some((s) => this.nodes[i]!.steps.has(s))));
      out.push(...this.fairSccs(rest, skip));
    }
    return out;
  }

  /** Threads with an edge inside `c` (not counting `skip`'s). */
  private insideThreads(c: readonly number[], skip: number | null): Set<number> {
    const set = new Set(c);
    const out = new Set<number>();
    for (const i of c) for (const e of this.nodes[i]!.edges) if (e.tid !== skip && set.has(e.to)) out.add(e.tid);
    return out;
  }

  /** Tarjan's SCCs of the subgraph induced by `within` without `skip`'s edges, iteratively (graphs have millions of edges). */
  private sccs(within: ReadonlySet<number>, skip: number | null): number[][] {
    const index = new Map<number, number>();
    const low = new Map<number, number>();
    const onStack = new Set<number>();
    const stack: number[] = [];
    const out: number[][] = [];
    let next = 0;
    for (const root of within) {
      if (index.has(root)) continue;
      const work: { v: number; e: number }[] = [{ v: root, e: 0 }];
      index.set(root, next), low.set(root, next), next++;
      stack.push(root), onStack.add(root);
      while (work.length > 0) {
        const top = work[work.length - 1]!;
        const edges = this.nodes[top.v]!.edges;
        if (top.e < edges.length) {
          const edge = edges[top.e++]!;
          const w = edge.to;
          if (edge.tid === skip || !within.has(w)) continue;
          if (!index.has(w)) {
            index.set(w, next), low.set(w, next), next++;
            stack.push(w), onStack.add(w);
            work.push({ v: w, e: 0 });
          } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
          continue;
        }
        work.pop();
        if (work.length > 0) {
          const parent = work[work.length - 1]!.v;
          low.set(parent, Math.min(low.get(parent)!, low.get(top.v)!));
        }
        if (low.get(top.v) === index.get(top.v)) {
          const c: number[] = [];
          for (let w = -1; w !== top.v; ) {
            w = stack.pop()!;
            onStack.delete(w);
            c.push(w);
          }
          out.push(c.sort((a, b) => a - b));
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ counterexamples

  /** The moves from the initial state to node `i`, along the search's first arrivals. */
  private pathTo(i: number): number[] {
    const out: number[] = [];
    for (let n = i; this.nodes[n]!.parent !== -1; n = this.nodes[n]!.parent) out.push(this.nodes[n]!.via);
    return out.reverse();
  }

  private lasso(property: string, c: readonly number[], detail: string, skip: number | null): Violation {
    const entry = c.reduce((a, b) => (this.nodes[a]!.depth <= this.nodes[b]!.depth ? a : b));
    return this.lassoFrom(property, c, entry, this.pathTo(entry), detail, skip);
  }

  /**
   * `prefix` to `entry`, then a cycle inside `c` back to `entry` that is fair by itself: for
   * every thread it takes one of the thread's edges inside `c`, or visits a state where the
   * thread cannot move; and it takes every strongly fair step class enabled in `c`.
   */
  private lassoFrom(property: string, c: readonly number[], entry: number, prefix: number[], detail: string, skip: number | null): Violation {
    const set = new Set(c);
    const cycle: number[] = [];
    let at = entry;
    const walk = (done: (from: number, e: Edge | null) => boolean) => {
      // BFS inside c from `at` to the first edge (or state) that satisfies `done`.
      const prev = new Map<number, { from: number; e: Edge } | null>([[at, null]]);
      const queue = [at];
      for (let k = 0; k < queue.length; k++) {
        const v = queue[k]!;
        if (done(v, null)) return finish(v, prev, null);
        for (const e of this.nodes[v]!.edges) {
          if (e.tid === skip || !set.has(e.to)) continue;
          if (done(v, e)) return finish(v, prev, e);
          if (!prev.has(e.to)) {
            prev.set(e.to, { from: v, e });
            queue.push(e.to);
          }
        }
      }
    };
    const finish = (v: number, prev: Map<number, { from: number; e: Edge } | null>, last: Edge | null) => {
      const moves: number[] = [];
      for (let x = v; prev.get(x) !== null; x = prev.get(x)!.from) moves.push(prev.get(x)!.e.move);
      cycle.push(...moves.reverse());
      at = v;
      if (last !== null) {
        cycle.push(last.move);
        at = last.to;
      }
    };
    for (const t of this.program.threads) {
      const steps = t.tid !== skip && c.some((i) => this.nodes[i]!.edges.some((e) => e.tid === t.tid && set.has(e.to)));
      if (steps) walk((_, e) => e !== null && e.tid === t.tid);
      else if (c.some((i) => !this.nodes[i]!.enabled.has(t.tid))) walk((v, e) => e === null && !this.nodes[v]!.enabled.has(t.tid));
    }
    const classes = new Set<string>();
    for (const i of c) for (const k of this.nodes[i]!.steps) classes.add(k);
    for (const k of classes) walk((_, e) => e !== null && e.strong === k);
    if (cycle.length === 0 || at !== entry) walk((v, e) => e === null && v === entry && cycle.length > 0);
    return { property, kind: 'liveness', detail, schedule: [...prefix, ...cycle], loop: prefix.length };
  }
}

/** A state's key in the graph: its 64-bit fingerprint (collisions as in the stateful engine's store, README "Engines"). */
function keyOf(shared: Hash2, threads: readonly Hash2[]): string {
  const h = combine(shared, threads);
  return `${h.a}:${h.b}`;
}

function isAbsentFrames(state: State, tid: number): boolean {
  const f = state.threads[tid]!;
  return f.length === 1 && f[0]!.proc === '$absent';
}

