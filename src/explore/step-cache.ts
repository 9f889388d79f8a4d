import { underAnother, valueAt, type Loc } from '../model/location.ts';
import type { Frame, Locals, Program, State } from '../model/program.ts';
import { MOVE_STRIDE } from '../model/move.ts';
import { profiledStep } from './profile.ts';
import type { Profile } from './types.ts';
import { plainEqual, type Blocked, type Outcome, type Stepped } from '../model/step.ts';
import { hashThread } from './fingerprint.ts';
import { setAt } from './reuse.ts';

/**
 * Step outcomes remembered by what determines them, for the searches that run the same steps
 * in many states (the stateful engine, minimisation, the random and PCT walks). A step (with the
 * local-only steps fused in front of it) is a deterministic function of its thread's frames,
 * its thread's identity, the parameters and the shared values it reads (DESIGN §2; sampled by
 * step.ts's recheck): when a thread with equal frames reads equal values at every location its
 * earlier run read or navigated, it takes the same branches and reads nothing else (by
 * induction over its reads, the first of which its frames fix), so it blocks the same way or
 * writes the same values and leaves the same frames. Its outcome is then rebuilt from the
 * earlier one, as reuse.ts rebuilds an independent step's, instead of running the step through
 * the draft again; in M1 most runs are of a few steps with a few locals, met in states that
 * differ elsewhere.
 *
 * Everything is compared exactly (frames by content, read values by plain equality): a hit
 * never rests on a hash. Steps that choose, start or join threads are not remembered (their
 * outcome depends on more than the above, or has more parts). The table is cleared when it
 * holds LIMIT outcomes, so its memory stays bounded whatever the search's size.
 */
export class StepCache {
  private table = new Map<number, Entry[]>();
  private size = 0;
  private readonly freeze: boolean;

  /** `keyBits`: of the stack hash, how many bits pick a bucket (tests use 0: one bucket, so that only the exact comparisons tell entries apart). */
  constructor(
    private readonly program: Program,
    private readonly keyBits = 30,
  ) {
    this.freeze = program.freeze;
  }

  /** Runs `move` at `state` (profiledStep), or answers it from a remembered run. */
  step(state: State, move: number, profile?: Profile): Outcome {
    if (move >= MOVE_STRIDE) return profiledStep(this.program, state, move, profile); // an alternative of a choosing step
    const key = this.keyOf(state.threads[move]!, move);
    const hit = this.find(key, state, move);
    if (hit !== undefined) return hit;
    const o = profiledStep(this.program, state, move, profile);
    this.remember(key, state, move, o);
    return o;
  }

  /** Thread `tid`'s outcome at `state` when a remembered one applies; else undefined. */
  lookup(state: State, tid: number): Outcome | undefined {
    return this.find(this.keyOf(state.threads[tid]!, tid), state, tid);
  }

  /** Remembers `o`, thread `tid`'s outcome just computed at `state` (when it can be). */
  store(state: State, tid: number, o: Outcome): void {
    this.remember(this.keyOf(state.threads[tid]!, tid), state, tid, o);
  }

  private find(key: number, state: State, tid: number): Outcome | undefined {
    const bucket = this.table.get(key);
    if (bucket === undefined) return undefined;
    const frames = state.threads[tid]!;
    for (let i = 0; i < bucket.length; i++) {
      const e = bucket[i]!;
      if (e.tid === tid && sameFrames(e.frames, frames) && observesAlike(e, state.shared)) return e.blocked ?? rebuild(e, state, this.freeze);
    }
    return undefined;
  }

