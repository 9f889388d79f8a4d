import { ModelError } from './errors.ts';
import { callerSite, type SourceSite } from './source.ts';
import type { SymmetryDecl } from './symmetry.ts';

/**
 * The thread a step runs on, as the step function sees it (`t`). Any property that is not one of
 * the members below is a **local** of the current procedure frame: `t.h = s.head` stores a
 * local, `t.h` reads it. Locals are thread-local state: reading or writing them is never a
 * shared access and never makes two steps dependent.
 *
 * @example
 * ```ts
 * A1: (s, t) => { t.h = s.head; if (t.h === NIL) t.ret(-1); },   // one shared load
 * ```
 */
export interface Thread<P = any> {
  /** Index of the thread in the model's thread list (0-based). */
  readonly tid: number;
  /** Thread name as given to {@link thread}, e.g. `'C0'`. */
  readonly name: string;
  /** The core the thread runs on (defaults to its index). */
  readonly core: number;
  /** The model parameters of this run. */
  readonly params: P;
  /** Continue at `label` of the current procedure instead of the next label. */
  goto(label: string): void;
  /**
   * Call a procedure: its first step is this thread's next step. When it returns, this frame
   * continues at `opts.then` (default: where it would have gone next) and the return value is
   * stored in the local `opts.into`, if given. A procedure can be named by a string when the
   * model lists it in `procedures` (a trap table: blocks call `'page_fault'` handlers by name).
   */
  call<L = any>(proc: Procedure<any, any, L> | string, args?: ArgsOf<L>, opts?: CallOptions): void;
  /** Return from the current procedure (to the caller, or end the thread at the top level). */
  ret(value?: unknown): void;
  /** End the thread now, whatever the call depth. */
  exit(): void;
  /**
   * Block until `cond` holds: when it is false the step does not happen (nothing it did is
   * kept) and the thread is not schedulable. Spinning and sleeping are modelled this way,
   * never as a loop. The reads made before `await` are the guard's footprint.
   */
  await(cond: boolean, why?: string): void;
  /**
   * Nondeterministic choice: returns one of `values`, and the checker explores every one of
   * them (the step has one alternative per value; several calls in a step multiply). Use it
   * for what the environment decides: an allocation that may fail, an interrupt that may
   * arrive, a page that may be absent. Choosing is thread-local: it adds no dependence between
   * threads. Traces show it as `choose frame = 2` and replay it. Never use `Math.random()`.
   *
   * @example
   * ```ts
   * alloc: (s, t) => { if (t.choose('alloc', ['ok', 'ENOMEM']) === 'ENOMEM') t.ret(-12); else s.used++; },
   * ```
   */
  choose<V>(label: string, values: readonly V[]): V;
  /**
   * Keeps only the executions in which `cond` holds here: when it is false the step does not
   * happen and an execution that ends with this thread held here is discarded (counted as
   * `assumeBlocked` in the report), neither a deadlock nor a violation. A spec whose every
   * execution is discarded is VACUOUS. Unlike `t.await`, the condition is meant never to
   * become true later: it restricts the environment (`__VERIFIER_assume`).
   *
   * @example
   * ```ts
   * pick: (s, t) => { t.n = t.choose('n', [0, 1, 2, 3]); t.assume(t.n !== 2, 'n is never 2'); },
   * ```
   */
  assume(cond: boolean, why?: string): void;
  /**
   * Starts a thread running `proc` with `args` as its locals, and returns its thread id (keep
   * it in a local to join it). It is named after its parent and its number among the parent's
   * threads of `proc`: the second `worker` C0 starts is `C0/worker1`, in every execution, in
   * traces and in trace files. It runs on core `opts.core` (default: its own, as a model
   * thread's default). Every engine explores it like any other thread.
   *
   * @example
   * ```ts
   * fork: (s, t) => { t.w = t.spawn(worker, { slot: 0 }); },
   * ```
   */
  spawn(proc: Procedure<any, any, any> | string, args?: Record<string, unknown>, opts?: { core?: number }): number;
  /**
   * Blocks until thread `tid`, which this thread started with `spawn`, has finished (like
   * `pthread_join`). Joining another thread's child is a model error.
   *
   * @example
   * ```ts
   * wait: (s, t) => { t.join(t.w); },
   * ```
   */
  join(tid: number, why?: string): void;
  /** Check a named property inside the step; a false `cond` is a violation of `property`. */
  assert(cond: boolean, property: string, detail?: string): boolean;
  [local: string]: any;
}

