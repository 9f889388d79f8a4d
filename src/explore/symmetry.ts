import { evaluatePredicates } from '../check/evaluate.ts';
import { ModelError } from '../model/errors.ts';
import { FRAME_MEMO } from '../model/frame.ts';
import type { Frame, Program, State } from '../model/program.ts';
import { executeStep, plainEqual } from '../model/step.ts';
import type { Renaming, Symmetry } from '../model/symmetry.ts';
import { isPrefix, underAnother, valueAt, type Loc } from '../model/location.ts';
import { combine, frameHash, freshFrameHash, hashThread, leafTerm, stackTerms, subtreeHash, withStacks, type FrameHasher, type Hash2 } from './fingerprint.ts';

/**
 * Symmetry reduction for the stateful engine (DESIGN §4a): a state is stored as the state its
 * threads' renaming makes canonical, so states that differ only by which interchangeable thread
 * is where are one state. The search itself runs on concrete states, so every counterexample is
 * a concrete schedule that replays without symmetry; only the store and the sleep masks see
 * canonical thread ids.
 *
 * The canonical renaming sorts each group's threads by a hash of their call stacks taken with
 * one common thread id (ties keep thread order). Any renaming is sound, since two states are
 * merged only when one is a renaming of the other; a better choice merges more.
 */
export class SymmetryReduction {
  private entered = 0;
  /** The topmost containers renaming can change (no two nested, none twice), and each pattern's. */
  private readonly tops: Loc[];
  private readonly topOfPattern: number[];
  private readonly parts: WeakMap<object, Hash2>[];
  private readonly renamedParts: WeakMap<object, Map<number | string, Hash2>>[];
  /** Per root: which patterns are its own (for renameShared). */
  private readonly ofRoot: ((pattern: number) => boolean)[];
  /**
   * Per root whose patterns all name the values right under it (`'locks.*'`): their renamers, in
   * pattern order. Such a container (a few lock words) is renamed leaf by leaf: cheaper than the
   * memo tables, whose entries for millions of short-lived small containers cost the collector.
   */
  private readonly flat: (((x: unknown, r: Renaming) => unknown)[] | null)[];
  private readonly renamedFrames = new WeakMap<Frame, Map<number | string, Hash2>>();
  private readonly shapeCache = new WeakMap<Frame, Hash2>();
  constructor(
    private readonly program: Program,
    private readonly sym: Symmetry,
    /** The declaration is checked on this many states entered first, then on one in `every` (see check()). */
    private readonly checkStates = 200,
    private readonly every = 1024,
  ) {
    const roots = sym.roots().map((p) => program.locs.at(p));
    this.tops = [...new Set(roots)].filter((l, _, all) => !underAnother(l, all));
    this.topOfPattern = roots.map((l) => this.tops.findIndex((t) => t === l || isPrefix(t, l)));
    this.parts = this.tops.map(() => new WeakMap());
    this.renamedParts = this.tops.map(() => new WeakMap());
    this.ofRoot = this.tops.map((_, j) => (p: number) => this.topOfPattern[p] === j);
    this.flat = this.tops.map((top, j) => {
      const own = roots.flatMap((l, p) => (this.topOfPattern[p] === j ? [p] : []));
      const fs = own.map((p) => (roots[p] === top ? sym.valueRenamer(p) : null));
      return fs.every((f) => f !== null) ? (fs as ((x: unknown, r: Renaming) => unknown)[]) : null;
    });
  }

