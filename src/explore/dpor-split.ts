import { clearCoverage, coverageData, takeCoverage, type CoverageData } from '../check/coverage.ts';
import type { Footprint } from '../model/footprint.ts';
import type { Loc, LocTable } from '../model/location.ts';
import { altOf, tidOf } from '../model/move.ts';
import type { Program } from '../model/program.ts';
import { NewThreads, type Stepped } from '../model/step.ts';
import type { EventInfo } from './dependence.ts';
import { Abort, DporSearch, dpor, type SearchNode } from './dpor.ts';
import type { EventTable } from './event-table.ts';
import type { Pacer } from './pace.ts';
import { untilThreadsKnown } from './spawns.ts';
import type { Cut, ExploreOptions, ExploreResult } from './types.ts';
import { sleepCovers, WuNode, type Sequence } from './wakeup-tree.ts';

/**
 * Optimal DPOR on several threads, with exactly the one-thread result (issue 11).
 *
 * Optimal DPOR's subtrees are not independent: the branches of a node's wakeup tree are
 * explored left to right, and a later branch starts with what races in the earlier ones
 * inserted (into its subtree, or as branches of their own). A later branch explored alone, with
 * its earlier siblings in its sleep set, can miss traces: with threads Q (reads y), A (writes x)
 * and B (reads x, then writes y), the branch A at the root with Q asleep never schedules B's read
 * before A's write, since the reversal [B.rx] is covered by the sleeping Q; the sequential search
 * reaches that trace only because Q's subtree inserted it.
 *
 * So the threads speculate and commit in order. The first thread runs the sequential search. A
 * thread that is idle is given a pending branch b of a node N on the giver's stack (the nearest
 * the root: the most work, met last): the schedule to N, the sleep sets on the way and b's
 * wakeup subtree as they are now. It replays the schedule and explores b as the sequential
 * search would, except that what it would insert at N or above (JACM'17 Algorithm 2, line 6) is
 * recorded, not inserted. When the giver reaches b it takes the result in instead of exploring
 * b: the counts, and the recorded insertions, in their order, into its own wakeup trees. A
 * thread exploring a branch gives pending branches below it in turn, the same way (UnitSearch
 * is a GivingSearch); what their takers record above its root passes through its own record.
 *
 * That is exactly the sequential search, because what b's exploration depends on does not
 * change between the gift and the commit, unless the first thread notices:
 * - the sleep sets on the way: nodes above N keep theirs while the first thread is below them,
 *   and N's, when b is taken, is N's now plus the siblings before b (new branches are only
 *   added after the existing ones: insertSequence);
 * - b's wakeup subtree: an insertion at N can go down b and grow it. insertSequence says which
 *   branch grew; such a branch is taken back from its helper and explored by the first thread;
 * - insertions at N never go into the branch being explored there (they reverse a race of its
 *   first event), and a helper's own insertions below b never leave b's subtree.
 * A helper that meets a violation, a model error, a new thread (t.spawn) or a grown observed set
 * gives the branch back: the giver explores it and meets the same thing itself. Counts,
 * violations, counterexamples, coverage and witnesses are therefore those of one thread.
 * test/explore/dpor-split.test.ts checks that on random programs, helpers interleaved on one
 * thread (InlineCrew), against the one-thread search.
 */

// ---------------------------------------------------------------------------------------------
// What crosses threads: events with their footprints as paths (each thread interns its own).

export interface WireEvent {
  readonly tid: number;
  readonly alt: number;
  readonly branching: boolean;
  readonly obs: boolean;
  readonly reads: readonly (readonly string[])[];
  readonly navs: readonly (readonly string[])[];
  readonly writes: readonly (readonly string[])[];
}

/** A branch of a wakeup tree with its subtree: its first event (an index into Unit.events) and its children. */
export interface WireBranch {
  readonly event: number;
  readonly kids: readonly WireBranch[];
}

/** A branch given to a helper. */
export interface Unit {
  /** Set by the crew that takes it (Crew.give): unique among the threads of the search. */
  id: number;
  /** The schedule (moves) from the initial state to the node N the branch is of. */
  readonly schedule: readonly number[];
  /** Every event the unit names. */
  readonly events: readonly WireEvent[];
  /** The sleep set of every node from the root to N (indices into events); N's is the one the branch is taken with. */
  readonly sleeps: readonly (readonly number[])[];
  readonly branch: WireBranch;
  /** The locations invariants and witnesses read (DporSearch's observed set). */
  readonly observed: readonly (readonly string[])[];
  /** Threads started by t.spawn that the first thread's program knows, in thread id order. */
  readonly spawned: readonly { readonly name: string; readonly parent: number; readonly core: number }[];
}

