import type { Program, State } from '../model/program.ts';
import { alternatives, executeStep, moveOf, type Stepped } from '../model/step.ts';
import { stateKey } from '../explore/state-key.ts';
import { deadlockDetail } from '../explore/findings.ts';
import type { Clock, Progress, Violation } from '../explore/types.ts';
import { defaultClock, Pacer } from '../explore/pace.ts';
import { positiveInteger } from './bound-values.ts';
import { isPreemption, preemptsAt } from './preemption.ts';
import { stuckThreads } from './replay.ts';
import { violates } from './violates.ts';
import { raceAt, raceDetail } from '../explore/races.ts';
import { combine, hashShared, hashThread, updateShared, type Hash2 } from '../explore/fingerprint.ts';
import { StepCache } from '../explore/step-cache.ts';

export interface MinimizeOptions {
  /** Most (state, last thread) nodes to visit before giving up (`SMPCHECK_MINIMIZE_STATES`). */
  maxNodes?: number;
  /**
   * When to give up, on `clock` (checkSpec passes what the spec's time budget left): the trace
   * is then shown as found, with a note.
   */
  deadline?: number;
  clock?: Clock;
  /** Live figures (phase `minimize`) at least every PROGRESS_MS. */
  onProgress?: (p: Progress) => void;
  /** Tell visited states apart by full canonical keys, not 64-bit fingerprints (`--exact-states`). */
  exactStates?: boolean;
}

/** What minimisation did to a counterexample, for reports. */
export interface Minimization {
  /** `minimal`: shortest, then fewest preemptions; `as-found`: the engine's trace, see `note`. */
  readonly status: 'minimal' | 'as-found';
  readonly originalLength: number;
  readonly originalPreemptions: number;
  readonly length: number;
  readonly preemptions: number;
  /** Nodes (state, last thread) the search visited. */
  readonly nodes: number;
  /** Why the trace as found is shown, when it is. */
  readonly note?: string;
}

export interface Minimized {
  readonly violation: Violation;
  readonly minimization: Minimization;
}

export const DEFAULT_MINIMIZE_NODES = 200_000;

interface Node {
  readonly state: State;
  /** Its fingerprint's parts (explore/fingerprint.ts), kept up incrementally; unused with exact keys. */
  readonly shared: Hash2;
  readonly threads: readonly Hash2[];
  /** The thread that ran last, and the move it made (thread and alternative, step.ts moveOf). */
  readonly last: number | null;
  readonly move: number | null;
  readonly parent: Node | null;
  readonly preemptions: number;
  /** Position of this node's path in lexicographic order among the paths of its level. */
  readonly rank: number;
}

interface Goal {
  readonly parent: Node;
  readonly move: number | null;
  readonly preemptions: number;
  readonly rank: number;
  readonly step: Stepped | null;
}

const ZERO: Hash2 = Object.freeze({ a: 0, b: 0 });

function schedule(node: Node, tail: number | null): number[] {
  const out: number[] = tail === null ? [] : [tail];
  for (let n: Node | null = node; n !== null && n.move !== null; n = n.parent) out.push(n.move);
  return out.reverse();
}

/** Preemptions along a schedule from the initial state (the schedule must apply). */
export function countPreemptions(program: Program, sched: readonly number[]): number {
  let state = program.initial;
  let prev: number | null = null;
  let count = 0;
  for (const move of sched) {
    if (preemptsAt(program, state, prev, move)) count++;
    const o = executeStep(program, state, move);
    if (o.kind !== 'step') break;
    state = o.state;
    prev = move;
  }
  return count;
}

/**
 * The shortest schedule that violates the same property in the same way, and among those the
 * one with the fewest preemptions, ties broken by the lexicographically smallest schedule of
 * thread ids. A breadth-first search from the initial state over (state, last thread): every
 * path to a node at its first level is as short as can be, and keeping per node the path with
 * the fewest preemptions, then the smallest in lexicographic order, is enough, because both
 * criteria only add up along a path. The result depends on the model alone, never on which
 * engine found the violation or in what order. The search stops at the original length (it
 * cannot do worse) and after `maxNodes` nodes, when the original trace is kept and said so.
 */