export interface CallOptions {
  /** Label of the calling procedure to continue at after the call returns. */
  then?: string;
  /** Run this same step again after the call returns (a trap: handle the fault, retry the access). */
  retry?: boolean;
  /** Local of the calling frame that receives the return value. */
  into?: string;
}

/** `t` without its locals: the members of {@link Thread} only (no index signature). */
export type ThreadMembers<P = any> = {
  [K in keyof Thread<P> as string extends K ? never : number extends K ? never : K]: Thread<P>[K];
};

/**
 * `t` as a step of a procedure with locals `L` sees it: when `L` is given
 * (`procedure<Shared, Params, { old: number }>`), the members of {@link Thread} and exactly the
 * locals of `L`, so a misspelt local (`t.ownr`) is a compile error; when it is not, any
 * property is a local of type `any`.
 */
export type ThreadOf<P = any, L = any> = 0 extends 1 & L ? Thread<P> : ThreadMembers<P> & L;

/**
 * One atomic step: at most one shared access in the kernel sense, plus local computation.
 * `S` is the shared state, `P` the model's parameters, `L` the procedure's locals.
 */
// A method's parameters are compared both ways: a step of a procedure with typed locals is
// still a step of `Procedure` (any locals), which thread() and t.call() take.
export type StepFn<S = any, P = any, L = any> = { step(s: S, t: ThreadOf<P, L>, p: P): void }['step'];

/** A procedure: labelled steps, run in declaration order unless a step says otherwise. */
export interface Procedure<S = any, P = any, L = any> {
  readonly kind: 'procedure';
  readonly name: string;
  readonly labels: readonly string[];
  readonly steps: Readonly<Record<string, StepFn<S, P, L>>>;
  /** Where `procedure(...)` was called; step lines are found from here. */
  readonly site: SourceSite;
  /** Never set: carries `L` for the compiler, so that thread() and t.call() check arguments. */
  readonly '~locals'?: L;
}

/**
 * The arguments a procedure with locals `L` takes (they become its locals): any of `L`, and
 * nothing else, so a misspelt argument (`{ lok: 'A' }`) is a compile error. Any record when
 * the procedure's locals are not declared.
 */
export type ArgsOf<L> = 0 extends 1 & L ? Record<string, unknown> : Partial<L>;

/**
 * Defines a procedure written once and called from any thread or model: `spin_lock`,
 * `rwlock_rlock`, `schedule`, `page_fault_handler`. Each entry is one atomic step named after
 * the C it mirrors; the first entry is the entry point.
 *
 * The type arguments are optional: `S` the shared state the steps read and write, `P` the
 * model's parameters, `L` the locals of the procedure's frame (its arguments included). With
 * `L` given, `t` has exactly those locals and a misspelt one is a compile error.
 *
 * @example
 * ```ts
 * export const spin_lock = procedure<{ locks: Record<string, number> }, unknown, { lock: string }>('spin_lock', {
 *   acquire: (s, t) => { t.await(s.locks[t.lock] === 0, `${t.lock} held`); s.locks[t.lock] = t.tid + 1; },
 * });
 * ```
 */
export function procedure<S = any, P = any, L = any>(name: string, steps: Record<string, StepFn<S, P, L>>): Procedure<S, P, L> {
  if (typeof name !== 'string' || name === '') throw new ModelError('a procedure needs a non-empty name');
  const labels = Object.keys(steps);
  if (labels.length === 0) throw new ModelError(`procedure '${name}' has no steps; give it at least one labelled step`);
  for (const l of labels) {
    if (l.startsWith('$')) throw new ModelError(`procedure '${name}': labels starting with '$' are reserved ('${l}')`);
    if (typeof steps[l] !== 'function') {
      throw new ModelError(`procedure '${name}': step '${l}' must be a function (s, t, p) => void`);
    }
    const kind = notSynchronous(steps[l]);
    if (kind !== null) throw new ModelError(`step ${name}.${l} is ${kind}: steps must be synchronous functions (remove async/await)`);
  }
  return Object.freeze({ kind: 'procedure', name, labels: Object.freeze(labels), steps: Object.freeze({ ...steps }), site: callerSite() });
}

