import type { CallOptions, Procedure } from './define.ts';
import { DraftSession, freezeDeep, plainValue, type Recording } from './draft.ts';
import { ModelError } from './errors.ts';
import { altOf, moveOf, tidOf } from './move.ts';
import { isAbsent, type Frame, type Locals, type Program, type State } from './program.ts';
import { newFrame } from './frame.ts';

/** A failed `t.assert(...)` inside a step. */
export interface AssertionFailure {
  readonly property: string;
  readonly detail: string | undefined;
}

/**
 * One `t.choose(label, values)` a step made: the value picked, its index among the `count`
 * values offered. A step's choices, in the order it made them, name one of its alternatives.
 */
export interface Choice {
  readonly label: string;
  readonly index: number;
  readonly count: number;
  readonly value: unknown;
}

/** The step ran: its footprint, the state after it, and any assertion it failed. */
export interface Stepped {
  readonly kind: 'step';
  readonly tid: number;
  /** Which alternative of a choosing step ran (0 when the step chose nothing; see moveOf). */
  readonly alt: number;
  /** The choices the step (or its fused chain) made, or null when it made none. */
  readonly choices: readonly Choice[] | null;
  /** Threads the step started (`t.spawn`), or null: their frames change too. */
  readonly spawned: readonly number[] | null;
  /** Threads whose end the step waited for and saw (`t.join`), or null. */
  readonly joined: readonly number[] | null;
  /** The step that touched shared state (the last of a fused chain, see executeStep). */
  readonly proc: string;
  readonly label: string;
  /** Procedure that called `proc`, when there is one (for traces: `uk_rwlock_rlock › spin_lock`). */
  readonly caller: string | null;
  /** Local-only steps fused in front of this one, as `proc.label`. */
  readonly via: readonly string[];
  readonly rec: Recording;
  readonly state: State;
  readonly failures: readonly AssertionFailure[] | null;
}

/** The step's guard is false: the thread is not schedulable; `rec` holds the guard's reads. */
export interface Blocked {
  readonly kind: 'blocked';
  readonly tid: number;
  readonly alt: number;
  readonly choices: readonly Choice[] | null;
  readonly proc: string;
  readonly label: string;
  readonly rec: Recording;
  readonly why: string | undefined;
  /** Held by `t.join(tid)`: waits for that thread to finish, which no footprint shows. */
  readonly joins: number | null;
  /**
   * Held by `t.assume(false)`, not by `t.await`: an execution that ends with this thread held
   * here is discarded (counted as `assumeBlocked`), not a deadlock.
   */
  readonly assumed: boolean;
}

export interface Finished {
  readonly kind: 'done';
  readonly tid: number;
}

export type Outcome = Stepped | Blocked | Finished;

/** A step threw or broke a rule of the model API; carries where, for the ERROR report. */
export class StepError extends ModelError {
  /** The move (thread and alternative, see moveOf) whose run threw, once executeStep knows it. */
  move: number | undefined = undefined;
  constructor(
    message: string,
    readonly tid: number,
    readonly proc: string,
    readonly label: string,
    hint?: string,
  ) {
    super(message, hint);
  }
}

/** A move names an alternative its step does not have (a trace of another model version, or a step re-run where it offers fewer values). */
export class NoAlternative extends StepError {}

/** Marks a frame whose procedure returns as soon as the call it made returns. */
const RETURN_LABEL = '$return';
const RESERVED = new Set(['tid', 'name', 'core', 'params', 'goto', 'call', 'ret', 'exit', 'await', 'assert', 'choose', 'assume', 'spawn', 'join']);

/**
 * A step started a thread this program had never seen (`t.spawn`): it is now registered, and
 * the search that met it starts again with it in every state (explore/spawns.ts).
 */
export class NewThreads extends Error {
  constructor(readonly thread: string) {
    super(`a new thread ${thread} was started`);
    this.name = 'NewThreads';
  }
}
const BLOCKED: unique symbol = Symbol('blocked');

/**
 * Decodes a step's alternative into the values its `t.choose` calls return: `alt` in mixed
 * radix, least significant digit first, each digit in base of that call's number of values
 * (alt = i1 + n1·(i2 + n2·(i3 + …))). The digits are read as the calls happen, so no call needs
 * to know in advance how many calls follow or how many values they offer; alternative 0 picks
 * the first value everywhere, and a step that never chooses has only alternative 0.
 */
class Picker {
  rest: number;
  made: Choice[] | null = null;
  constructor(readonly alt: number) {
    this.rest = alt;
  }
  pick(label: string, count: number): number {
    const index = this.rest % count;
    this.rest = (this.rest - index) / count;
    return index;
  }
}

