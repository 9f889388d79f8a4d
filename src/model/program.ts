import type { Model, Predicate, Procedure } from './define.ts';
import { freezeDeep, plainValue } from './draft.ts';
import { ModelError } from './errors.ts';
import { LocTable, type Loc } from './location.ts';
import { stepSite, type SourceSite } from './source.ts';
import { Symmetry } from './symmetry.ts';
import { MOVE_STRIDE, tidOf } from './move.ts';
import { newFrame, type Frame } from './frame.ts';

export { FRAME_MEMO, newFrame, type Frame, type FrameMemo, type Locals } from './frame.ts';

/** The explicit, immutable state of a model: shared data plus every thread's call stack. */
export interface State {
  readonly shared: any;
  /** Per thread, its frames from the bottom (thread procedure) to the top; empty = finished. */
  readonly threads: readonly (readonly Frame[])[];
}

export interface ThreadInfo {
  readonly tid: number;
  readonly name: string;
  readonly core: number;
  /** The thread that started it with `t.spawn` (null: a thread of the model's `threads`). */
  readonly parent: number | null;
}

/**
 * The frames of a thread that `t.spawn` has not started (yet) in a state: a marker, so that
 * "not started" and "finished" (no frames) are different states. Such a thread cannot run and
 * does not keep an execution from being complete.
 */
export const ABSENT_FRAMES: readonly Frame[] = Object.freeze([newFrame('$absent', '$absent', Object.freeze({}), null, true)]);

export function isAbsent(frames: readonly Frame[] | undefined): boolean {
  return frames === undefined || frames === ABSENT_FRAMES || (frames.length === 1 && frames[0]!.proc === '$absent');
}

export interface NamedPredicate {
  readonly name: string;
  readonly fn: Predicate<any, any>;
}

export interface ProgramOptions {
  /** Deep-freeze every state (tests use it to catch mutation outside the draft). */
  freeze?: boolean;
}

/**
 * A model instantiated with concrete parameters: initial state, threads, procedures and
 * properties, plus the location table in which every footprint of this program is interned.
 */
export class Program {
  readonly locs = new LocTable();
  /**
   * The model's threads, then every thread `t.spawn` has started so far in any state (named
   * `parent/proc<k>`, k counting the parent's spawns of `proc`), in the order they were first
   * seen. An engine that meets a new one starts its search again (explore/spawns.ts).
   */
  readonly threads: readonly ThreadInfo[];
  private readonly threadList: ThreadInfo[];
  private readonly byName = new Map<string, number>();
  private readonly shared0: unknown;
  private readonly frames0: readonly (readonly Frame[])[];
  private initialState: State | null = null;
  readonly invariants: readonly NamedPredicate[];
  readonly finals: readonly NamedPredicate[];
  readonly witnesses: readonly NamedPredicate[];
  /** Liveness (explore/liveness.ts): must hold eventually; when `when` holds, `then` must eventually. */
  readonly eventually: readonly NamedPredicate[];
  readonly leadsTo: readonly { readonly name: string; readonly when: NamedPredicate; readonly then: NamedPredicate }[];
  /** Steps (`proc.label`) under strong fairness (the model's `fairness.strong`). */
  readonly strongSteps: ReadonlySet<string>;
  readonly freeze: boolean;
  /** Interchangeable threads as the model declares them, or null. */
  readonly symmetry: Symmetry | null;
  /**
   * Every property name a step has passed to `t.assert` so far (held or not), so that a spec
   * expecting a violation of a property the model never checks is an ERROR, not a PASS.
   */
  readonly asserted = new Set<string>();
  /**
   * Step coverage (check/coverage.ts): labels that ran, and labels whose guard blocked, per
   * procedure name; and the predicates evaluated. Filled where steps and predicates run, so
   * every engine, step reuse and minimisation record them alike.
   */
  readonly ran = new Map<string, Set<string>>();
  readonly blocked = new Map<string, Set<string>>();
  readonly evaluated = new Set<NamedPredicate>();
  /**
   * Procedures (name → labels) that another thread of a split search met and this program may
   * not have (a procedure is registered when a step first calls it): coverage lists their steps.
   */
  readonly metElsewhere = new Map<string, readonly string[]>();
  /** Steps run so far and the step functions already run twice: the determinism sample (step.ts). */
  stepsRun = 0;
  readonly recheckedSteps = new Set<unknown>();
  /** Recheck every step, not a sample (recheckDeterminism, tests). */
  recheckAll = false;
  /** While > 0, no step is rechecked (replay's look-ahead at steps that are not the one replayed). */
  recheckSuspended = 0;
  /** Path patterns of locations only ever accessed atomically (the model's `atomics`), as segments. */
  private readonly atomics: readonly (readonly string[])[];
  private readonly atomicMemo = new Map<number, boolean>();
  private readonly procs = new Map<string, Procedure>();
  private readonly sites = new Map<string, SourceSite>();

  readonly params: Readonly<Record<string, unknown>>;