/** A thread of a model: a name, the procedure it runs and that procedure's arguments. */
export interface ThreadSpec {
  readonly name: string;
  readonly proc: Procedure;
  readonly args: Readonly<Record<string, unknown>>;
  readonly core: number | undefined;
}

/**
 * Declares one thread. Cores default to the thread's index.
 *
 * @example
 * ```ts
 * threads: ({ cores }) => range(cores).map((c) => thread(`C${c}`, bfa_do_alloc_any)),
 * ```
 */
export function thread<L = any>(name: string, proc: Procedure<any, any, L>, args: ArgsOf<L> = {} as ArgsOf<L>, opts: { core?: number } = {}): ThreadSpec {
  if (proc?.kind !== 'procedure') throw new ModelError(`thread '${name}': the second argument must be a procedure(...)`);
  return Object.freeze({ name, proc, args, core: opts.core });
}

/** A named predicate over shared state. */
export type Predicate<S, P> = (s: S, p: P) => boolean;

/**
 * What a model is made of. `I`, `F`, `W` and `A` are the names of its invariants, finals,
 * witnesses and assertions, inferred by {@link defineModel}, so that a spec's `expect` can
 * only name a property the model has.
 */
export interface ModelDef<P extends object, S extends object, I extends string = string, F extends string = string, W extends string = string, A extends string = string, E extends string = string, L extends string = string> {
  /** Model name, e.g. `'falloc_pop'`. */
  name: string;
  description?: string;
  /** Default parameters (cores, frames, operations, `variant`, ...); specs override them. */
  params: P;
  /** The initial shared state: plain data (objects, arrays, numbers, strings, booleans, null). */
  shared: (p: P) => S;
  threads: (p: P) => ThreadSpec[];
  /** Procedures called by name (`t.call('vmem_pagefault')`), e.g. handlers installed in a trap table. */
  procedures?: Procedure[];
  /** Must hold in every reachable state (DESIGN §3). */
  invariants?: Record<I, Predicate<S, P>>;
  /** Must hold in every terminal state where all threads finished. */
  finals?: Record<F, Predicate<S, P>>;
  /** Must hold in at least one reachable state, else the run is vacuous. */
  witnesses?: Record<W, Predicate<S, P>>;
  /**
   * Liveness: must become true on every fair execution (README, Liveness). Checked on the
   * whole state graph, after the safety search.
   *
   * @example
   * ```ts
   * eventually: { 'all-woken': (s) => s.woken === 2 },
   * ```
   */
  eventually?: Record<E, Predicate<S, P>>;
  /**
   * Liveness: whenever `when` holds, `then` must hold later on every fair execution
   * (`leadsTo`, TLA+'s ~>).
   *
   * @example
   * ```ts
   * leadsTo: { 'reader-served': { when: (s) => s.waiting > 0, then: (s) => s.served > 0 } },
   * ```
   */
  leadsTo?: Record<L, { when: Predicate<S, P>; then: Predicate<S, P> }>;
  /**
   * Fairness of liveness checking: every thread is weakly fair (one that can move all the time
   * moves); steps listed in `strong` (`proc.label`, e.g. `'spin_lock.acquire'`) are strongly
   * fair (one enabled again and again is taken).
   */
  fairness?: { strong?: readonly string[] };
  /**
   * The names of the assertions (`t.assert(cond, 'I-lockowner')`) that its steps, and the
   * procedures they call, can check. Only for the compiler: a spec may then expect them
   * (`expect: { fail: 'I-lockowner' }`), and any other name is a type error.
   */
  assertions?: readonly A[];
  /** Rejects parameter combinations the model does not support: return a message, or nothing. */
  check?: (p: P) => string | undefined | void;
  /**
   * Locations the C code only accesses atomically (`atomic_t`, `READ_ONCE`/`WRITE_ONCE`, lock
   * words), as dotted paths where `*` matches any one key; a pattern covers everything under
   * it. Data-race detection (`races: 'error'` on a spec) ignores them: two steps of different
   * threads that can run next in the same state and conflict on any other location, one of
   * them writing, are a `data-race`. `KERNEL_ATOMICS` (smpcheck/kernel) lists the kernel
   * building blocks' lock words.
   *
   * @example
   * ```ts
   * atomics: ['refcount', 'locks.*'],
   * ```
   */
  atomics?: readonly string[] | ((p: P) => readonly string[]);
  /**
   * Interchangeable threads, for the stateful engine's symmetry reduction: which threads, and
   * where thread and core ids live in shared state and locals (see SymmetryDecl).
   */
  symmetry?: (p: P) => SymmetryDecl | undefined;
}