/** What a helper found below its branch. */
export interface UnitResult {
  readonly id: number;
  /**
   * `done`: taken in by the first thread. `redo`: the first thread explores the branch itself (a
   * violation, a model error, a new thread or a grown observed set was met; or it was cancelled).
   */
  readonly kind: 'done' | 'redo';
  readonly why?: string;
  readonly executions: number;
  readonly deadlocks: number;
  readonly assumeBlocked: number;
  readonly assumeRefused: number;
  readonly sleepBlocked: number;
  readonly steps: number;
  readonly maxDepth: number;
  readonly cut: readonly Cut[];
  readonly witnesses: readonly string[];
  readonly terminals: readonly string[] | null;
  readonly deadlockStates: readonly string[] | null;
  readonly coverage: CoverageData | null;
  /** Events of the recorded insertions. */
  readonly events: readonly WireEvent[];
  /**
   * The recorded insertions, in order, flat: per insertion its node's depth, v's base, v's length
   * n, then n event indices, then n clock rows of `threads` entries (wakeup-tree.ts Sequence).
   */
  readonly insertions: Int32Array;
  readonly threads: number;
}

/** Turns interned events into wire events (once each) and back, per search. */
class EventCodec {
  readonly out: WireEvent[] = [];
  private readonly index = new Map<EventInfo, number>();

  encode(e: EventInfo): number {
    let i = this.index.get(e);
    if (i === undefined) {
      i = this.out.length;
      this.out.push({ tid: e.tid, alt: e.alt ?? 0, branching: e.branching ?? false, obs: e.obs, reads: e.fp.reads.map(pathOf), navs: e.fp.navs.map(pathOf), writes: e.fp.writes.map(pathOf) });
      this.index.set(e, i);
    }
    return i;
  }
}

function pathOf(l: Loc): string[] {
  return l.segments;
}

function locOf(locs: LocTable, segs: readonly string[]): Loc {
  let l = locs.root;
  for (const k of segs) l = locs.child(l, k);
  return l;
}

function decodeEvents(locs: LocTable, table: EventTable, ws: readonly WireEvent[]): EventInfo[] {
  return ws.map((w) => {
    const fp: Footprint = { reads: w.reads.map((p) => locOf(locs, p)), navs: w.navs.map((p) => locOf(locs, p)), writes: w.writes.map((p) => locOf(locs, p)) };
    return table.intern(w.tid, fp, w.obs, w.alt, w.branching);
  });
}

function encodeBranch(b: WuNode, codec: EventCodec): WireBranch {
  const kids: WireBranch[] = [];
  for (let c = b.first; c !== null; c = c.next) kids.push(encodeBranch(c, codec));
  return { event: codec.encode(b.info!), kids };
}

function decodeBranch(w: WireBranch, events: readonly EventInfo[]): WuNode {
  const n = new WuNode(events[w.event]!);
  for (const k of w.kids) n.append(decodeBranch(k, events));
  return n;
}

/** A growable Int32Array. */
class IntLog {
  data = new Int32Array(1024);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Int32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }

  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

// ---------------------------------------------------------------------------------------------
// The first thread.

/** The helpers of one split DPOR search, as the first thread sees them. */
export interface Crew {
  /** How many helpers can take a unit now. */
  idle(): number;
  /** Gives a unit to an idle thread, numbering it (Unit.id): its id, or 0 when none took it (another giver was quicker). */
  give(unit: Unit): number;
  /** The result of unit `id`, waiting for it (calling `waiting` now and then); null if it will never come. */
  result(id: number, waiting: () => void): UnitResult | null;
  /** Unit `id` will not be taken in: its helper may stop. */
  cancel(id: number): void;
  /** Threads that took part so far (the first one included). */
  readonly threads: number;
  /** Progress: executions and events a thread explored in a unit it has not handed back yet (negative when it does). */
  explored?(executions: number, events: number): void;
  /** Progress: what the other threads explored in units not handed back yet. */
  inFlight?(): { executions: number; events: number; threads: number };
}