  constructor(
    readonly model: Model,
    params: Readonly<Record<string, unknown>>,
    opts: ProgramOptions = {},
  ) {
    this.freeze = opts.freeze ?? process.env.SMPCHECK_FREEZE === '1';
    // Parameters are saved in trace files and replayed from them: only what JSON keeps exactly.
    params = plainValue(params, null, 'params');
    this.params = params;
    const bad = model.check?.(params as any);
    if (typeof bad === 'string') throw new ModelError(`model '${model.name}': ${bad}`);
    const shared = plainValue(model.shared(params as any), null, 'shared');
    freezeDeep(shared);
    const specs = model.threads(params as any);
    if (!Array.isArray(specs) || specs.length === 0) {
      throw new ModelError(`model '${model.name}': threads() must return at least one thread(...)`);
    }
    if (specs.length > MOVE_STRIDE) throw new ModelError(`model '${model.name}': ${specs.length} threads; a model may have at most ${MOVE_STRIDE}`);
    this.threadList = specs.map((ts, tid) => {
      if (this.byName.has(ts.name)) throw new ModelError(`model '${model.name}': two threads are named '${ts.name}'`);
      this.byName.set(ts.name, tid);
      this.register(ts.proc);
      return Object.freeze({ tid, name: ts.name, core: ts.core ?? tid, parent: null });
    });
    this.threads = this.threadList;
    for (const proc of model.procedures ?? []) this.register(proc);
    const threads = specs.map((ts) => {
      const locals = plainValue({ ...ts.args }, null, `thread ${ts.name}: args`);
      freezeDeep(locals);
      return Object.freeze([newFrame(ts.proc.name, ts.proc.labels[0]!, locals, null, true)]);
    });
    this.shared0 = shared;
    this.frames0 = threads;
    const named = (r: Record<string, Predicate<any, any>> | undefined) =>
      Object.freeze(Object.entries(r ?? {}).map(([name, fn]) => Object.freeze({ name, fn })));
    this.invariants = named(model.invariants);
    this.finals = named(model.finals);
    this.witnesses = named(model.witnesses);
    this.eventually = named(model.eventually);
    this.leadsTo = Object.freeze(Object.entries(model.leadsTo ?? {}).map(([name, l]) => Object.freeze({
      name,
      when: Object.freeze({ name: `${name} (when)`, fn: l.when }),
      then: Object.freeze({ name: `${name} (then)`, fn: l.then }),
    })));
    this.strongSteps = new Set(model.fairness?.strong ?? []);
    const atomics = typeof model.atomics === 'function' ? model.atomics(params as any) : model.atomics ?? [];
    this.atomics = atomics.map((a) => a.split('.'));
    const sym = model.symmetry?.(params as any);
    this.symmetry = sym ? new Symmetry(model.name, sym, this.threads, this.initial) : null;
    if (this.symmetry !== null && this.symmetry.groups.length === 0) this.symmetry = null;
  }

  /**
   * Whether `loc` is accessed atomically (data-race detection, explore/races.ts): a pattern of
   * the model's `atomics` matches it or one of its ancestors, `*` matching any one key.
   */
  isAtomic(loc: Loc): boolean {
    let a = this.atomicMemo.get(loc.id);
    if (a === undefined) {
      const segs = loc.segments;
      a = this.atomics.some((p) => p.length <= segs.length && p.every((k, i) => k === '*' || k === segs[i]));
      this.atomicMemo.set(loc.id, a);
    }
    return a;
  }

  /** The initial state: the model's threads at their first step, every spawned thread not started. */
  get initial(): State {
    if (this.initialState === null) {
      const threads = [...this.frames0];
      while (threads.length < this.threadList.length) threads.push(ABSENT_FRAMES);
      this.initialState = Object.freeze({ shared: this.shared0, threads: Object.freeze(threads) });
    }
    return this.initialState;
  }

  /** The thread of this name, if there is one (trace files name threads). */
  threadNamed(name: string): number | undefined {
    return this.byName.get(name);
  }

  /**
   * The thread id of the spawned thread `name`; `isNew` when this program had never seen it,
   * in which case the states built so far lack it and the search must start again.
   */
  spawnedThread(name: string, parent: number, core: number | undefined): { tid: number; isNew: boolean } {
    const known = this.byName.get(name);
    if (known !== undefined) return { tid: known, isNew: false };
    if (this.symmetry !== null) {
      throw new ModelError(`model '${this.model.name}' declares symmetry and starts threads (t.spawn): the two do not go together; remove symmetry`);
    }
    const tid = this.threadList.length;
    if (tid >= MOVE_STRIDE) throw new ModelError(`model '${this.model.name}': more than ${MOVE_STRIDE} threads`);
    this.threadList.push(Object.freeze({ tid, name, core: core ?? tid, parent }));
    this.byName.set(name, tid);
    this.initialState = null;
    return { tid, isNew: true };
  }

  /** Makes a procedure callable in this program; one name, one procedure. */
  register(proc: Procedure): void {
    const known = this.procs.get(proc.name);
    if (known === undefined) this.procs.set(proc.name, proc);
    else if (known !== proc) {
      throw new ModelError(`two different procedures are named '${proc.name}'; procedure names must be unique in a model`);
    }
  }

  /** Every procedure registered so far (thread procedures, `procedures`, and those `t.call` reached). */
  procedures(): readonly Procedure[] {
    return [...this.procs.values()];
  }

  procedure(name: string): Procedure {
    const p = this.procs.get(name);
    if (p === undefined) {
      throw new ModelError(
        `no procedure named '${name}' in model '${this.model.name}'`,
        `list procedures called by name in the model's procedures: [...]; known: ${[...this.procs.keys()].join(', ')}`,
      );
    }
    return p;
  }

  /** Source location of a step, for traces. */
  site(proc: string, label: string): SourceSite {
    const key = `${proc}\0${label}`;
    let s = this.sites.get(key);
    if (s === undefined) {
      s = stepSite(this.procedure(proc).site, label);
      this.sites.set(key, s);
    }
    return s;
  }

  /** Thread names for display, e.g. `C0`; of a move (thread and alternative, step.ts moveOf), its thread's. */
  threadName(tid: number): string {
    return this.threads[tid >= 0 ? tidOf(tid) : tid]?.name ?? `T${tid}`;
  }
}
