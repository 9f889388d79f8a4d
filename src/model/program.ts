import type { Model, Predicate, Procedure } from './define.ts';
import { freezeDeep, plainValue } from './draft.ts';
import { ModelError } from './errors.ts';
import { LocTable, type Loc } from './location.ts';
import { stepSite, type SourceSite } from './source.ts';
import { Symmetry } from './symmetry.ts';
import { MOVE_STRIDE, tidOf } from './step.ts';

export type Locals = Readonly<Record<string, unknown>>;

/** One procedure activation on a thread's call stack. */
export interface Frame {
  readonly proc: string;
  readonly label: string;
  readonly locals: Locals;
  /** Local of the caller that receives this frame's return value. */
  readonly into: string | null;
}

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
  readonly threads: readonly ThreadInfo[];
  readonly initial: State;
  readonly invariants: readonly NamedPredicate[];
  readonly finals: readonly NamedPredicate[];
  readonly witnesses: readonly NamedPredicate[];
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
    const names = new Set<string>();
    this.threads = specs.map((ts, tid) => {
      if (names.has(ts.name)) throw new ModelError(`model '${model.name}': two threads are named '${ts.name}'`);
      names.add(ts.name);
      this.register(ts.proc);
      return Object.freeze({ tid, name: ts.name, core: ts.core ?? tid });
    });
    for (const proc of model.procedures ?? []) this.register(proc);
    const threads = specs.map((ts) => {
      const locals = plainValue({ ...ts.args }, null, `thread ${ts.name}: args`);
      freezeDeep(locals);
      return Object.freeze([Object.freeze({ proc: ts.proc.name, label: ts.proc.labels[0]!, locals, into: null })]);
    });
    this.initial = Object.freeze({ shared, threads: Object.freeze(threads) });
    const named = (r: Record<string, Predicate<any, any>> | undefined) =>
      Object.freeze(Object.entries(r ?? {}).map(([name, fn]) => Object.freeze({ name, fn })));
    this.invariants = named(model.invariants);
    this.finals = named(model.finals);
    this.witnesses = named(model.witnesses);
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