/** Units given away and not yet reached, by branch. */
interface Gift {
  readonly id: number;
  /** An insertion grew the branch since it was given: its result is not the sequential one. */
  grown: boolean;
}

/**
 * The sequential search, which gives pending branches to idle threads after each maximal
 * execution and takes in their results when it reaches those branches: the first thread's, and
 * (as UnitSearch) every helper's.
 */
class GivingSearch extends DporSearch {
  private readonly given = new Map<WuNode, Gift>();
  /** How the work was shared (SMPCHECK_SPLIT_DEBUG). */
  readonly tally = { given: 0, committed: 0, grown: 0, redone: 0, waitedMs: 0, executionsTakenIn: 0 };

  constructor(
    program: Program,
    opts: ExploreOptions,
    observed: readonly Loc[],
    pace: Pacer,
    /** Asked after each maximal execution (it may start helpers then); null while there are none. */
    private readonly crew: () => Crew | null,
  ) {
    super(program, opts, observed, pace);
  }

  /** The crew branches were given to (set by the first gift; a crew lasts the whole search). */
  private givenTo: Crew | null = null;

  get crewUsed(): Crew | null {
    return this.givenTo;
  }

  protected override others(): { executions: number; events: number; threads: number } | null {
    return this.givenTo?.inFlight?.() ?? null;
  }

  protected override committed(node: SearchNode, branch: WuNode): boolean {
    if (this.given.size === 0) return false;
    const gift = this.given.get(branch);
    if (gift === undefined) return false;
    this.given.delete(branch);
    const crew = this.givenTo!;
    if (gift.grown) {
      crew.cancel(gift.id);
      this.tally.grown++;
      return false;
    }
    const t0 = performance.now();
    const r = crew.result(gift.id, () => this.checkBounds(node.depth));
    this.tally.waitedMs += performance.now() - t0;
    if (r === null || r.kind !== 'done') {
      this.tally.redone++;
      if (process.env.SMPCHECK_SPLIT_DEBUG) console.error(`dpor split: unit ${gift.id} given back (${r?.why ?? 'no result'})`);
      return false;
    }
    this.tally.committed++;
    this.tally.executionsTakenIn += r.executions;
    this.takeIn(r);
    return true;
  }

  protected override insert(at: number, v: Sequence): WuNode | null {
    const grown = super.insert(at, v);
    if (grown !== null && this.given.size > 0) {
      const gift = this.given.get(grown);
      if (gift !== undefined && !gift.grown) {
        gift.grown = true;
        this.givenTo!.cancel(gift.id);
      }
    }
    return grown;
  }

  /** The crew as it is now (null while there is none). */
  protected crewNow(): Crew | null {
    return this.givenTo ?? this.crew();
  }

  protected override poll(): void {
    const crew = this.crew();
    if (crew === null) return;
    for (let n = crew.idle(); n > 0; n--) {
      const next = this.nextBranch();
      if (next === null) return;
      const id = crew.give(this.unitOf(next.k, next.branch));
      if (id === 0) return;
      this.givenTo = crew;
      this.given.set(next.branch, { id, grown: false });
      this.tally.given++;
    }
  }

  /** The pending branch nearest the root not given yet, and the depth of its node; null when there is none. */
  private nextBranch(): { k: number; branch: WuNode } | null {
    // Only from the top half of the tree (as deep as the deepest execution so far): a branch
    // costs its taker a replay of the schedule to its node and both threads a message, and the
    // subtrees near the leaves are small (lastzero(14): 1 to 8 executions below depth 18 of 43).
    const until = Math.min(this.nodes.length, Math.ceil(this.maxDepth / 2));
    for (let k = 0; k < until; k++) {
      const current = this.nodes[k]!.wut.first;
      if (current === null) continue;
      for (let b = current.next; b !== null; b = b.next) if (!this.given.has(b)) return { k, branch: b };
    }
    return null;
  }