  private remember(key: number, state: State, tid: number, o: Outcome): void {
    if (o.kind === 'done' || o.choices !== null || o.alt !== 0) return;
    if (o.kind === 'blocked' ? o.joins !== null : o.spawned !== null || o.joined !== null) return;
    if (this.size >= LIMIT) {
      this.table = new Map();
      this.size = 0;
    }
    const frames = state.threads[tid]!;
    const { reads, navs } = o.rec;
    const e: Entry = {
      tid,
      frames,
      reads,
      readValues: reads.map((l) => valueAt(state.shared, l)),
      navs,
      navKinds: navs.map((l) => kindOf(valueAt(state.shared, l))),
      blocked: o.kind === 'blocked' ? o : null,
      stepped: null,
      writes: [],
      writeValues: [],
      after: null,
    };
    if (o.kind === 'step') {
      const ws = o.rec.writes;
      for (const w of ws) {
        if (underAnother(w, ws)) continue;
        e.writes.push(w);
        e.writeValues.push(valueAt(o.state.shared, w));
      }
      e.after = o.state.threads[tid]!;
      e.stepped = { ...o, state: NO_STATE };
    }
    const bucket = this.table.get(key);
    if (bucket === undefined) this.table.set(key, [e]);
    else if (bucket.length < BUCKET) bucket.push(e);
    else bucket[this.size % BUCKET] = e;
    this.size++;
  }

  private keyOf(frames: readonly Frame[], tid: number): number {
    return (hashThread(frames).a ^ Math.imul(tid + 1, 0x9e3779b1)) & ((1 << this.keyBits) - 1);
  }
}

/** Outcomes remembered before the table is cleared. */
const LIMIT = 1 << 16;
/** Outcomes remembered for one key (equal frames that met different values). */
const BUCKET = 8;

const NO_STATE: State = Object.freeze({ shared: null, threads: Object.freeze([]) });

interface Entry {
  readonly tid: number;
  /** The thread's frames where it ran. */
  readonly frames: readonly Frame[];
  readonly reads: readonly Loc[];
  /** The values at `reads` where it ran. */
  readonly readValues: readonly unknown[];
  readonly navs: readonly Loc[];
  /** What the navigated locations held where it ran (kindOf). */
  readonly navKinds: readonly unknown[];
  /** The outcome when it blocked (reused as it is). */
  readonly blocked: Blocked | null;
  /** The outcome when it stepped, without its state (rebuilt per use). */
  stepped: Stepped | null;
  /** The topmost locations it wrote, and the values it left there. */
  readonly writes: Loc[];
  readonly writeValues: unknown[];
  /** The thread's frames after it. */
  after: readonly Frame[] | null;
}

function rebuild(e: Entry, at: State, freeze: boolean): Stepped {
  let shared = at.shared;
  for (let i = 0; i < e.writes.length; i++) shared = setAt(shared, e.writes[i]!, e.writeValues[i], freeze);
  const threads = at.threads.slice();
  threads[e.tid] = e.after!;
  if (freeze) Object.freeze(threads);
  const state: State = freeze ? Object.freeze({ shared, threads }) : { shared, threads };
  return { ...e.stepped!, state };
}

function observesAlike(e: Entry, shared: unknown): boolean {
  for (let i = 0; i < e.reads.length; i++) {
    const v = valueAt(shared, e.reads[i]!);
    const w = e.readValues[i];
    if (v !== w && !(typeof v === 'object' && v !== null && typeof w === 'object' && w !== null && plainEqual(v, w))) return false;
  }
  for (let i = 0; i < e.navs.length; i++) if (kindOf(valueAt(shared, e.navs[i]!)) !== e.navKinds[i]) return false;
  return true;
}

const ARRAY = Symbol('array');
const OBJECT = Symbol('object');

/**
 * What navigating a location can tell a step: that it is missing, an array or an object (a
 * scalar there is told apart by its value, which is more than a step can see but never less).
 */
function kindOf(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  return Array.isArray(v) ? ARRAY : OBJECT;
}

function sameFrames(a: readonly Frame[], b: readonly Frame[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.proc !== y.proc || x.label !== y.label || x.into !== y.into || !sameLocals(x.locals, y.locals))) return false;
  }
  return true;
}

function sameLocals(a: Locals, b: Locals): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    n++;
    if (!(k in b)) return false;
    const x = a[k];
    const y = b[k];
    if (x !== y && !plainEqual(x, y)) return false;
  }
  for (const _ in b) n--;
  return n === 0;
}