interface PendingCall {
  readonly proc: Procedure;
  readonly args: Locals;
  readonly into: string | null;
}

/** Control decisions a step makes through `t`; one way out per step. */
class Control {
  next: string | undefined = undefined;
  call: PendingCall | null = null;
  returned = false;
  value: unknown = undefined;
  exited = false;
  why: string | undefined = undefined;
  failures: AssertionFailure[] | null = null;
  assumed = false;
  joins: number | null = null;
  joined: number[] | null = null;
  spawns: { readonly tid: number; readonly frames: readonly Frame[] }[] | null = null;
  constructor(readonly picker: Picker) {}
}

class StepContext {
  readonly #c: Control;
  readonly #program: Program;
  readonly #tid: number;
  readonly #proc: Procedure;
  readonly #label: string;

  readonly #state: State;

  constructor(c: Control, program: Program, state: State, tid: number, proc: Procedure, label: string) {
    this.#state = state;
    this.#c = c;
    this.#program = program;
    this.#tid = tid;
    this.#proc = proc;
    this.#label = label;
  }

  get tid(): number {
    return this.#tid;
  }
  get name(): string {
    return this.#program.threads[this.#tid]!.name;
  }
  get core(): number {
    return this.#program.threads[this.#tid]!.core;
  }
  get params(): unknown {
    return this.#program.params;
  }