  /**
   * Each group's threads sorted by (hash, thread id), by insertion sort (groups are small), and
   * the runs of threads tied on their hash ([group, start, end) of the sorted order).
   */
  private sorted(threads: readonly Hash2[]): { order: number[][]; ties: number[][] } {
    const order: number[][] = [];
    const ties: number[][] = [];
    for (let gi = 0; gi < this.sym.groups.length; gi++) {
      const o = this.sym.groups[gi]!.slice();
      for (let i = 1; i < o.length; i++) {
        const x = o[i]!;
        const hx = threads[x]!;
        let j = i - 1;
        for (; j >= 0; j--) {
          const hy = threads[o[j]!]!;
          if (hy.a < hx.a || (hy.a === hx.a && (hy.b < hx.b || (hy.b === hx.b && o[j]! < x)))) break;
          o[j + 1] = o[j]!;
        }
        o[j + 1] = x;
      }
      for (let i = 0; i < o.length; ) {
        let k = i + 1;
        while (k < o.length && threads[o[k]!]!.a === threads[o[i]!]!.a && threads[o[k]!]!.b === threads[o[i]!]!.b) k++;
        if (k - i > 1) ties.push([gi, i, k]);
        i = k;
      }
      order.push(o);
    }
    return { order, ties };
  }

  /**
   * The renaming that sends `order` to the groups (null when it is the identity) and its key
   * (keyOf), from a table of the renamings met so far: the search meets few of them, and tries
   * several per state where threads tie.
   */
  private renamingTo(order: readonly (readonly number[])[], n: number): { r: Renaming | null; key: number | string } {
    const tid = this.scratch.length === n ? this.scratch : (this.scratch = new Array<number>(n));
    for (let i = 0; i < n; i++) tid[i] = i;
    let identity = true;
    for (let gi = 0; gi < order.length; gi++) {
      const g = this.sym.groups[gi]!;
      const o = order[gi]!;
      for (let k = 0; k < g.length; k++) {
        tid[o[k]!] = g[k]!;
        if (o[k] !== g[k]) identity = false;
      }
    }
    const key = keyOfTids(tid);
    if (identity) return { r: null, key };
    let r = this.renamings.get(key);
    if (r === undefined) this.renamings.set(key, (r = this.sym.renaming(order, n)));
    return { r, key };
  }
  private scratch: number[] = [];
  private readonly renamings = new Map<number | string, Renaming>();

  /**
   * The fingerprint of the state's representative and the renaming that gives it. Each group is
   * sorted by its threads' stack shapes (with id locals declared a stack's hash changes under
   * renaming, so the locals are blanked: corresponding threads of an orbit's states then sort
   * alike). Threads tied on their shapes are tried in every order and the least fingerprint
   * wins, so every state of an orbit has the same representative: the stored count is the
   * number of orbits whatever the order states are met in, which lets a symmetric search be
   * split across threads and shards (split-search.ts, part-search.ts). Ties are few past the
   * first steps (threads that have not started, or have ended), and the renamed containers'
   * hashes are memoised, so each order tried costs a few lookups.
   */
  canonicalKey(state: State, concrete: Hash2, shared: Hash2, stacks: readonly Hash2[]): { fp: Hash2; r: Renaming | null } {
    const { order, ties } = this.sorted(this.sym.renamesLocals ? this.shapes(state, stacks) : stacks);
    const n = stacks.length;
    if (ties.length === 0) {
      const { r, key } = this.renamingTo(order, n);
      if (r === null) return { fp: concrete, r };
      this.prepare(state, shared);
      return { fp: this.prepared(state, r, key, stacks), r };
    }
    let best: { fp: Hash2; r: Renaming | null } | null = null;
    this.prepare(state, shared);
    // Without id locals, tied threads have equal stacks: every order of the ties places the
    // same stacks at the same threads, so the stacks' part of the fingerprint is computed once.
    let terms: Hash2 | null = null;
    const visit = (t: number): void => {
      if (t === ties.length) {
        const { r, key } = this.renamingTo(order, n);
        let fp: Hash2;
        if (r === null) fp = concrete;
        else if (this.sym.renamesLocals) fp = this.prepared(state, r, key, stacks);
        else fp = withStacks(this.renamedShared(r, key), (terms ??= stackTerms(stacks, r.tid)));
        if (best === null || fp.a < best.fp.a || (fp.a === best.fp.a && fp.b < best.fp.b)) best = { fp, r };
        return;
      }
      const [gi, from, to] = ties[t]!;
      permute(order[gi]!, from, to, () => visit(t + 1));
    };
    visit(0);
    return best!;
  }

