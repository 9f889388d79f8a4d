import { evaluatePredicates } from '../check/evaluate.ts';
import { isPreemption } from '../check/preemption.ts';
import type { Loc } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import { alternatives, moveOf, StepError, type Blocked, type Outcome, type Stepped } from '../model/step.ts';
import { findRace, raceDetail } from './races.ts';
import { profiledStep } from './profile.ts';
import { deadlockDetail, Findings } from './findings.ts';
import { combine, fmix32, hashShared, hashThread, updateShared, type Hash2 } from './fingerprint.ts';
import { stateKey } from './state-key.ts';
import { untilThreadsKnown } from './spawns.ts';
import { stateBudget, type Engine, type ExploreOptions, type ExploreResult, type Violation } from './types.ts';
import { defaultClock, Pacer } from './pace.ts';

/**
 * Preemption-bounded search (`--preemptions K`, `--preemptions auto`), after CHESS's iterative
 * context bounding (Musuvathi & Qadeer, "Iterative context bounding for systematic testing of
 * multithreaded programs", PLDI 2007): every schedule with at most K preemptions, fewest first.
 * A preemption is what src/check/preemption.ts says (and the swimlanes mark with `*`): the next
 * step belongs to another thread while the thread that ran last could have continued.
 *
 * **What is searched.** A node is (state, last thread): whether running thread u costs a
 * preemption depends on the state (is `last` enabled?) and on `last`, never on how the node
 * was reached, so two schedules that reach the same node with p and p' ≤ p preemptions have
 * the same continuations, and the one with p' can afford all of the other's and more. The
 * store keeps, per node, the fewest preemptions it was reached with, and a node is expanded
 * again only when reached with fewer. Nodes are expanded in rounds p = 0, 1, 2, …: round p
 * runs a depth-first search over the nodes reached with exactly p preemptions (a free step
 * stays in the round, a preempting step goes to round p + 1), so each node is expanded once,
 * at its fewest preemptions, and after round p every schedule with ≤ p preemptions has been
 * covered: iterative deepening without re-exploring rounds 0..p−1.
 *
 * **Why that is complete for the bound.** Invariant of the search: for every expanded node
 * (s, l) with p and every step u enabled at s with p + cost ≤ K, the successor (s', u) is
 * stored with at most p + cost. By induction along any schedule with ≤ K preemptions, every
 * node on it is stored (and expanded) with at most the preemptions the schedule used up to
 * there. So every state such a schedule reaches has its invariants and witnesses evaluated,
 * every step it takes runs (its assertions are checked) from a node that can afford it, and
 * every end state (all done, or a deadlock) it ends in is seen. Steps that would exceed K are
 * not taken, and their assertions are not reported: every violation reported has a schedule
 * with ≤ K preemptions (the one the engine found; minimisation then looks for the shortest).
 *
 * **No sleep sets, no DPOR, no symmetry.** Partial-order reduction picks one order of
 * independent steps, and the order it keeps may need more preemptions than one it prunes, so
 * combined with a bound it can lose schedules the bound admits (CHESS had to redesign it for
 * this); renaming threads would rename `last` too. This engine uses neither: it is the
 * bounded version of the plain (state, last thread) search, sound by the argument above.
 *
 * **Verdict.** A step refused by the bound is a cut only if the search without the bound
 * would have seen something new through it: its target node is kept, and at the end, if every
 * refused step failed no assertion and led to a node that was stored anyway (reached within
 * the bound some other way), then the expanded nodes are closed under every step, so they are
 * all the nodes the unbounded search reaches, every step it takes with a failing assertion was
 * taken here too, and the search was the same as without the bound: it can PASS. Otherwise
 * the result carries cut 'preemptions' and is INCOMPLETE: no violation with ≤ K preemptions;
 * K + 1 not explored.
 *
 * With `auto` the rounds go on until the time budget (or every node is expanded: then the
 * search is complete and can PASS). States are fingerprinted as in the stateful engine, with
 * the last thread mixed in and 53 bits kept (the probability of an omission by collision is
 * reported), or stored as full keys with `exactStates`.
 */
export const exploreBounded: Engine = (program, opts) => untilThreadsKnown(program, () => new BoundedSearch(program, opts).run());

interface Node {
  readonly state: State;
  readonly shared: Hash2;
  readonly threads: readonly Hash2[];
  /** The thread that ran the step into this node (null at the initial state), and its move (with a `t.choose` alternative). */
  readonly last: number | null;
  readonly move: number | null;
  /** Preemptions used on the way here. */
  readonly p: number;
  readonly parent: Node | null;
  readonly depth: number;
  readonly key: NodeKey;
}

/** A 53-bit fingerprint of (state, last thread), or the full key with `exactStates`. */
type NodeKey = number | string;

/** Refused nodes kept for the end-of-search check; past this many the bound counts as cutting. */
const MAX_REFUSED = 1_000_000;