  #where(): string {
    return `${this.#proc.name}.${this.#label}`;
  }

  /** A step takes one way out: ret or exit alone, or goto and/or call (call continues at goto's label). */
  #oneExit(what: 'goto' | 'call' | 'ret' | 'exit'): void {
    const c = this.#c;
    const clash =
      c.returned || c.exited ||
      (what === 'goto' && c.next !== undefined) ||
      (what === 'call' && c.call !== null) ||
      ((what === 'ret' || what === 'exit') && (c.next !== undefined || c.call !== null));
    if (clash) throw new ModelError(`step ${this.#where()} called ${what} after already choosing where to go; a step takes one way out`);
  }

  #checkLabel(proc: Procedure, label: string, what: string): void {
    if (!proc.labels.includes(label)) {
      throw new ModelError(
        `step ${this.#where()}: ${what} '${label}' is not a label of '${proc.name}'`,
        `labels of '${proc.name}': ${proc.labels.join(', ')}`,
      );
    }
  }

  #resolve(target: Procedure | string, what: 'call' | 'spawn'): Procedure {
    if (typeof target === 'string') return this.#program.procedure(target);
    if (target?.kind === 'procedure') {
      this.#program.register(target);
      return target;
    }
    throw new ModelError(`step ${this.#where()}: ${what}() takes a procedure(...) or the name of one`);
  }

  goto(label: string): void {
    this.#oneExit('goto');
    this.#checkLabel(this.#proc, label, 'goto target');
    this.#c.next = label;
  }

  call(target: Procedure | string, args: Record<string, unknown> = {}, opts: CallOptions = {}): void {
    this.#oneExit('call');
    const proc = this.#resolve(target, 'call');
    for (const k of Object.keys(args)) {
      if (RESERVED.has(k)) throw new ModelError(`step ${this.#where()}: argument '${k}' of '${proc.name}' clashes with t.${k}; rename it`);
    }
    const then = opts.retry ? this.#label : opts.then;
    if (then !== undefined) {
      this.#checkLabel(this.#proc, then, 'call continuation');
      if (this.#c.next !== undefined) throw new ModelError(`step ${this.#where()}: call() with 'then' or 'retry' after goto(); use one`);
      this.#c.next = then;
    }
    const plainArgs = plainValue({ ...args }, null, `the arguments of '${proc.name}': args`);
    for (const k in plainArgs) freezeDeep(plainArgs[k]); // the record itself becomes a frame's locals: see seal()
    seal(plainArgs, this.#program.freeze);
    this.#c.call = { proc, args: plainArgs, into: opts.into ?? null };
  }

  ret(value?: unknown): void {
    this.#oneExit('ret');
    this.#c.returned = true;
    this.#c.value = value;
  }

  exit(): void {
    this.#oneExit('exit');
    this.#c.exited = true;
  }

  await(cond: boolean, why?: string): void {
    if (!cond) {
      this.#c.why = why;
      throw BLOCKED;
    }
  }

  spawn(target: Procedure | string, args: Record<string, unknown> = {}, opts: { core?: number } = {}): number {
    const proc = this.#resolve(target, 'spawn');
    for (const k of Object.keys(args)) {
      if (RESERVED.has(k)) throw new ModelError(`step ${this.#where()}: argument '${k}' of '${proc.name}' clashes with t.${k}; rename it`);
    }
    // The k-th thread of `proc` this thread starts is `<name>/<proc><k>` in every execution.
    const program = this.#program;
    const base = `${this.name}/${proc.name}`;
    let k = 0;
    for (const t of program.threads) {
      if (t.parent !== this.#tid || !t.name.startsWith(base)) continue;
      const started = !isAbsent(this.#state.threads[t.tid]) || (this.#c.spawns?.some((p) => p.tid === t.tid) ?? false);
      if (started && t.name === `${base}${k}`) k++;
    }
    const name = `${base}${k}`;
    const { tid, isNew } = program.spawnedThread(name, this.#tid, opts.core);
    if (isNew) throw new NewThreads(name);
    const locals = plainValue({ ...args }, null, `the arguments of '${proc.name}': args`);
    for (const key in locals) freezeDeep(locals[key]);
    const frame = newFrame(proc.name, proc.labels[0]!, seal(locals, program.freeze), null, program.freeze);
    (this.#c.spawns ??= []).push({ tid, frames: seal([frame], program.freeze) });
    return tid;
  }

  join(tid: number, why?: string): void {
    const info = typeof tid === 'number' ? this.#program.threads[tid] : undefined;
    if (info === undefined || info.parent !== this.#tid) {
      throw new ModelError(`step ${this.#where()}: join(${String(tid)}): a thread may join only threads it started with t.spawn`);
    }
    const frames = this.#state.threads[tid]!;
    if (isAbsent(frames)) throw new ModelError(`step ${this.#where()}: join(${tid}): ${info.name} has not been started in this execution`);
    if (frames.length > 0) {
      this.#c.why = why ?? `waiting for ${info.name} to finish`;
      this.#c.joins = tid;
      throw BLOCKED;
    }
    (this.#c.joined ??= []).push(tid);
  }

  assume(cond: boolean, why?: string): void {
    if (!cond) {
      this.#c.why = why;
      this.#c.assumed = true;
      throw BLOCKED;
    }
  }

  choose<V>(label: string, values: readonly V[]): V {
    if (typeof label !== 'string' || label === '') {
      throw new ModelError(`step ${this.#where()}: choose() needs a label, e.g. t.choose('frame', [0, 1, 2])`);
    }
    if (!Array.isArray(values) || values.length === 0) {
      throw new ModelError(`step ${this.#where()}: choose('${label}', …) needs a non-empty array of values, e.g. t.choose('${label}', [0, 1])`);
    }
    const picker = this.#c.picker;
    const index = picker.pick(label, values.length);
    const value = plainValue(values[index], null, `the values of choose('${label}')`);
    freezeDeep(value);
    (picker.made ??= []).push({ label, index, count: values.length, value });
    return value as V;
  }

  assert(cond: boolean, property: string, detail?: string): boolean {
    if (typeof property !== 'string' || property === '') {
      throw new ModelError(`step ${this.#where()}: assert() needs a property name, e.g. t.assert(ok, 'I-own')`);
    }
    this.#program.asserted.add(property);
    if (!cond) (this.#c.failures ??= []).push({ property, detail });
    return !!cond;
  }
}

/**
 * Frames, frame arrays and locals records are the checker's own objects (a step sees copies of
 * its locals on `t`; values inside locals are deep-frozen where they enter), so they are frozen
 * only when the program freezes every state (tests): Object.freeze is costly on the hot path.
 */
function seal<T>(x: T, freeze: boolean): T {
  return freeze ? Object.freeze(x) : x;
}

function returnTo(callers: readonly Frame[], into: string | null, value: unknown, freeze: boolean): readonly Frame[] {
  if (callers.length === 0) return EMPTY_FRAMES;
  let caller = callers[callers.length - 1]!;
  if (into !== null) {
    const locals = { ...caller.locals };
    if (value === undefined) delete locals[into];
    else locals[into] = value;
    caller = newFrame(caller.proc, caller.label, seal(locals, freeze), caller.into, freeze);
  }
  const rest = callers.slice(0, -1);
  if (caller.label === RETURN_LABEL) return returnTo(rest, caller.into, undefined, freeze);
  return seal([...rest, caller], freeze);
}

const EMPTY_FRAMES: readonly Frame[] = Object.freeze([]);
const NO_VIA: readonly string[] = Object.freeze([]);

/** Locals after the step: the old object when nothing changed, else a new frozen one. */
function collectLocals(ctx: object, old: Locals, draft: DraftSession, where: string, freeze: boolean): Locals {
  let changed = false;
  let n = 0;
  for (const k in ctx) {
    n++;
    if ((ctx as any)[k] !== old[k] || !(k in old)) changed = true;
  }
  if (!changed && n === Object.keys(old).length) return old;
  const out: Record<string, unknown> = {};
  for (const k in ctx) {
    if (RESERVED.has(k)) throw new ModelError(`step ${where}: '${k}' is a member of t and cannot be a local; rename it`);
    const v = (ctx as any)[k];
    if (v === undefined) continue;
    if (v === old[k]) out[k] = v;
    else if (v !== null && (typeof v === 'number' ? v - v !== 0 || (v === 0 && 1 / v < 0) : typeof v !== 'string' && typeof v !== 'boolean')) {
      // Objects, and scalars that are not ordinary numbers (-0 becomes 0; NaN, Infinity, functions are refused).
      const p = plainValue(v, draft, `t.${k}`);
      freezeDeep(p);
      out[k] = p;
    } else {
      out[k] = v;
    }
  }
  return seal(out, freeze);
}

/** Most local-only steps fused into one event before the model is declared looping. */
const MAX_FUSED = 1000;

/**
 * Runs the next step of thread `tid` in `state`. Deterministic: the same state gives the same
 * outcome. Throws StepError when the step itself is broken.
 *
 * A step that touches no shared state is fused with the thread's next step: DESIGN §2 allows any
 * amount of thread-local computation in a step, and an event no other thread can observe only
 * adds interleavings that no property can tell apart (it is independent of every other thread's
 * steps, so trace counts are unchanged). When the step after a local chain is blocked, the whole
 * chain is: the thread stays where it was, with the blocked step's guard as its footprint.
 */
export function executeStep(program: Program, state: State, move: number): Outcome {
  const tid = tidOf(move);
  const picker = new Picker(altOf(move));
  try {
    const o = executeChain(program, state, tid, picker);
    if (picker.rest !== 0 && o.kind !== 'done') {
      throw new NoAlternative(
        `thread ${program.threadName(tid)}, step ${o.proc}.${o.label} has no alternative ${picker.alt}: ${choicesText(picker.made) || 'it chooses nothing'}`,
        tid, o.proc, o.label,
        'a trace recorded for another version of the model does not apply; run smpcheck check again',
      );
    }
    return o;
  } catch (e) {
    if (e instanceof StepError) e.move ??= move;
    throw e;
  }
}

function executeChain(program: Program, state: State, tid: number, picker: Picker): Outcome {
  let o = runStep(program, state, tid, picker);
  if (o.kind !== 'step' || !isLocal(o)) return noted(program, o, null);
  const via: string[] = [];
  const fused: Stepped[] = [];
  let failures = o.failures;
  while (o.kind === 'step' && isLocal(o) && o.state.threads[tid]!.length > 0) {
    via.push(`${o.proc}.${o.label}`);
    fused.push(o);
    if (via.length > MAX_FUSED) {
      throw new StepError(
        `thread ${program.threadName(tid)} ran ${MAX_FUSED} steps in a row without touching shared state (at ${o.proc}.${o.label})`,
        tid, o.proc, o.label,
        'a loop that only changes locals never ends; model waiting with t.await(cond)',
      );
    }
    const next = runStep(program, o.state, tid, picker);
    if (next.kind !== 'step') return noted(program, next, fused);
    if (next.failures) failures = [...(failures ?? []), ...next.failures];
    o = next;
  }
  return noted(program, via.length === 0 ? o : { ...o, via, failures }, fused);
}

/** `frame = 2, irq = 'timer'`: a step's choices as traces show them. */
export function choicesText(choices: readonly Choice[] | null): string {
  return (choices ?? []).map((c) => `${c.label} = ${brief(c.value)}`).join(', ');
}

/**
 * The alternative after `alt` of a step that made `choices` (in lexicographic order of the
 * choice indices, last choice fastest), or null when `alt` was its last. Every alternative of a
 * step is enumerated from 0 by `for (a = 0; a !== null; a = nextAlt(a, outcome.choices))`;
 * choices after the one advanced start again at their first value, whatever they then offer.
 */
export function nextAlt(choices: readonly Choice[] | null): number | null {
  if (choices === null) return null;
  for (let j = choices.length - 1; j >= 0; j--) {
    if (choices[j]!.index + 1 >= choices[j]!.count) continue;
    let alt = 0;
    let radix = 1;
    for (let i = 0; i <= j; i++) {
      alt += (i === j ? choices[i]!.index + 1 : choices[i]!.index) * radix;
      radix *= choices[i]!.count;
    }
    return alt;
  }
  return null;
}

/** The step has more than one alternative (a choice among two values or more). */
export function branches(o: Outcome): boolean {
  return o.kind !== 'done' && o.choices !== null && o.choices.some((c) => c.count > 1);
}


/**
 * Every alternative of thread `tid`'s next step (one outcome when it chooses nothing), through
 * `run` (an engine's profiled executeStep). Alternatives whose guard holds come first in
 * `steps`; when none does, `held` is the thread's blocked attempt (one of several merged: the
 * guard reads of all, held by `t.assume` if any was), else the thread has finished.
 */
export function alternatives(
  program: Program,
  state: State,
  tid: number,
  run: (move: number) => Outcome = (m) => executeStep(program, state, m),
): { steps: Stepped[]; held: Blocked | null; done: boolean; refused: number } {
  const first = run(tid);
  if (first.kind === 'done') return { steps: [], held: null, done: true, refused: 0 };
  if (first.choices === null) return first.kind === 'step' ? { steps: [first], held: null, done: false, refused: 0 } : { steps: [], held: first, done: false, refused: 0 };
  const steps: Stepped[] = [];
  const held: Blocked[] = [];
  for (const o of eachAlternative(tid, run, first)) {
    if (o.kind === 'step') steps.push(o);
    else if (o.kind === 'blocked') held.push(o);
  }
  // Alternatives a false t.assume refused while others run: branches the environment rules out.
  const refused = steps.length > 0 ? held.filter((b) => b.assumed).length : 0;
  if (steps.length > 0 || held.length === 0) return { steps, held: null, done: false, refused };
  return { steps, held: held.length === 1 ? held[0]! : mergeHeld(held), done: false, refused: 0 };
}

/**
 * Every alternative of thread `tid`'s next step, one outcome each, in nextAlt's order (from
 * `first`, alternative 0, when the caller has run it already). Callers that stop early run no
 * more alternatives than they look at.
 */
export function* eachAlternative(tid: number, run: (move: number) => Outcome, first: Outcome = run(tid)): Generator<Outcome> {
  for (let o = first; ; ) {
    yield o;
    const alt = nextAlt(o.kind === 'done' ? null : o.choices);
    if (alt === null) return;
    o = run(moveOf(tid, alt));
  }
}

function mergeHeld(held: readonly Blocked[]): Blocked {
  const reads = [...new Set(held.flatMap((b) => b.rec.reads))];
  const navs = [...new Set(held.flatMap((b) => b.rec.navs))];
  const assumed = held.find((b) => b.assumed);
  return { ...(assumed ?? held[0]!), rec: { ...held[0]!.rec, reads, navs, writes: [] } };
}

/**
 * Step coverage (check/coverage.ts): the step ran, or was reached and blocked. Members of a
 * fused chain share the chain's fate: a chain that ends blocked leaves its thread where it was.
 * A few Set adds per step: cheap enough for the hot path.
 */
function noted(program: Program, o: Outcome, fused: readonly Stepped[] | null): Outcome {
  if (o.kind === 'done') return o;
  const into = o.kind === 'step' ? program.ran : program.blocked;
  note(into, o.proc, o.label);
  if (fused !== null) for (const f of fused) note(into, f.proc, f.label);
  return o;
}

function note(into: Map<string, Set<string>>, proc: string, label: string): void {
  let labels = into.get(proc);
  if (labels === undefined) into.set(proc, (labels = new Set()));
  labels.add(label);
}

/** Touches nothing another thread can see or change: no shared access, no thread started or joined. */
function isLocal(o: Stepped): boolean {
  return o.rec.reads.length === 0 && o.rec.writes.length === 0 && o.rec.navs.length === 0 && o.spawned === null && o.joined === null;
}

/**
 * Steps rechecked for determinism (DESIGN §2): every step of the first RECHECK_ALL a program
 * runs (small models: all of them), the first run of each step function, and then every
 * RECHECK_EVERY-th step. Chosen by counters, not at random, so that a run is reproducible; the
 * cost is one extra execution per sampled step (about 1/64 of the step time on large models).
 */
const RECHECK_ALL = 500;
const RECHECK_EVERY = 128;

function runStep(program: Program, state: State, tid: number, picker: Picker): Outcome {
  const frames = state.threads[tid]!;
  if (frames.length === 0 || isAbsent(frames)) return { kind: 'done', tid }; // finished, or not started
  const top = frames[frames.length - 1]!;
  const proc = program.procedure(top.proc);
  const fn = proc.steps[top.label]!;
  const rest = picker.rest;
  const made = picker.made?.length ?? 0;
  const o = runOnce(program, state, tid, frames, top, proc, fn, picker);
  const n = ++program.stepsRun;
  if ((n <= RECHECK_ALL || (n & (RECHECK_EVERY - 1)) === 0 || program.recheckAll || !program.recheckedSteps.has(fn)) && program.recheckSuspended === 0) {
    program.recheckedSteps.add(fn);
    const first = picker.made?.slice(made) ?? [];
    picker.rest = rest;
    if (picker.made !== null) picker.made.length = made;
    const again = runOnce(program, state, tid, frames, top, proc, fn, picker);
    const d = nondeterminism(program, state, tid, o, again) ?? choiceDifference(program, tid, o, first, picker.made?.slice(made) ?? []);
    if (d !== null) throw d;
  }
  return o;
}

function runOnce(program: Program, state: State, tid: number, frames: readonly Frame[], top: Frame, proc: Procedure, fn: Procedure['steps'][string], picker: Picker): Outcome {
  const control = new Control(picker);
  const ctx: any = new StepContext(control, program, state, tid, proc, top.label);
  const locals = top.locals;
  for (const k in locals) ctx[k] = locals[k];
  const draft = new DraftSession(state.shared, program.locs, { freeze: program.freeze });
  const where = `${top.proc}.${top.label}`;
  let result: unknown;
  try {
    result = fn(draft.proxy, ctx, program.params);
  } catch (e) {
    if (e === BLOCKED) {
      const rec = draft.abandon();
      return { kind: 'blocked', tid, alt: picker.alt, choices: picker.made, proc: top.proc, label: top.label, rec, why: control.why, joins: control.joins, assumed: control.assumed };
    }
    if (e instanceof NewThreads) {
      draft.abandon();
      throw e;
    }
    draft.abandon();
    throw asStepError(e, program, tid, top);
  }
  if (result instanceof Promise) {
    // An async step ran only up to its first await; what it does after would run on a closed
    // draft, long after the step "ended". Swallow that later rejection and refuse the step.
    result.then(undefined, () => {});
    draft.abandon();
    throw new StepError(`step ${where} of thread ${program.threadName(tid)} returned a Promise: steps must be synchronous functions (remove async/await)`, tid, top.proc, top.label);
  }
  let rec: Recording;
  let shared: any;
  let threadFrames: readonly Frame[];
  try {
    ({ root: shared, rec } = draft.finish());
    const newLocals = collectLocals(ctx, locals, draft, where, program.freeze);
    threadFrames = nextFrames(frames, top, proc, control, newLocals, draft, program.freeze);
  } catch (e) {
    throw asStepError(e, program, tid, top);
  }
  const threads = state.threads.slice();
  threads[tid] = threadFrames;
  let spawned: number[] | null = null;
  for (const sp of control.spawns ?? []) {
    threads[sp.tid] = sp.frames;
    (spawned ??= []).push(sp.tid);
  }
  const next: State = { shared, threads };
  if (program.freeze) Object.freeze(threads), Object.freeze(next);
  const caller = frames.length > 1 ? frames[frames.length - 2]!.proc : null;
  return { kind: 'step', tid, alt: picker.alt, choices: picker.made, spawned, joined: control.joined, proc: top.proc, label: top.label, caller, via: NO_VIA, rec, state: next, failures: control.failures };
}

function nextFrames(frames: readonly Frame[], top: Frame, proc: Procedure, c: Control, locals: Locals, draft: DraftSession, freeze: boolean): readonly Frame[] {
  const callers = frames.slice(0, -1);
  if (c.exited) return EMPTY_FRAMES;
  if (c.returned) {
    const v = c.value === undefined ? undefined : plainValue(c.value, draft, `the return value of '${proc.name}'`);
    freezeDeep(v);
    return returnTo(callers, top.into, v, freeze);
  }
  const next = c.next ?? proc.labels[proc.labels.indexOf(top.label) + 1] ?? null;
  if (c.call !== null) {
    const caller = newFrame(top.proc, next ?? RETURN_LABEL, locals, top.into, freeze);
    const callee = newFrame(c.call.proc.name, c.call.proc.labels[0]!, c.call.args, c.call.into, freeze);
    return seal([...callers, caller, callee], freeze);
  }
  if (next === null) return returnTo(callers, top.into, undefined, freeze);
  return seal([...callers, newFrame(top.proc, next, locals, top.into, freeze)], freeze);
}

function asStepError(e: unknown, program: Program, tid: number, top: Frame): StepError {
  if (e instanceof StepError) return e;
  const where = `${top.proc}.${top.label}`;
  const who = `thread ${program.threadName(tid)}`;
  if (e instanceof ModelError) return new StepError(`${who}, step ${where}: ${e.message}`, tid, top.proc, top.label, e.hint);
  const msg = e instanceof Error ? e.message : String(e);
  let hint: string | undefined;
  if (/object is not extensible|read only property|Cannot assign to read only|Cannot add property/.test(msg)) {
    hint = 'locals and values read from locals are immutable: assign a new value (t.list = [...t.list, x]) instead of changing one in place';
  }
  const err = new StepError(`${who}, step ${where} threw: ${msg}`, tid, top.proc, top.label, hint);
  if (e instanceof Error) err.stack = e.stack;
  return err;
}

/** A step that gave two different outcomes from the same state (DESIGN §2: steps are deterministic). */
export class NondeterminismError extends StepError {}

const DETERMINISM_FIX = 'steps must be functions of the state (no Math.random, Date.now, or outside variables)';

/**
 * Null when `a` and `b`, two runs of thread `tid`'s next step from `state`, are the same
 * outcome: the same kind, the same shared state and footprint, the same frames and locals, the
 * same assertion failures. Else the error that names the step and the first difference.
 */
export function nondeterminism(program: Program, state: State, tid: number, a: Outcome, b: Outcome): NondeterminismError | null {
  const d = outcomeDifference(a, b, tid);
  if (d === null) return null;
  const frames = state.threads[tid]!;
  const top = frames[frames.length - 1];
  const proc = a.kind !== 'done' ? a.proc : top?.proc ?? '?';
  const label = a.kind !== 'done' ? a.label : top?.label ?? '?';
  return new NondeterminismError(
    `step ${proc}.${label} of thread ${program.threadName(tid)} is not deterministic: run twice from the same state it ${d}; ${DETERMINISM_FIX}`,
    tid, proc, label,
  );
}

/**
 * Runs thread `tid`'s next step twice from `state` (replay and the counterexample recheck run
 * every step so, where the explorers only sample): the first outcome, and the difference
 * between the two runs if there is one.
 */
export function executeTwice(program: Program, state: State, move: number): { readonly outcome: Outcome; readonly unstable: NondeterminismError | null } {
  const outcome = executeStep(program, state, move);
  const again = executeStep(program, state, move);
  return { outcome, unstable: nondeterminism(program, state, tidOf(move), outcome, again) };
}

/** Two runs of one step that made different choices (labels, or numbers of values offered). */
function choiceDifference(program: Program, tid: number, o: Outcome, a: readonly Choice[], b: readonly Choice[]): NondeterminismError | null {
  const text = (cs: readonly Choice[]) => (cs.length === 0 ? 'nothing' : cs.map((c) => `${c.label} among ${c.count}`).join(', '));
  if (a.length === b.length && a.every((c, i) => c.label === b[i]!.label && c.count === b[i]!.count && c.index === b[i]!.index)) return null;
  const proc = o.kind !== 'done' ? o.proc : '?';
  const label = o.kind !== 'done' ? o.label : '?';
  return new NondeterminismError(
    `step ${proc}.${label} of thread ${program.threadName(tid)} is not deterministic: run twice from the same state it chose ${text(a)}, then ${text(b)}; ${DETERMINISM_FIX}`,
    tid, proc, label,
  );
}

function outcomeDifference(a: Outcome, b: Outcome, tid: number): string | null {
  if (a.kind !== b.kind) return `${did(a)}, then ${did(b)}`;
  if (a.kind === 'done' || b.kind === 'done') return null;
  const ca = a.choices ?? [];
  const cb = b.choices ?? [];
  if (ca.length !== cb.length || ca.some((c, i) => c.label !== cb[i]!.label || c.count !== cb[i]!.count || c.index !== cb[i]!.index)) {
    return `chose ${choicesText(a.choices) || 'nothing'}, then ${choicesText(b.choices) || 'nothing'}`;
  }
  if (a.proc !== b.proc || a.label !== b.label) return `ran ${a.proc}.${a.label}, then ${b.proc}.${b.label}`;
  if (a.kind === 'blocked' || b.kind === 'blocked') {
    if (a.kind === 'blocked' && b.kind === 'blocked' && a.why !== b.why) return `${did(a)}, then ${did(b)}`;
    return sameLocs(a.rec.reads, b.rec.reads) ? null : `read ${paths(a.rec.reads)}, then ${paths(b.rec.reads)}`;
  }
  if (a.state.shared !== b.state.shared && !plainEqual(a.state.shared, b.state.shared)) {
    const [path, x, y] = firstDiff(a.state.shared, b.state.shared, '');
    return `wrote ${path} = ${brief(x)}, then ${path} = ${brief(y)}`;
  }
  const sa = a.spawned ?? [];
  const sb = b.spawned ?? [];
  if (sa.length !== sb.length || sa.some((x, i) => x !== sb[i] || !plainEqual(a.state.threads[x], b.state.threads[x]))) {
    const names = (xs: readonly number[]) => xs.map((x) => `${a.state.threads[x]?.[0]?.proc ?? '?'} as thread ${x}`).join(', ') || 'nothing';
    return `started ${names(sa)}, then ${names(sb)}`;
  }
  const fa = a.state.threads[tid]!;
  const fb = b.state.threads[tid]!;
  if (fa !== fb && !plainEqual(fa, fb)) {
    const ta = fa[fa.length - 1];
    const tb = fb[fb.length - 1];
    if (fa.length !== fb.length || ta!.proc !== tb!.proc || ta!.label !== tb!.label) {
      const at = (t: Frame | undefined) => (t === undefined ? 'the end of the thread' : `${t.proc}.${t.label}`);
      return `went on to ${at(ta)}, then to ${at(tb)}`;
    }
    for (let i = fa.length - 1; i >= 0; i--) {
      if (plainEqual(fa[i]!.locals, fb[i]!.locals)) continue;
      const [path, x, y] = firstDiff(fa[i]!.locals, fb[i]!.locals, '');
      return `set local ${path} = ${brief(x)}, then ${path} = ${brief(y)}`;
    }
    return `left different call frames (${brief(fa)}, then ${brief(fb)})`;
  }
  const ea = (a.failures ?? []).map((f) => `'${f.property}'${f.detail !== undefined ? ` (${f.detail})` : ''}`).join(', ');
  const eb = (b.failures ?? []).map((f) => `'${f.property}'${f.detail !== undefined ? ` (${f.detail})` : ''}`).join(', ');
  if (ea !== eb) return `failed ${ea || 'no assertion'}, then ${eb || 'no assertion'}`;
  if (!sameLocs(a.rec.writes, b.rec.writes)) return `stored to ${paths(a.rec.writes)}, then to ${paths(b.rec.writes)}`;
  if (!sameLocs(a.rec.reads, b.rec.reads) || !sameLocs(a.rec.navs, b.rec.navs)) {
    return `read ${paths([...a.rec.reads, ...a.rec.navs])}, then ${paths([...b.rec.reads, ...b.rec.navs])}`;
  }
  return null;
}

function did(o: Outcome): string {
  if (o.kind === 'done') return 'had finished';
  if (o.kind === 'blocked') return `was blocked${o.why !== undefined ? ` (${o.why})` : ''}`;
  return 'ran';
}

function sameLocs(x: readonly { readonly id: number }[], y: readonly { readonly id: number }[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function paths(locs: readonly { readonly path: string }[]): string {
  return locs.length === 0 ? 'nothing' : `[${locs.map((l) => l.path || '(all of shared state)').join(', ')}]`;
}

/** Deep equality of plain data; shared subtrees (the untouched part of a state) compare by identity. */
export function plainEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !plainEqual((a as any)[k], (b as any)[k])) return false;
  }
  return true;
}

const ABSENT_TEXT = Symbol('absent');

/** The first path (`frames.3.owner`) where two unequal plain values differ, and the values there. */
function firstDiff(a: unknown, b: unknown, path: string): [string, unknown, unknown] {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const x = Object.prototype.hasOwnProperty.call(a, k) ? (a as any)[k] : ABSENT_TEXT;
      const y = Object.prototype.hasOwnProperty.call(b, k) ? (b as any)[k] : ABSENT_TEXT;
      if (!plainEqual(x, y)) return firstDiff(x, y, path === '' ? k : `${path}.${k}`);
    }
  }
  return [path === '' ? '(the whole value)' : path, a, b];
}

function brief(v: unknown): string {
  if (v === ABSENT_TEXT) return '(absent)';
  if (v === undefined) return 'undefined';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

export { altOf, MOVE_STRIDE, moveOf, tidOf } from './move.ts';
