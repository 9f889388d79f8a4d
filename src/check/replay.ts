import { Immer } from 'immer';
import type { Loc } from '../model/location.ts';
import { isPrefix } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import type { SourceSite } from '../model/source.ts';
import { alternatives, executeTwice, NewThreads, tidOf, NoAlternative, NondeterminismError, type AssertionFailure, type Choice, type Outcome } from '../model/step.ts';
import { canonical } from '../explore/state-key.ts';
import { evaluatePredicates } from './evaluate.ts';
import { preemptsAt } from './preemption.ts';

/** A store as a trace shows it: the path and the values before and after. */
export interface Change {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** One step of a counterexample, re-executed from the model so that it cannot lie. */
export interface TraceStep {
  /** 1-based position in the schedule. */
  readonly index: number;
  readonly tid: number;
  readonly thread: string;
  readonly core: number;
  readonly proc: string;
  readonly label: string;
  /** The procedure that called `proc`, if any. */
  readonly caller: string | null;
  /** Local-only steps that ran just before, fused into this one. */
  readonly via: readonly string[];
  /** The move replayed (thread and alternative, step.ts moveOf): what the schedule holds. */
  readonly move: number;
  /** The values the step's `t.choose` calls returned, in order (empty when it chose nothing). */
  readonly choices: readonly Choice[];
  readonly site: SourceSite;
  readonly reads: readonly string[];
  /** What the step read (outermost paths) and the values there before it ran. */
  readonly readValues: readonly Change[];
  readonly writes: readonly string[];
  readonly changes: readonly Change[];
  readonly failures: readonly AssertionFailure[];
  /** The scheduler switched away from a thread that could have continued to run this step. */
  readonly preempts: boolean;
  /** The shared state after this step (for reports that show the state at each step). */
  readonly after: unknown;
}

/** A thread that cannot move at the end of a trace. */
export interface StuckThread {
  readonly tid: number;
  readonly thread: string;
  /** The step that is blocked. */
  readonly step: string;
  /** Where the thread is, when that differs from `step` (a call made by a local step). */
  readonly from?: string;
  readonly site: SourceSite;
  readonly why: string | undefined;
}

/** Why a schedule stopped applying to the model. */
export type DivergenceReason = 'no-thread' | 'finished' | 'blocked' | 'label' | 'choice' | 'nondeterministic' | 'unexplained-change';

export interface Divergence {
  /** 1-based index of the step that could not be replayed as recorded. */
  readonly index: number;
  readonly reason: DivergenceReason;
  readonly message: string;
}

export interface Story {
  readonly steps: readonly TraceStep[];
  /** The shared state before the first step. */
  readonly initial: unknown;
  /** The state after the last step that applied. */
  readonly final: State;
  /** Where the schedule stopped applying to the model (edited model, nondeterministic step). */
  readonly divergence?: Divergence;
}

export interface ReplayOptions {
  /** The step (`proc.label`) each schedule entry is expected to run, as a trace file records it. */
  readonly expected?: readonly string[];
  /** The thread names a trace file recorded, for messages about threads the model lacks. */
  readonly recordedThreads?: readonly string[];
}

/** The value at a path of plain data (`undefined` when absent). */
export function valueAt(root: unknown, segs: readonly string[]): unknown {
  let v: any = root;
  for (const k of segs) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k];
  }
  return v;
}

/**
 * The written locations a trace shows: a store under another written location is covered by
 * it, and an array whose length changed (push, pop) is shown whole.
 */
function outermost(locs: readonly Loc[]): Loc[] {
  const shown = locs.map((l) => (l.key === 'length' && l.parent !== null ? l.parent : l));
  const resized = shown.filter((l, i) => l !== locs[i]);
  const all = [...new Set(shown.filter((l) => !resized.some((r) => r !== l && isPrefix(r, l))))];
  return all.filter((l) => !all.some((o) => o !== l && isPrefix(o, l)));
}

