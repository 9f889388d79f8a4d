import type { Loc } from '../model/location.ts';
import { isPrefix } from '../model/location.ts';
import type { Program, State } from '../model/program.ts';
import type { SourceSite } from '../model/source.ts';
import { executeStep, nextStepName, type AssertionFailure, type Blocked } from '../model/step.ts';
import { canonical } from '../explore/state-key.ts';
import { evaluatePredicates } from './evaluate.ts';

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
  readonly site: SourceSite;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  readonly changes: readonly Change[];
  readonly failures: readonly AssertionFailure[];
}

/** A thread that cannot move at the end of a trace. */
export interface StuckThread {
  readonly tid: number;
  readonly thread: string;
  readonly step: string;
  readonly site: SourceSite;
  readonly why: string | undefined;
}

export interface Story {
  readonly steps: readonly TraceStep[];
  readonly final: State;
  /** Where the schedule stopped applying to the model (edited model, nondeterministic step). */
  readonly divergence?: { readonly index: number; readonly message: string };
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

/** Re-executes `schedule` from the initial state, recording what each step read and changed. */
export function replay(program: Program, schedule: readonly number[]): Story {
  let state = program.initial;
  const steps: TraceStep[] = [];
  for (let i = 0; i < schedule.length; i++) {
    const tid = schedule[i]!;
    if (tid < 0 || tid >= program.threads.length) {
      return { steps, final: state, divergence: { index: i + 1, message: `the model has no thread #${tid}` } };
    }
    const o = executeStep(program, state, tid);
    const name = program.threadName(tid);
    if (o.kind === 'done') {
      return { steps, final: state, divergence: { index: i + 1, message: `thread ${name} has already finished` } };
    }
    if (o.kind === 'blocked') {
      const why = o.why ? ` (${o.why})` : '';
      return { steps, final: state, divergence: { index: i + 1, message: `thread ${name} is blocked at ${o.proc}.${o.label}${why}` } };
    }
    const changes = outermost(o.rec.writes).map((l) => ({
      path: l.path,
      before: valueAt(state.shared, l.segments),
      after: valueAt(o.state.shared, l.segments),
    }));
    steps.push({
      index: i + 1,
      tid,
      thread: name,
      core: program.threads[tid]!.core,
      proc: o.proc,
      label: o.label,
      caller: o.caller,
      via: o.via,
      site: program.site(o.proc, o.label),
      reads: [...o.rec.reads, ...o.rec.navs].map((l) => l.path),
      writes: o.rec.writes.map((l) => l.path),
      changes,
      failures: o.failures ?? [],
    });
    state = o.state;
  }
  return { steps, final: state };
}

/** Threads that are not finished at `state`, with the step they wait at and why. */
export function stuckThreads(program: Program, state: State): StuckThread[] {
  const out: StuckThread[] = [];
  for (const t of program.threads) {
    const o = executeStep(program, state, t.tid);
    if (o.kind !== 'blocked') continue;
    const b = o as Blocked;
    out.push({ tid: t.tid, thread: t.name, step: nextStepName(state, t.tid)!, site: program.site(b.proc, b.label), why: b.why });
  }
  return out;
}

/** What a property read in `state`, as outermost paths and their values, for the report. */
export function propertyReads(program: Program, state: State, property: string): Change[] {
  const preds = [...program.invariants, ...program.finals, ...program.witnesses].filter((p) => p.name === property);
  if (preds.length === 0) return [];
  const reads: Loc[] = [];
  evaluatePredicates(program, state.shared, preds, 'invariant', reads);
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