  /** Stack hashes with the declared id locals blanked, for the threads of a group (others as they are). */
  private shapes(state: State, stacks: readonly Hash2[]): Hash2[] {
    const out = stacks.slice();
    for (const g of this.sym.groups) for (const t of g) out[t] = hashThread(state.threads[t]!, this.shapeHasher);
    return out;
  }

  /** A frame's hash with its id locals blanked, memoised in the frame as frameHash is (else by identity). */
  private readonly shapeHasher: FrameHasher = {
    frame: (f) => {
      if (!this.sym.holdsIds(f)) return frameHash(f);
      const m = f[FRAME_MEMO];
      if (m !== undefined) {
        if (m.shapeOf !== this || m.shape === null) {
          m.shape = freshFrameHash(this.sym.shapeFrame(f));
          m.shapeOf = this;
        }
        return m.shape;
      }
      let h = this.shapeCache.get(f);
      if (h === undefined) this.shapeCache.set(f, (h = freshFrameHash(this.sym.shapeFrame(f))));
      return h;
    },
  };

  /** A frame's hash with its id locals renamed by the renaming being applied (`renaming`, `renamingKey`). */
  private readonly renameHasher: FrameHasher = {
    frame: (f) => {
      if (!this.sym.holdsIds(f)) return frameHash(f);
      let byKey = this.renamedFrames.get(f);
      if (byKey === undefined) this.renamedFrames.set(f, (byKey = new Map()));
      let h = byKey.get(this.renamingKey);
      if (h === undefined) byKey.set(this.renamingKey, (h = freshFrameHash(this.sym.renameFrame(f, this.renaming!))));
      return h;
    },
  };
  private renaming: Renaming | null = null;
  private renamingKey: number | string = 0;

  /**
   * The fingerprint of the canonical state, equal to fingerprint(apply(state, r)) but without
   * building it: the renamed containers' parts of the shared hash, and renamed frames' hashes,
   * are memoised per (object, renaming). States share their unchanged containers and frames
   * (the draft copies only what a step writes), so most renamings of a state are lookups;
   * rebuilding and rehashing the renamed containers on every state took half of M4's search.
   */
  fingerprint(state: State, r: Renaming | null, concrete: Hash2, shared: Hash2, threads: readonly Hash2[]): Hash2 {
    if (r === null) return concrete;
    this.prepare(state, shared);
    return this.prepared(state, r, keyOfTids(r.tid), threads);
  }

  /** What every renaming of one state needs: the containers at the roots, the shared hash without their parts, which stacks hold ids. */
  private prepare(state: State, shared: Hash2): void {
    let a = shared.a;
    let b = shared.b;
    for (let j = 0; j < this.tops.length; j++) {
      const v = valueAt(state.shared, this.tops[j]!);
      this.rootValues[j] = v;
      this.flatNow[j] = this.flat[j] !== null && flatContainer(v);
      if (this.flatNow[j]) continue; // renamedShared adds the changed leaves' difference
      const part = this.partOf(j, v);
      a = (a - part.a) >>> 0;
      b = (b - part.b) >>> 0;
    }
    this.base = { a, b };
    if (this.sym.renamesLocals) for (let i = 0; i < state.threads.length; i++) this.stackHoldsIds[i] = this.holdsIds(state.threads[i]!);
  }

  /** fingerprint() of the state prepare() was given, renamed by r (not null; `key` its keyOf). */
  private prepared(state: State, r: Renaming, key: number | string, threads: readonly Hash2[]): Hash2 {
    const h = this.renamedShared(r, key);
    if (!this.sym.renamesLocals) return combine(h, threads, r.tid);
    this.renaming = r;
    this.renamingKey = key;
    const renamed = new Array<Hash2>(threads.length);
    for (let i = 0; i < threads.length; i++) renamed[i] = this.stackHoldsIds[i] ? hashThread(state.threads[i]!, this.renameHasher) : threads[i]!;
    return combine(h, renamed, r.tid);
  }