/**
 * Re-executes `schedule` from the initial state, recording what each step read and changed.
 * It refuses to tell a wrong story: it stops at the first step that does not apply as recorded
 * (no such thread, the thread finished or is blocked, it would run another step than `expected`
 * says), that gives a different outcome when run twice from the same state (DESIGN §2: steps
 * are deterministic, and replay is where the checker verifies it), or whose state change is not
 * exactly what its recorded stores say (checked by re-applying them with immer).
 */
export function replay(program: Program, schedule: readonly number[], opts: ReplayOptions = {}): Story {
  // A step that starts a thread the program has not seen registers it (t.spawn): the states so
  // far lack it, so the replay starts again (explore/spawns.ts does the same for searches).
  for (;;) {
    const known = program.threads.length;
    try {
      return replayOnce(program, schedule, opts);
    } catch (e) {
      if (!(e instanceof NewThreads) || program.threads.length === known) throw e;
    }
  }
}

function replayOnce(program: Program, schedule: readonly number[], opts: ReplayOptions): Story {
  let state = program.initial;
  const steps: TraceStep[] = [];
  const stop = (i: number, reason: DivergenceReason, message: string): Story =>
    ({ steps, initial: program.initial.shared, final: state, divergence: { index: i + 1, reason, message } });
  for (let i = 0; i < schedule.length; i++) {
    const move = schedule[i]!;
    if (!Number.isInteger(move) || move < 0) {
      const recorded = opts.recordedThreads?.[i];
      const known = program.threads.map((t) => t.name).join(', ');
      return stop(i, 'no-thread', recorded !== undefined ? `the model has no thread named '${recorded}' (its threads: ${known})` : `the model has no thread #${move}`);
    }
    const tid = tidOf(move);
    const name = program.threadName(tid);
    const want = opts.expected?.[i];
    const wanted = want === undefined ? '' : `expected ${name} to run ${want}, but `;
    let o: Outcome;
    let nd: NondeterminismError | null;
    try {
      ({ outcome: o, unstable: nd } = executeTwice(program, state, move));
    } catch (e) {
      // The step's own determinism sample (step.ts) may be the first to notice.
      if (e instanceof NondeterminismError) return stop(i, 'nondeterministic', e.message);
      if (e instanceof NoAlternative) return stop(i, 'choice', `${wanted}${e.message}`);
      throw e;
    }
    if (o.kind === 'done') return stop(i, 'finished', `${wanted}thread ${name} has already finished`);
    if (o.kind === 'blocked') {
      const why = o.why ? ` (${o.why})` : '';
      return stop(i, 'blocked', `${wanted}thread ${name} is blocked at ${o.proc}.${o.label}${why}`);
    }
    const actual = `${o.proc}.${o.label}`;
    if (want !== undefined && want !== actual) {
      return stop(i, 'label', `${wanted}its next step is ${actual}`);
    }
    // Every step of a replay is run twice and the two outcomes compared (DESIGN §5).
    if (nd !== null) return stop(i, 'nondeterministic', nd.message);
    const written = outermost(o.rec.writes);
    const changes = written.map((l) => ({
      path: l.path,
      before: valueAt(state.shared, l.segments),
      after: valueAt(o.state.shared, l.segments),
    }));
    const unexplained = unexplainedChange(state.shared, o.state.shared, written);
    if (unexplained !== null) {
      return stop(i, 'unexplained-change', `step ${actual} of thread ${name} changed shared state that its recorded stores do not cover (${unexplained}); this is a bug in smpcheck, please report it`);
    }
    // Whether the previous thread could have gone on runs its next step: a look-ahead, not the
    // step replayed here, so its determinism is checked when (if) it is replayed, not now.
    program.recheckSuspended++;
    let preempts: boolean;
    try {
      preempts = preemptsAt(program, state, i > 0 ? schedule[i - 1]! : null, move);
    } finally {
      program.recheckSuspended--;
    }
    steps.push({
      index: i + 1,
      tid,
      thread: name,
      core: program.threads[tid]!.core,
      proc: o.proc,
      label: o.label,
      caller: o.caller,
      via: o.via,
      move,
      choices: o.choices ?? [],
      site: program.site(o.proc, o.label),
      reads: [...o.rec.reads, ...o.rec.navs].map((l) => l.path),
      readValues: outermost([...new Set([...o.rec.reads, ...o.rec.navs])].filter((l) => l.parent !== null)).map((l) => {
        const v = valueAt(state.shared, l.segments);
        return { path: l.path, before: v, after: v };
      }),
      writes: o.rec.writes.map((l) => l.path),
      changes,
      failures: o.failures ?? [],
      preempts,
      after: o.state.shared,
    });
    state = o.state;
  }
  return { steps, initial: program.initial.shared, final: state };
}