  /** A unit of `branch` of the node at depth k (its id is the crew's to set). */
  private unitOf(k: number, branch: WuNode): Unit {
    const codec = new EventCodec();
    const sleeps: number[][] = [];
    for (let i = 0; i <= k; i++) sleeps.push(this.nodes[i]!.sleep.map((e) => codec.encode(e)));
    // When the branch is taken, its node's sleep set also holds the siblings explored before it.
    for (let b = this.nodes[k]!.wut.first; b !== branch; b = b!.next) sleeps[k]!.push(codec.encode(b!.info!));
    return {
      id: 0,
      schedule: this.schedule().slice(0, k),
      sleeps,
      branch: encodeBranch(branch, codec),
      events: codec.out,
      observed: this.dep.observed.map(pathOf),
      spawned: this.program.threads.filter((t) => t.parent !== null).map((t) => ({ name: t.name, parent: t.parent!, core: t.core })),
    };
  }

  /** A helper's result, as if the branch had been explored here. */
  private takeIn(r: UnitResult): void {
    this.executions += r.executions;
    this.deadlocks += r.deadlocks;
    this.assumeBlocked += r.assumeBlocked;
    this.assumeRefused += r.assumeRefused;
    this.sleepBlocked += r.sleepBlocked;
    this.events += r.steps;
    // The helper's depths count from the root too (its prefix is this search's).
    if (r.maxDepth > this.maxDepth) this.maxDepth = r.maxDepth;
    this.found.takeIn(r);
    const p = this.program;
    if (r.coverage !== null) takeCoverage(p, r.coverage);
    // The insertions, in the order the helper made them, as the sequential search makes them.
    const events = decodeEvents(p.locs, this.table, r.events);
    const d = r.insertions;
    const nt = r.threads;
    for (let i = 0; i < d.length; ) {
      const at = d[i++]!;
      const base = d[i++]!;
      const len = d[i++]!;
      const ev: EventInfo[] = [];
      for (let k = 0; k < len; k++) ev.push(events[d[i++]!]!);
      const vc = d.slice(i, i + len * nt);
      i += len * nt;
      const offsets = new Int32Array(len);
      for (let k = 0; k < len; k++) offsets[k] = k * nt;
      this.insert(at, { len, events: ev, offsets, vc, base, threads: nt });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// A helper's search: one branch, below a replayed prefix.

/**
 * Explores one given branch (a Unit) the way the giver's search would: the schedule to the
 * branch's node is replayed (its events, clocks, races and the threads found blocked on the way
 * are what the giver has), the sleep sets on the way are the giver's, and what it would insert
 * at the branch's node or above is recorded instead (sleep-covered ones are left out here: those
 * sleep sets are the giver's at commit time too). It gives pending branches of its own subtree
 * to idle threads in turn, as the first thread does: their insertions above its root pass
 * through its own record to its giver.
 */
class UnitSearch extends GivingSearch {
  private readonly codec = new EventCodec();
  private readonly log = new IntLog();
  private readonly root: number;

  constructor(
    program: Program,
    opts: ExploreOptions,
    observed: readonly Loc[],
    pace: Pacer,
    private readonly unit: Unit,
    private readonly cancelled: () => boolean,
    crew: () => Crew | null,
  ) {
    super(program, opts, observed, pace, crew);
    this.root = unit.schedule.length;
  }

  protected override search(): void {
    const u = this.unit;
    const events = decodeEvents(this.program.locs, this.table, u.events);
    const sleepAt = (k: number) => u.sleeps[k]!.map((i) => events[i]!);
    let node: SearchNode = { depth: 0, state: this.program.initial, status: new Array(this.nthreads).fill(null), sleep: sleepAt(0), wut: new WuNode(null), attempts: null };
    for (let k = 0; k < this.root; k++) {
      this.nodes.push(node);
      this.evaluate(node);
      const move = u.schedule[k]!;
      const tid = tidOf(move);
      const ev = this.take(node, tid, altOf(move));
      const child: SearchNode = {
        depth: k + 1,
        state: (node.status[tid]!.outcome as Stepped).state,
        status: this.inheritStatus(node, ev),
        sleep: sleepAt(k + 1),
        wut: new WuNode(null),
        attempts: null,
      };
      this.pushEvent(ev);
      node = child;
    }
    this.nodes.push(node);
    this.evaluate(node);
    // The first thread counted all of that when it went there.
    this.executions = this.deadlocks = this.assumeBlocked = this.assumeRefused = this.sleepBlocked = this.events = this.maxDepth = 0;
    this.exploreBranch(node, decodeBranch(u.branch, events));
    this.nodes.pop();
  }

  protected override insert(at: number, v: Sequence): WuNode | null {
    if (at > this.root) return super.insert(at, v);
    if (sleepCovers(this.nodes[at]!.sleep, v, this.table)) return null;
    const log = this.log;
    log.push(at);
    log.push(v.base);
    log.push(v.len);
    for (let k = 0; k < v.len; k++) log.push(this.codec.encode(v.events[k]!));
    for (let k = 0; k < v.len; k++) for (let t = 0; t < v.threads; t++) log.push(v.vc[v.offsets[k]! + t]!);
    return null;
  }

  protected override checkBounds(depth: number): void {
    if (this.cancelled()) throw new Abort();
    super.checkBounds(depth);
  }

  /** Executions and events told to the crew so far (progress lines; retracted when the unit is handed back). */
  private told = { executions: 0, events: 0 };

  protected override poll(): void {
    super.poll();
    const crew = this.crewNow();
    if (crew?.explored === undefined) return;
    crew.explored(this.executions - this.told.executions, this.events - this.told.events);
    this.told = { executions: this.executions, events: this.events };
  }

  /** The branch explored: what the first thread takes in, or why it must explore it itself. */
  outcome(): UnitResult {
    let r: ExploreResult;
    try {
      r = this.run();
    } finally {
      this.crewNow()?.explored?.(-this.told.executions, -this.told.events);
    }
    const p = this.program;
    const why = this.cancelled() ? 'cancelled'
      : r.error !== undefined ? `error: ${r.error.error.message}`
        : this.grownObserved !== null ? 'observed set grew'
          : r.violations.length > 0 ? `violation: ${r.violations[0]!.property}`
            : r.cut.some((c) => c !== 'depth') ? `cut: ${r.cut.join(', ')}` : null;
    const s = r.stats;
    return {
      id: this.unit.id,
      kind: why === null ? 'done' : 'redo',
      ...(why !== null ? { why } : {}),
      executions: s.executions,
      deadlocks: s.deadlocks,
      assumeBlocked: s.assumeBlocked ?? 0,
      assumeRefused: s.assumeRefused ?? 0,
      sleepBlocked: s.sleepBlocked,
      steps: s.events,
      maxDepth: s.maxDepth,
      cut: r.cut,
      witnesses: r.witnessesReached,
      terminals: r.terminals ? [...r.terminals] : null,
      deadlockStates: r.deadlockStates ? [...r.deadlockStates] : null,
      coverage: coverageData(p),
      events: this.codec.out,
      insertions: this.log.done(),
      threads: this.nthreads,
    };
  }
}

/**
 * Runs a unit on `program` (a helper's own, built from the same spec): registers the spawned
 * threads the first thread knows, clears the coverage the program holds (so the result carries
 * this unit's), explores. The program must fit the unit (UnitRunner sees to it).
 */
function runUnit(program: Program, opts: ExploreOptions, pace: Pacer, unit: Unit, cancelled: () => boolean, crew: () => Crew | null): UnitResult {
  for (let i = program.threads.filter((t) => t.parent !== null).length; i < unit.spawned.length; i++) {
    const t = unit.spawned[i]!;
    program.spawnedThread(t.name, t.parent, t.core);
  }
  clearCoverage(program);
  const observed = unit.observed.map((p) => locOf(program.locs, p));
  try {
    return new UnitSearch(program, opts, observed, pace, unit, cancelled, crew).outcome();
  } catch (e) {
    // NewThreads, or anything else run() does not turn into a result: the first thread meets it itself.
    return redo(unit.id, e instanceof NewThreads ? 'new thread' : `threw: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Whether `program` can run `unit`: it knows no thread the first thread does not (a program that
 * knows more has states with other slots).
 */
function fits(program: Program, unit: Unit): boolean {
  const spawned = program.threads.filter((t) => t.parent !== null);
  if (spawned.length > unit.spawned.length) return false;
  return spawned.every((t, i) => t.name === unit.spawned[i]!.name);
}

/**
 * Runs the units a thread takes, each on a program of the spec: one per nesting level (a unit
 * taken while this thread waits inside another runs on the next), made anew when the one held
 * does not fit the unit or met a thread the unit's giver does not know.
 */
export class UnitRunner {
  private readonly programs: Program[] = [];
  private level = 0;

  constructor(private readonly make: () => Program) {}

  /** Whether a unit is being run on this thread now (the next one is nested in it). */
  get busy(): boolean {
    return this.level > 0;
  }

  run(unit: Unit, opts: ExploreOptions, pace: Pacer, cancelled: () => boolean, crew: () => Crew | null): UnitResult {
    const level = this.level++;
    try {
      let program = this.programs[level];
      if (program === undefined || !fits(program, unit)) program = this.programs[level] = this.make();
      const r = runUnit(program, opts, pace, unit, cancelled, crew);
      if (r.kind === 'redo' && r.why === 'new thread') delete this.programs[level];
      return r;
    } catch (e) {
      delete this.programs[level];
      return redo(unit.id, `threw: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.level--;
    }
  }
}

function redo(id: number, why: string): UnitResult {
  return {
    id, kind: 'redo', why, executions: 0, deadlocks: 0, assumeBlocked: 0, assumeRefused: 0, sleepBlocked: 0, steps: 0, maxDepth: 0, cut: [],
    witnesses: [], terminals: null, deadlockStates: null, coverage: null, events: [], insertions: new Int32Array(0), threads: 0,
  };
}

/**
 * exploreDpor with helpers: the same result, sooner. `crew` is asked for the helpers after each
 * maximal execution (it may start them lazily and return null until then).
 */
export function exploreDporSplit(program: Program, opts: ExploreOptions, crew: () => Crew | null): ExploreResult {
  return untilThreadsKnown(program, () => {
    let search: GivingSearch | null = null;
    const r = dpor(program, opts, (p, o, observed, pace) => (search = new GivingSearch(p, o, observed, pace, crew)));
    const last = search as GivingSearch | null;
    // The threads that took part: none but this one unless a branch was given.
    const threads = last?.crewUsed?.threads ?? 1;
    if (process.env.SMPCHECK_SPLIT_DEBUG && last !== null) console.error(`dpor split: ${threads} threads, ${JSON.stringify(last.tally)}, ${r.stats.executions} executions`);
    return threads > 1 ? { ...r, stats: { ...r.stats, threads } } : r;
  });
}

// ---------------------------------------------------------------------------------------------
// Helpers on this thread, for tests.

/**
 * Helpers simulated on the first thread: a unit is explored at once when it is given (on a
 * program of its own, after a JSON round trip of the unit and of the result, as threads would
 * pass them), and gives units of its own subtree in turn (explored at once too, nested); some
 * gifts are refused and some results withheld (seeded), so that every path is exercised: the
 * commit, the fallback, a gift taken back. Gifts made early and grown later are the normal case.
 */
export class InlineCrew implements Crew {
  private seed: number;
  private readonly results = new Map<number, UnitResult>();
  private readonly runner: UnitRunner;
  given = 0;
  committed = 0;
  nested = 0;
  readonly threads = 1;

  constructor(
    makeProgram: () => Program,
    private readonly opts: ExploreOptions,
    private readonly pace: Pacer,
    seed: number,
    private readonly how: { idle: number; withhold: number } = { idle: 2, withhold: 0.1 },
  ) {
    this.seed = seed >>> 0 || 1;
    this.runner = new UnitRunner(makeProgram);
  }

  private rand(n: number): number {
    this.seed ^= this.seed << 13;
    this.seed ^= this.seed >>> 17;
    this.seed ^= this.seed << 5;
    return (this.seed >>> 0) % n;
  }

  idle(): number {
    return this.rand(this.how.idle + 1);
  }

  private nextId = 1;

  give(unit: Unit): number {
    if (this.rand(10) === 0) return 0;
    unit.id = this.nextId++;
    this.given++;
    if (this.runner.busy) this.nested++;
    const u = JSON.parse(JSON.stringify(unit)) as Unit;
    const r = this.runner.run(u, this.opts, this.pace, () => false, () => this);
    const wire = JSON.parse(JSON.stringify({ ...r, insertions: [...r.insertions] })) as UnitResult & { insertions: number[] };
    this.results.set(unit.id, { ...wire, insertions: Int32Array.from(wire.insertions) });
    return unit.id;
  }

  result(id: number): UnitResult | null {
    const r = this.results.get(id) ?? null;
    this.results.delete(id);
    if (r === null || this.rand(1000) < this.how.withhold * 1000) return null;
    if (r.kind === 'done') this.committed++;
    return r;
  }

  cancel(id: number): void {
    this.results.delete(id);
  }
}