  /** The shared hash of the state prepare() was given, renamed by r. */
  private renamedShared(r: Renaming, key: number | string): Hash2 {
    let a = this.base.a;
    let b = this.base.b;
    for (let j = 0; j < this.tops.length; j++) {
      const v = this.rootValues[j];
      if (this.flatNow[j]) {
        // Values right under the root (lock words): only the leaves renaming changes differ.
        const loc = this.tops[j]!;
        const fs = this.flat[j]!;
        for (const k in v as object) {
          const x = (v as Record<string, unknown>)[k];
          let y = x;
          for (let i = 0; i < fs.length; i++) y = fs[i]!(y, r);
          if (y === x) continue;
          const at = this.program.locs.child(loc, k);
          const from = leafTerm(at, x);
          const to = leafTerm(at, y);
          a = (a - from.a + to.a) >>> 0;
          b = (b - from.b + to.b) >>> 0;
        }
        continue;
      }
      const part = this.renamedPartOf(j, v, r, key);
      a = (a + part.a) >>> 0;
      b = (b + part.b) >>> 0;
    }
    return { a, b };
  }

  private rootValues: unknown[] = [];
  /** Per root, whether this state's container there is flat (flatContainer) and renamed leaf by leaf. */
  private flatNow: boolean[] = [];
  private base: Hash2 = ZERO;
  private stackHoldsIds: boolean[] = [];

  private holdsIds(frames: readonly Frame[]): boolean {
    for (let i = 0; i < frames.length; i++) if (this.sym.holdsIds(frames[i]!)) return true;
    return false;
  }

  /** Root j's part of the concrete shared hash. */
  private partOf(j: number, v: unknown): Hash2 {
    if (v === null || typeof v !== 'object') return subtreeHash(this.program.locs, this.tops[j]!, v);
    let h = this.parts[j]!.get(v);
    if (h === undefined) this.parts[j]!.set(v, (h = subtreeHash(this.program.locs, this.tops[j]!, v)));
    return h;
  }

  /** Root j's part of the renamed state's shared hash: its patterns applied, then hashed. */
  private renamedPartOf(j: number, v: unknown, r: Renaming, key: number | string): Hash2 {
    if (v === null || typeof v !== 'object') return this.renamedPart(j, v, r);
    let byKey = this.renamedParts[j]!.get(v);
    if (byKey === undefined) this.renamedParts[j]!.set(v, (byKey = new Map()));
    let h = byKey.get(key);
    if (h === undefined) byKey.set(key, (h = this.renamedPart(j, v, r)));
    return h;
  }

  /** Root j's part renamed: its patterns applied to `v` placed alone at the root's path, then hashed. */
  private renamedPart(j: number, v: unknown, r: Renaming): Hash2 {
    const loc = this.tops[j]!;
    let alone = v;
    for (let l: Loc = loc; l.parent !== null; l = l.parent) alone = { [l.key]: alone };
    const moved = this.sym.renameShared(alone, r, this.ofRoot[j]!);
    return subtreeHash(this.program.locs, loc, valueAt(moved, loc));
  }

  canonical(state: State, r: Renaming | null): State {
    return r === null ? state : this.sym.apply(state, r);
  }

  /** A sleep mask over concrete thread ids, as canonical ids. */
  toCanonical(mask: number, r: Renaming | null): number {
    if (r === null) return mask;
    let out = 0;
    for (let t = 0; t < 32 && mask >>> t !== 0; t++) if ((mask >>> t) & 1) out |= 1 << r.tid[t]!;
    return out;
  }

  /** A mask over canonical ids, back to the concrete thread ids of the state `r` renames. */
  toConcrete(mask: number, r: Renaming | null): number {
    if (r === null) return mask;
    let out = 0;
    for (let t = 0; t < r.tid.length && t < 32; t++) if ((mask >>> r.tid[t]!) & 1) out |= 1 << t;
    return out;
  }