class BoundedSearch {
  private readonly found: Findings;
  private readonly pace: Pacer;
  private readonly bound: number;
  /** Fewest preemptions each (state, last thread) node was reached with. */
  private readonly store = new Map<NodeKey, number>();
  /** Nodes the bound refused that were not stored when refused (overflow: too many, or a refused step failed an assertion). */
  private readonly refused = new Set<NodeKey>();
  private refusedOverflow = false;
  /** rounds[p]: nodes reached with p preemptions, waiting to be expanded. */
  private readonly rounds: Node[][] = [];
  private readonly maxStates: number;
  private events = 0;
  private revisits = 0;
  private terminals = 0;
  private deadlocks = 0;
  private assumeBlocked = 0;
  private maxDepth = 0;
  private stopped = false;
  /** The node being expanded, for the schedule of an error. */
  private current: Node | null = null;

  constructor(
    private readonly program: Program,
    private readonly opts: ExploreOptions,
  ) {
    this.pace = new Pacer(opts.clock ?? defaultClock, opts.bounds.timeMs);
    this.found = new Findings(opts);
    const k = opts.preemptions ?? 'auto';
    this.bound = k === 'auto' ? Infinity : k;
    this.maxStates = stateBudget(opts.bounds, opts.exactStates ? 2_000_000 : 50_000_000);
  }

  /** The one place this engine runs a step (a move: thread and `t.choose` alternative). */
  private execute(state: State, move: number): Outcome {
    return profiledStep(this.program, state, move, this.opts.profile);
  }

  private report(v: Violation): void {
    if (this.found.report(v)) this.stopped = true;
  }

  private schedule(node: Node, tail?: number): number[] {
    const out: number[] = tail === undefined ? [] : [tail];
    for (let n: Node | null = node; n !== null && n.move !== null; n = n.parent) out.push(n.move);
    return out.reverse();
  }

  private keyOf(state: State, fp: Hash2, last: number | null): NodeKey {
    if (this.opts.exactStates) return `${stateKey(state)}#${last ?? ''}`;
    // The state's 64-bit fingerprint with the last thread mixed in, cut to 53 bits: a number
    // is a much cheaper Map key than a string.
    const b = fmix32((fp.b ^ Math.imul((last ?? -1) + 2, 0x9e3779b1)) >>> 0);
    return fp.a * 2097152 + (b >>> 11);
  }

  private child(node: Node, e: Stepped, p: number): Node {
    const prog = this.program;
    const shared = updateShared(prog.locs, node.shared, node.state.shared, e.state.shared, e.rec.writes);
    const threads = node.threads.slice();
    threads[e.tid] = hashThread(e.state.threads[e.tid]!);
    for (const t of e.spawned ?? []) threads[t] = hashThread(e.state.threads[t]!); // t.spawn started them
    const fp = combine(shared, threads);
    return { state: e.state, shared, threads, last: e.tid, move: moveOf(e.tid, e.alt), p, parent: node, depth: node.depth + 1, key: this.keyOf(e.state, fp, e.tid) };
  }

  /** Time, memory and progress on every expansion (see Pacer). */
  private outOfBudget(depth: number): boolean {
    const due = this.pace.budget(this.opts.bounds.maxMemoryMB, 4096);
    if (due === 'time' || due === 'memory') {
      this.found.cut.add(due);
      return true;
    }
    if (due === 'beat') {
      this.opts.onProgress?.({ executions: this.terminals + this.deadlocks, events: this.events, depth, elapsedMs: this.pace.elapsed(), states: this.store.size, phase: 'search' });
    }
    return false;
  }