const immer = new Immer({ autoFreeze: false });

/**
 * Cross-checks a step's diff with immer: re-applying the shown changes to the state before the
 * step must give the state after it. The diff itself comes from the recorded stores rather than
 * from immer's patches because a store of an unchanged value (`ref: 2 → 2`, the lost update) is
 * often the point of the story, and immer leaves such no-op stores out of its patches.
 */
function unexplainedChange(before: unknown, after: unknown, written: readonly Loc[]): string | null {
  const rebuilt = immer.produce(before as object, (draft: any) => {
    for (const l of written) {
      const segs = l.segments;
      const parent = segs.slice(0, -1).reduce((o, k) => o[k], draft);
      const key = segs[segs.length - 1]!;
      const value = valueAt(after, segs);
      if (value === undefined) delete parent[key];
      else parent[key] = value;
    }
  });
  return canonical(rebuilt) === canonical(after) ? null : firstDifference(rebuilt, after);
}

/** The first path where two plain values differ, as `path: a ≠ b`. */
export function firstDifference(a: unknown, b: unknown, path = ''): string {
  if (canonical(a) === canonical(b)) return '';
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], path === '' ? k : `${path}.${k}`);
      if (d !== '') return d;
    }
  }
  return `${path === '' ? 'the whole state' : path}: ${show(a)} ≠ ${show(b)}`;
}

/** Threads that are not finished at `state`, with the step they wait at and why. */
export function stuckThreads(program: Program, state: State): StuckThread[] {
  const out: StuckThread[] = [];
  for (const t of program.threads) {
    const b = alternatives(program, state, t.tid).held;
    if (b === null) continue;
    // The step that is blocked, and where the thread is when local steps in front of it were fused
    // (a call into spin_lock from vmem_pagefault.vma_find_rlock).
    const frames = state.threads[t.tid]!;
    const top = frames[frames.length - 1]!;
    const at = `${top.proc}.${top.label}`;
    const step = `${b.proc}.${b.label}`;
    out.push({ tid: t.tid, thread: t.name, step, ...(at !== step ? { from: at } : {}), site: program.site(b.proc, b.label), why: b.why });
  }
  return out;
}

/** What a property read in `state`, as outermost paths and their values, for the report. */
export function propertyReads(program: Program, state: State, property: string): Change[] {
  const reads: Loc[] = [];
  const kinds = [['invariant', program.invariants], ['final', program.finals], ['witness', program.witnesses]] as const;
  for (const [kind, all] of kinds) {
    const preds = all.filter((p) => p.name === property);
    if (preds.length > 0) evaluatePredicates(program, state.shared, preds, kind, reads); // a broken one is named by its kind
  }
  if (reads.length === 0) return [];
  const uniq = [...new Set(reads)].filter((l) => l.parent !== null);
  return outermost(uniq).map((l) => {
    const v = valueAt(state.shared, l.segments);
    return { path: l.path, before: v, after: v };
  });
}

/** Compact rendering of a plain value for traces: `[2,0,0,0]`, `{"a":1}`. */
export function show(value: unknown, max = 60): string {
  const s = value === undefined ? 'undefined' : typeof value === 'string' ? JSON.stringify(value) : canonical(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