export function minimizeViolation(program: Program, v: Violation, opts: MinimizeOptions = {}): Minimized {
  const maxNodes = opts.maxNodes ?? minimizeNodesFromEnv() ?? DEFAULT_MINIMIZE_NODES;
  const clock = opts.clock ?? defaultClock;
  const start = clock();
  const pace = new Pacer(clock, (opts.deadline ?? Infinity) - start, start);
  let events = 0;
  /** Reads the clock once per node expanded (each runs every thread); true once out of time. */
  const outOfTime = (depth: number): boolean => {
    const due = pace.due();
    if (due === 'beat') opts.onProgress?.({ executions: 0, events, depth, elapsedMs: pace.elapsed(), states: seen.size, phase: 'minimize' });
    return due === 'time';
  };
  const originalPreemptions = countPreemptions(program, v.schedule);
  const asFound = (nodes: number, note: string): Minimized => ({
    violation: v,
    minimization: {
      status: 'as-found',
      originalLength: v.schedule.length,
      originalPreemptions,
      length: v.schedule.length,
      preemptions: originalPreemptions,
      nodes,
      note,
    },
  });
  const target = { property: v.property, kind: v.kind };
  const seen = new Set<string>();
  // Nodes are told apart as the stateful engine tells states apart: by fingerprint (a collision
  // could only hide a shorter trace, never show a wrong one: every goal is a real state), or
  // with --exact-states by canonical key. Steps run through a step cache (step-cache.ts).
  const exact = opts.exactStates ?? false;
  const key = (state: State, shared: Hash2, threads: readonly Hash2[], last: number | null): string => {
    if (exact) return `${stateKey(state)}#${last ?? ''}`;
    const fp = combine(shared, threads);
    return `${fp.a},${fp.b}#${last ?? ''}`;
  };
  const cache = new StepCache(program);
  const init = program.initial;
  const shared0 = exact ? ZERO : hashShared(program.locs, init.shared);
  const threads0 = exact ? [] : init.threads.map((f) => hashThread(f));
  const root: Node = { state: init, shared: shared0, threads: threads0, last: null, move: null, parent: null, preemptions: 0, rank: 0 };
  seen.add(key(init, shared0, threads0, null));
  try {
    if (violates(program, target, null, program.initial)) return done(program, v, root, null, null, 0, 1, originalPreemptions);
    let level: Node[] = [root];
    for (let depth = 0; depth < v.schedule.length && level.length > 0; depth++) {
      const next = new Map<string, Node>();
      const goals: Goal[] = [];
      let rank = 0;
      for (const node of level) {
        if (outOfTime(depth)) {
          return asFound(seen.size, `minimisation ran out of the time budget after ${seen.size} states; showing the trace as found`);
        }
        const outcomes = program.threads.map((t) => alternatives(program, node.state, t.tid, (m) => cache.step(node.state, m)).steps);
        for (const steps of outcomes) events += Math.max(1, steps.length);
        const lastEnabled = node.last !== null && outcomes[node.last]!.length > 0;
        for (const o of outcomes.flat()) {
          const move = moveOf(o.tid, o.alt);
          const preemptions = node.preemptions + (isPreemption(node.last, o.tid, lastEnabled) ? 1 : 0);
          const r = rank++;
          if (violates(program, target, o.failures, o.state)) {
            goals.push({ parent: node, move, preemptions, rank: r, step: o });
            continue;
          }
          let shared = ZERO;
          let threads: readonly Hash2[] = [];
          if (!exact) {
            shared = updateShared(program.locs, node.shared, node.state.shared, o.state.shared, o.rec.writes);
            const ts = node.threads.slice();
            ts[o.tid] = hashThread(o.state.threads[o.tid]!);
            for (const c of o.spawned ?? []) ts[c] = hashThread(o.state.threads[c]!);
            threads = ts;
          }
          const k = key(o.state, shared, threads, o.tid); // the last thread, not the move: what preemptions depend on
          if (seen.has(k)) {
            const same = next.get(k); // reached again on this level: keep the better path
            if (same !== undefined && preemptions < same.preemptions) {
              next.set(k, { ...same, parent: node, preemptions, rank: r });
            }
            continue;
          }
          if (seen.size >= maxNodes) {
            return asFound(seen.size, `minimisation stopped after ${seen.size} states (SMPCHECK_MINIMIZE_STATES); showing the trace as found`);
          }
          seen.add(k);
          next.set(k, { state: o.state, shared, threads, last: o.tid, move, parent: node, preemptions, rank: r });
        }
      }
      if (goals.length > 0) {
        const best = goals.reduce((a, b) => (b.preemptions < a.preemptions || (b.preemptions === a.preemptions && b.rank < a.rank) ? b : a));
        return done(program, v, best.parent, best.move, best.step, best.preemptions, seen.size, originalPreemptions);
      }
      level = [...next.values()].sort((a, b) => a.rank - b.rank);
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return asFound(seen.size, `minimisation met a model error on another path (${msg}); showing the trace as found`);
  }
  // Unreachable for a violation the engine really found (its own schedule is a path).
  return asFound(seen.size, 'no shorter trace reproduces this violation; showing the trace as found');
}

function done(program: Program, v: Violation, parent: Node, move: number | null, step: Stepped | null, preemptions: number, nodes: number, originalPreemptions: number): Minimized {
  const sched = schedule(parent, move);
  const detail = detailAt(program, v, step, step?.state ?? parent.state);
  return {
    violation: { property: v.property, kind: v.kind, ...(detail !== undefined ? { detail } : {}), schedule: sched },
    minimization: {
      status: 'minimal',
      originalLength: v.schedule.length,
      originalPreemptions,
      length: sched.length,
      preemptions,
      nodes,
    },
  };
}

/** The detail of the violation at the new end: the failed assertion's, or who is blocked. */
function detailAt(program: Program, v: Violation, step: Stepped | null, state: State): string | undefined {
  if (v.kind === 'assertion') return step?.failures?.find((f) => f.property === v.property)?.detail;
  if (v.kind === 'deadlock') return deadlockDetail(stuckThreads(program, state).map((t) => t.thread));
  if (v.kind === 'race') {
    const r = raceAt(program, state);
    return r === null ? v.detail : raceDetail(program, r);
  }
  return v.detail;
}

/** `SMPCHECK_MINIMIZE_STATES`, when set; anything but a positive integer is a UsageError. */
export function minimizeNodesFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SMPCHECK_MINIMIZE_STATES;
  return v === undefined || v === '' ? undefined : positiveInteger('SMPCHECK_MINIMIZE_STATES', v);
}