/**
 * A model family. `N` is the union of the names a spec may expect to fail (invariants, finals,
 * declared assertions, `'deadlock'`); `string` when they are not known to the compiler.
 */
export interface Model<P extends object = any, S extends object = any, N extends string = string> extends Readonly<ModelDef<P, S>> {
  readonly kind: 'model';
  readonly site: SourceSite;
  /** Never set: carries `N` for the compiler (see {@link spec}'s `expect`). */
  readonly '~properties'?: N;
}

/**
 * Defines a model family: parameters and variants are inputs, not copies.
 *
 * @example
 * ```ts
 * export const counter = defineModel({
 *   name: 'counter',
 *   params: { threads: 2 },
 *   shared: () => ({ x: 0 }),
 *   threads: ({ threads }) => range(threads).map((i) => thread(`T${i}`, inc)),
 *   finals: { 'no-lost-update': (s, p) => s.x === p.threads },
 * });
 * ```
 */
export function defineModel<P extends object, S extends object, I extends string = never, F extends string = never, W extends string = never, A extends string = never, E extends string = never, L extends string = never>(
  def: ModelDef<P, S, I, F, W, A, E, L>,
): Model<P, S, I | F | A | E | L | 'deadlock' | 'data-race' | 'starvation'> {
  if (typeof def.name !== 'string' || def.name === '') throw new ModelError('a model needs a name');
  if (typeof def.shared !== 'function') throw new ModelError(`model '${def.name}': shared must be a function (params) => state`);
  if (typeof def.threads !== 'function') throw new ModelError(`model '${def.name}': threads must be a function (params) => thread(...)[]`);
  for (const kind of ['invariants', 'finals', 'witnesses', 'eventually'] as const) {
    for (const [name, fn] of Object.entries(def[kind] ?? {})) {
      const what = `${kind === 'eventually' ? 'eventually property' : kind.slice(0, -1)} '${name}' of model '${def.name}'`;
      if (typeof fn !== 'function') throw new ModelError(`${what} must be a function (s, p) => boolean`);
      const k = notSynchronous(fn);
      if (k !== null) throw new ModelError(`${what} is ${k}: predicates must be synchronous functions (remove async/await)`);
    }
  }
  const asserts = def.assertions as unknown;
  if (asserts !== undefined && !(Array.isArray(asserts) && asserts.every((a) => typeof a === 'string' && a !== ''))) {
    throw new ModelError(`model '${def.name}': assertions must be a list of the assertion names its steps check, e.g. ['I-lockowner']`);
  }
  for (const [name, l] of Object.entries((def.leadsTo ?? {}) as Record<string, { when?: unknown; then?: unknown }>)) {
    if (typeof l?.when !== 'function' || typeof l?.then !== 'function') {
      throw new ModelError(`leadsTo '${name}' of model '${def.name}' must be { when: (s, p) => boolean, then: (s, p) => boolean }`);
    }
  }
  const atomics = def.atomics as unknown;
  if (atomics !== undefined && typeof atomics !== 'function' && !(Array.isArray(atomics) && atomics.every((a) => typeof a === 'string' && a !== ''))) {
    throw new ModelError(`model '${def.name}': atomics must be a list of dotted paths (or a function of the parameters returning one), e.g. ['refcount', 'locks.*']`);
  }
  return Object.freeze({ ...def, kind: 'model', site: callerSite() });
}

/** 'an async function' or 'a generator function' when `fn` cannot run to completion when called. */
function notSynchronous(fn: unknown): string | null {
  const c = (fn as { constructor?: { name?: string } }).constructor?.name;
  if (c === 'AsyncFunction' || c === 'AsyncGeneratorFunction') return 'an async function';
  if (c === 'GeneratorFunction') return 'a generator function';
  return null;
}

/**
 * `[0, 1, ..., n-1]`, for thread lists and initial arrays.
 *
 * @example
 * ```ts
 * shared: ({ frames }) => ({ owners: range(frames).map(() => 0) }),
 * threads: ({ cores }) => range(cores).map((c) => thread(`C${c}`, core)),
 * ```
 */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