  /** Checks a node's state, runs every thread, and files its successors into their rounds. */
  private expand(node: Node): void {
    const prog = this.program;
    this.current = node;
    const reads: Loc[] = [];
    for (const name of evaluatePredicates(prog, node.state.shared, prog.invariants, 'invariant', reads)) {
      this.report({ property: name, kind: 'invariant', schedule: this.schedule(node) });
    }
    for (const name of evaluatePredicates(prog, node.state.shared, prog.witnesses, 'witness', reads)) this.found.witnesses.add(name);
    if (this.stopped) return;
    // Every alternative of every thread's step (t.choose): each is a transition of its thread.
    const enabled: Stepped[] = [];
    const held: Blocked[] = [];
    const canRun: boolean[] = [];
    for (let tid = 0; tid < prog.threads.length; tid++) {
      const a = alternatives(prog, node.state, tid, (m) => this.execute(node.state, m));
      for (const o of a.steps) enabled.push(o);
      if (a.held !== null) held.push(a.held);
      canRun[tid] = a.steps.length > 0;
    }
    this.events += enabled.length;
    if (this.opts.races) {
      const race = findRace(prog, enabled.map((o) => ({ tid: o.tid, fp: o.rec, step: `${o.proc}.${o.label}` })));
      if (race !== null) this.report({ property: 'data-race', kind: 'race', detail: raceDetail(prog, race), schedule: this.schedule(node) });
      if (this.stopped) return;
    }
    if (enabled.length === 0) {
      if (held.length === 0) {
        this.terminals++;
        for (const name of evaluatePredicates(prog, node.state.shared, prog.finals, 'final')) {
          this.report({ property: name, kind: 'final', schedule: this.schedule(node) });
        }
        this.found.terminals?.add((this.opts.terminalKey ?? stateKey)(node.state));
      } else if (held.some((o) => o.assumed)) {
        this.assumeBlocked++; // discarded: a false t.assume restricts the environment (step.ts)
      } else {
        this.deadlocks++;
        this.found.deadlockStates?.add((this.opts.terminalKey ?? stateKey)(node.state));
        if (this.opts.deadlockIsViolation) {
          const stuck = held.map((o) => prog.threadName(o.tid));
          this.report({ property: 'deadlock', kind: 'deadlock', detail: deadlockDetail(stuck), schedule: this.schedule(node) });
        }
      }
      return;
    }
    const lastEnabled = node.last !== null && canRun[node.last] === true;
    // Children in reverse, so that the depth-first search of a round takes the lowest thread first.
    for (let i = enabled.length - 1; i >= 0 && !this.stopped; i--) {
      const e = enabled[i]!;
      const p = node.p + (isPreemption(node.last, e.tid, lastEnabled) ? 1 : 0);
      const c = this.child(node, e, p);
      if (p > this.bound) {
        // Not taken, and its assertions not reported: that schedule has K + 1 preemptions. A
        // refused step that fails an assertion is a cut whatever else is stored: the search
        // without the bound would have reported it here.
        if (e.failures !== null && e.failures.length > 0) this.refusedOverflow = true;
        else if (!this.store.has(c.key)) {
          if (this.refused.size < MAX_REFUSED) this.refused.add(c.key);
          else this.refusedOverflow = true;
        }
        continue;
      }
      for (const f of e.failures ?? []) {
        this.report({ property: f.property, kind: 'assertion', detail: f.detail, schedule: this.schedule(node, moveOf(e.tid, e.alt)) });
      }
      if (c.depth > this.opts.bounds.maxDepth) {
        this.found.cut.add('depth');
        continue;
      }
      const old = this.store.get(c.key);
      if (old !== undefined && old <= p) {
        this.revisits++;
        continue;
      }
      if (old === undefined && this.store.size >= this.maxStates) {
        this.found.cut.add('states');
        this.stopped = true;
        return;
      }
      this.store.set(c.key, p);
      if (c.depth > this.maxDepth) this.maxDepth = c.depth;
      (this.rounds[p] ??= []).push(c);
    }
  }

  run(): ExploreResult {
    const prog = this.program;
    const t0 = performance.now();
    let error: ExploreResult['error'];
    let complete: number | null = null;
    try {
      const init = prog.initial;
      const shared = hashShared(prog.locs, init.shared);
      const threads = init.threads.map((f) => hashThread(f));
      const root: Node = { state: init, shared, threads, last: null, move: null, p: 0, parent: null, depth: 0, key: this.keyOf(init, combine(shared, threads), null) };
      this.store.set(root.key, 0);
      this.rounds[0] = [root];
      let out = false;
      for (let p = 0; p <= this.bound && !this.stopped && !out; p++) {
        // The nodes a preemption led to, in the order they were found (earliest preemption
        // points first); from each, a depth-first search of the steps that cost nothing.
        const seeds = this.rounds[p] ?? [];
        const stack: Node[] = [];
        this.rounds[p] = stack;
        let next = 0;
        while ((stack.length > 0 || next < seeds.length) && !this.stopped) {
          const node = stack.pop() ?? seeds[next++]!;
          if (this.store.get(node.key)! < node.p) continue; // reached again with fewer preemptions, expanded there
          if (this.outOfBudget(node.depth)) {
            out = true;
            break;
          }
          this.expand(node);
        }
        this.rounds[p] = [];
        if (this.stopped || out) break;
        complete = p;
        if (this.rounds.every((r) => r === undefined || r.length === 0)) {
          // Nothing left to expand: every schedule within the bound is covered, not only ≤ p.
          if (this.bound !== Infinity) complete = this.bound;
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof StepError) && !(e instanceof Error)) throw e;
      const at = this.current;
      const schedule = at === null ? [] : e instanceof StepError ? this.schedule(at, e.move ?? e.tid) : this.schedule(at);
      error = { error: e, schedule };
    }
    // The bound cut the search iff it refused a node that nothing else reached within it.
    // (Round K ends with no round beyond it: a node over the bound is refused, never queued.)
    if (this.refusedOverflow || [...this.refused].some((k) => !this.store.has(k))) this.found.cut.add('preemptions');
    if (this.opts.profile) this.opts.profile.totalMs += performance.now() - t0;
    const result = this.found.result('bounded', {
      executions: this.terminals,
      traces: null,
      deadlocks: this.deadlocks,
      sleepBlocked: 0,
      events: this.events,
      states: this.store.size,
      maxDepth: this.maxDepth,
      revisits: this.revisits,
      collisionProbability: this.opts.exactStates ? 0 : Math.min(1, (this.store.size * (this.store.size - 1)) / 2 / 2 ** 53),
      ...(this.assumeBlocked > 0 ? { assumeBlocked: this.assumeBlocked } : {}),
    }, error);
    return { ...result, preemptions: { bound: this.bound === Infinity ? null : this.bound, complete } };
  }
}