  /**
   * Checks the declaration on the first states entered, then on one in every 1,024 entered
   * (counted, so the same states in every run), and on every state whose fingerprint is 0 mod
   * 1,024: a declaration that misses an id held only deep in the search (a local of a wake-up
   * in progress, say) is found there. A search split across threads enters states in another
   * order, so its counted checks fall on other states; the ones picked by fingerprint are the
   * same, and a model error found in any thread runs the search again alone (split-search.ts),
   * so what is reported is the one-thread search's. Renaming by a swap and by a rotation of
   * each group must leave every invariant, witness (and, in a terminal state, final property)
   * as it is, and must commute with every step. A model that tells its threads apart where it
   * did not declare (a property reading `irq_on[0]`, a step using `t.tid` as a value the
   * declaration does not name) is a model error, not a wrong merge.
   */
  check(state: State, fp: Hash2): void {
    this.entered++;
    if (this.entered > this.checkStates && this.entered % this.every !== 0 && fp.b % this.every !== 0) return;
    const p = this.program;
    for (const r of this.sym.generators(state.threads.length)) {
      const moved = this.sym.apply(state, r);
      const first = r.tid.findIndex((t, i) => t !== i);
      const pair = `${p.threadName(r.tid[first]!)} and ${p.threadName(first)}`;
      const kinds = [['invariant', p.invariants], ['witness', p.witnesses]] as const;
      const done = state.threads.every((f) => f.length === 0);
      for (const [kind, preds] of done ? [...kinds, ['final', p.finals] as const] : kinds) {
        for (const pred of preds) {
          const here = evaluatePredicates(p, state.shared, [pred], kind).length;
          const there = evaluatePredicates(p, moved.shared, [pred], kind).length;
          if (here !== there) {
            throw new ModelError(
              `model '${p.model.name}': ${kind} '${pred.name}' tells threads ${pair} apart, but the model declares them interchangeable (symmetry)`,
              'a property of symmetric threads must treat them alike (e.g. every core, not core 0); or take those threads out of the symmetry group',
            );
          }
        }
      }
      for (let tid = 0; tid < state.threads.length; tid++) {
        const a = executeStep(p, state, tid);
        const b = executeStep(p, moved, r.tid[tid]!);
        const same = a.kind === b.kind && (a.kind !== 'step' || (b.kind === 'step' &&
          plainEqual(this.sym.apply(a.state, r), b.state) &&
          JSON.stringify(a.failures?.map((f) => f.property) ?? []) === JSON.stringify(b.failures?.map((f) => f.property) ?? [])));
        if (!same) {
          const where = a.kind === 'done' ? 'its end' : `step ${a.proc}.${a.label}`;
          throw new ModelError(
            `model '${p.model.name}': threads ${pair} are declared interchangeable (symmetry), but ${where} of ${p.threadName(tid)} does not do what it does for ${p.threadName(r.tid[tid]!)} with the ids renamed`,
            "declare every place that holds a thread or core id (symmetry keys such as 'irq_on.#core', values such as { path: 'locks.*', offset: 1 }, locals), or take the threads out of the group",
          );
        }
      }
    }
  }
}

const ZERO: Hash2 = { a: 0, b: 0 };

/** An array or record of primitives only (what a flat root is renamed leaf by leaf in). */
function flatContainer(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === 'object') return false;
  }
  return true;
}

/** A number (or, past 12 threads, a string) that tells renamings apart (by their thread map), for the memo tables. */
function keyOfTids(tid: readonly number[]): number | string {
  const n = tid.length;
  if (n > 12) return tid.join(',');
  let k = 0;
  for (let i = 0; i < n; i++) k = k * n + tid[i]!;
  return k;
}

/** Calls `f` once for every order of xs[from..to) (Heap's algorithm, in place; xs is left permuted). */
function permute(xs: number[], from: number, to: number, f: () => void): void {
  const k = to - from;
  const c = new Array<number>(k).fill(0);
  f();
  for (let i = 1; i < k; ) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      const x = xs[from + j]!;
      xs[from + j] = xs[from + i]!;
      xs[from + i] = x;
      f();
      c[i]!++;
      i = 1;
    } else {
      c[i] = 0;
      i++;
    }
  }
}
