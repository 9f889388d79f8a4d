import { ModelError } from './errors.ts';
import type { Frame, State, ThreadInfo } from './program.ts';
import { FRAME_MEMO, newFrame } from './frame.ts';

/**
 * What a model declares about interchangeable threads (DESIGN §4a, symmetry). Thread ids are
 * renamed by a permutation of each group; everything that holds an id must be declared, so
 * the renaming reaches it:
 *
 * - `keys`: containers whose keys (array indices or object keys) are thread or core ids, as
 *   dotted patterns where `*` is any key, `#tid` a thread id and `#core` a core id
 *   (`'runnable.#tid'`, `'irq_on.#core'`, `'ipi.#core.#core'`);
 * - `values`: paths whose values are a thread id plus `offset` (a spinlock word holds tid + 1
 *   and 0 when free: `{ path: 'locks.*', offset: 1 }`); arrays of ids by `'wq.*.*'`; names
 *   made of a prefix and a thread id by `prefix` (`{ path: 'tpages.*.*', prefix: 't' }` renames
 *   't2' to 't0'); a key segment `t#tid` likewise matches the key 't' + a thread id;
 * - `locals`: locals that hold thread ids: a name (the id itself), or `{ name, offset?, prefix? }`
 *   as for `values` (`{ name: 'page', prefix: 't' }`: a local holding the name 't2').
 *
 * The stateful engine checks the declaration on the states it enters first: a property that
 * tells two threads of a group apart, or a step whose result is not the renamed result of its
 * twin, is a model error, never a silent wrong merge.
 *
 * @example
 * ```ts
 * symmetry: ({ cores }) => ({ threads: [range(cores)], values: [{ path: 'locks.*', offset: 1 }] }),
 * ```
 */
export interface SymmetryDecl {
  /** Groups of interchangeable threads, by thread id or name. */
  threads: readonly (readonly (number | string)[])[];
  keys?: readonly string[];
  values?: readonly { readonly path: string; readonly offset?: number; readonly prefix?: string }[];
  locals?: readonly (string | { readonly name: string; readonly offset?: number; readonly prefix?: string })[];
}

type Seg = { kind: 'any' } | { kind: 'tid'; prefix: string } | { kind: 'core'; prefix: string } | { kind: 'key'; key: string };

function parsePattern(model: string, p: string): Seg[] {
  if (typeof p !== 'string' || p === '') throw new ModelError(`model '${model}': symmetry paths are dotted patterns such as 'irq_on.#core', got ${JSON.stringify(p)}`);
  return p.split('.').map((k): Seg => {
    if (k === '*') return { kind: 'any' };
    const id = /^(.*)#(tid|core)$/.exec(k);
    return id !== null ? { kind: id[2] as 'tid' | 'core', prefix: id[1]! } : { kind: 'key', key: k };
  });
}

/** A permutation of thread ids (and, through the threads' cores, of core ids). */
export interface Renaming {
  /** tid → tid. */
  readonly tid: readonly number[];
  /** core → core, indexed by core id (undefined: unchanged); computed only where keys name cores. */
  readonly core: readonly (number | undefined)[];
}

/** A symmetry declaration compiled against a program's threads. */
export class Symmetry {
  readonly groups: readonly (readonly number[])[];
  private readonly keys: Seg[][];
  private readonly values: { segs: Seg[]; offset: number; prefix: string | null }[];
  private readonly locals: readonly { readonly name: string; readonly offset: number; readonly prefix: string | null }[];
  private readonly cores: readonly number[];
  private readonly coreKeys: boolean;

  constructor(model: string, decl: SymmetryDecl, threads: readonly ThreadInfo[], initial: State) {
    const byName = new Map(threads.map((t) => [t.name, t.tid]));
    const seen = new Set<number>();
    this.groups = (decl.threads ?? []).map((g) =>
      g.map((x) => {
        const tid = typeof x === 'number' ? x : byName.get(x);
        if (tid === undefined || threads[tid] === undefined) {
          throw new ModelError(`model '${model}': symmetry names thread ${JSON.stringify(x)}, which the model does not have`, `threads: ${threads.map((t) => t.name).join(', ')}`);
        }
        if (seen.has(tid)) throw new ModelError(`model '${model}': thread ${threads[tid]!.name} is in two symmetry groups`);
        seen.add(tid);
        return tid;
      }),
    ).filter((g) => g.length > 1);
    this.cores = threads.map((t) => t.core);
    for (const g of this.groups) {
      const first = initial.threads[g[0]!]!;
      for (const tid of g) {
        const f = initial.threads[tid]!;
        if (f.length !== first.length || f.some((fr, i) => fr.proc !== first[i]!.proc || fr.label !== first[i]!.label || JSON.stringify(fr.locals) !== JSON.stringify(first[i]!.locals))) {
          throw new ModelError(`model '${model}': threads ${threads[g[0]!]!.name} and ${threads[tid]!.name} are declared interchangeable but start differently (procedure or arguments)`);
        }
      }
      const cs = new Set(g.map((t) => this.cores[t]));
      if (cs.size !== g.length) throw new ModelError(`model '${model}': the threads of a symmetry group must run on distinct cores (${g.map((t) => threads[t]!.name).join(', ')})`);
    }
    this.keys = (decl.keys ?? []).map((p) => parsePattern(model, p));
    this.coreKeys = this.keys.some((segs) => segs.some((x) => x.kind === 'core'));
    this.values = (decl.values ?? []).map((v) => ({ segs: parsePattern(model, v?.path), offset: v?.offset ?? 0, prefix: v?.prefix ?? null }));
    this.locals = (decl.locals ?? []).map((l) => {
      if (typeof l === 'string') return { name: l, offset: 0, prefix: null };
      if (typeof l?.name !== 'string' || l.name === '') throw new ModelError(`model '${model}': a symmetry local is a name or { name, offset?, prefix? }, got ${JSON.stringify(l)}`);
      return { name: l.name, offset: l.offset ?? 0, prefix: l.prefix ?? null };
    });
  }

  /** The renaming that sends members[k] of each group to group[k] (members: a reordering). */
  renaming(order: readonly (readonly number[])[], nthreads: number): Renaming {
    const tid: number[] = new Array(nthreads);
    for (let i = 0; i < nthreads; i++) tid[i] = i;
    const core: (number | undefined)[] = [];
    for (let gi = 0; gi < this.groups.length; gi++) {
      const g = this.groups[gi]!;
      const members = order[gi]!;
      for (let k = 0; k < g.length; k++) {
        tid[members[k]!] = g[k]!;
        if (this.coreKeys) core[this.cores[members[k]!]!] = this.cores[g[k]!]!;
      }
    }
    return { tid, core };
  }

  /** Whether renaming touches locals (then stacks must be rehashed, not moved). */
  get renamesLocals(): boolean {
    return this.locals.length > 0;
  }

  /**
   * The dotted paths of the containers renaming can change: each declared pattern up to its
   * first wildcard or id segment ('' for the whole state), one per pattern (keys, then values).
   */
  roots(): string[] {
    return [...this.keys, ...this.values.map((v) => v.segs)].map(rootOf);
  }

  /** The state with every thread id renamed: stacks moved, declared keys and values mapped. */
  apply(state: State, r: Renaming): State {
    const threads: (readonly Frame[])[] = new Array(state.threads.length);
    for (let i = 0; i < state.threads.length; i++) threads[r.tid[i]!] = this.renameFrames(state.threads[i]!, r);
    return { shared: this.renameShared(state.shared, r), threads };
  }

  /**
   * The shared state with the declared keys and values renamed; with `only`, just the patterns
   * whose root (roots(), by index) it accepts. Patterns under different roots touch disjoint
   * containers, so renaming root by root gives apply()'s result.
   */
  renameShared(shared: unknown, r: Renaming, only?: (pattern: number) => boolean): unknown {
    let out = shared;
    const nk = this.keys.length;
    for (let i = 0; i < nk; i++) if (only === undefined || only(i)) out = mapKeys(out, this.keys[i]!, 0, r);
    for (let i = 0; i < this.values.length; i++) {
      if (only !== undefined && !only(nk + i)) continue;
      const v = this.values[i]!;
      out = mapValues(out, v.segs, 0, (x) => renameHeld(x, v, r));
    }
    return out;
  }

  /**
   * For a pattern (an index of roots()) that names the values right under its root
   * (`'locks.*'`: a values pattern whose only wildcard is its last segment), how it renames
   * one of those values; null for any other pattern.
   */
  valueRenamer(pattern: number): ((x: unknown, r: Renaming) => unknown) | null {
    const v = this.values[pattern - this.keys.length];
    if (v === undefined || v.segs[v.segs.length - 1]!.kind !== 'any' || v.segs.slice(0, -1).some((x) => x.kind !== 'key')) return null;
    return (x, r) => renameHeld(x, v, r);
  }

  /** Renamings that generate each group's permutations: a swap of its first two, a rotation. */
  generators(nthreads: number): Renaming[] {
    return this.groups.flatMap((g) => {
      const gens = g.length > 2 ? [[g[1]!, g[0]!, ...g.slice(2)], [...g.slice(1), g[0]!]] : [[g[1]!, g[0]!]];
      return gens.map((gen) => this.renaming(this.groups.map((h) => (h === g ? gen : [...h])), nthreads));
    });
  }

  /** Whether a frame holds a declared id local (renaming or shape() may change it). */
  holdsIds(f: Frame): boolean {
    const m = f[FRAME_MEMO];
    if (m !== undefined && m.idsOf === this) return m.ids;
    let ids = false;
    for (const l of this.locals) if (l.name in f.locals) ids = true;
    if (m !== undefined) {
      m.idsOf = this;
      m.ids = ids;
    }
    return ids;
  }

  /**
   * A frame with the declared id locals blanked: what renaming leaves as it is, so two threads
   * of an orbit's states that correspond have equal shapes (canonical ordering).
   */
  shapeFrame(f: Frame): Frame {
    let locals = f.locals;
    for (const l of this.locals) if (l.name in locals) locals = { ...locals, [l.name]: null };
    return locals === f.locals ? f : newFrame(f.proc, f.label, locals, f.into, false);
  }

  private renameFrames(frames: readonly Frame[], r: Renaming): readonly Frame[] {
    return this.locals.length === 0 ? frames : frames.map((f) => this.renameFrame(f, r));
  }

  /** A frame with its declared id locals renamed (the frame itself when none changes). */
  renameFrame(f: Frame, r: Renaming): Frame {
    let locals = f.locals;
    for (const l of this.locals) {
      if (!(l.name in locals)) continue;
      const x = (locals as Record<string, unknown>)[l.name];
      const to = renameHeld(x, l, r);
      if (to !== x) locals = { ...locals, [l.name]: to };
    }
    return locals === f.locals ? f : newFrame(f.proc, f.label, locals, f.into, false);
  }
}

/** A pattern's fixed leading keys, dotted: the container renaming can change. */
function rootOf(segs: readonly Seg[]): string {
  const out: string[] = [];
  for (const s of segs) {
    if (s.kind !== 'key') break;
    out.push(s.key);
  }
  return out.join('.');
}

/** What a declared value or local holds, renamed: an id plus `offset`, or `prefix` + an id. */
function renameHeld(x: unknown, how: { readonly offset: number; readonly prefix: string | null }, r: Renaming): unknown {
  return how.prefix === null ? renameId(x, how.offset, r) : renameName(x, how.prefix, r);
}

function renameId(x: unknown, offset: number, r: Renaming): unknown {
  if (Array.isArray(x)) return x.map((e) => renameId(e, offset, r));
  if (typeof x !== 'number' || !Number.isInteger(x - offset)) return x;
  const to = r.tid[x - offset];
  return to === undefined ? x : to + offset;
}

/** `prefix` + a thread id, renamed ('t2' → 't0'); anything else as it is. */
function renameName(x: unknown, prefix: string, r: Renaming): unknown {
  if (Array.isArray(x)) return x.map((e) => renameName(e, prefix, r));
  if (typeof x !== 'string' || !x.startsWith(prefix)) return x;
  const rest = x.slice(prefix.length);
  if (!/^(0|[1-9]\d*)$/.test(rest)) return x;
  const to = r.tid[Number(rest)];
  return to === undefined ? x : `${prefix}${to}`;
}

function mapKeyName(k: string, seg: { kind: 'tid' | 'core'; prefix: string }, r: Renaming): string {
  if (!k.startsWith(seg.prefix)) return k;
  const rest = k.slice(seg.prefix.length);
  if (!/^(0|[1-9]\d*)$/.test(rest)) return k;
  const n = Number(rest);
  const to = seg.kind === 'tid' ? r.tid[n] : r.core[n];
  return to === undefined ? k : `${seg.prefix}${to}`;
}

/** Renames the keys that the pattern marks as ids, below `v` (copying only what changes). */
function mapKeys(v: unknown, segs: Seg[], i: number, r: Renaming): unknown {
  if (i === segs.length || v === null || typeof v !== 'object') return v;
  const seg = segs[i]!;
  const src = v as Record<string, unknown>;
  if (seg.kind === 'key') {
    if (!(seg.key in src)) return v;
    const child = mapKeys(src[seg.key], segs, i + 1, r);
    return child === src[seg.key] ? v : copyWith(v, seg.key, child);
  }
  const out: any = Array.isArray(v) ? new Array(v.length) : {};
  for (const k of Object.keys(src)) {
    const to = seg.kind === 'any' ? k : mapKeyName(k, seg, r);
    out[to] = mapKeys(src[k], segs, i + 1, r);
  }
  return out;
}

/** Applies `f` to the values at the pattern's paths below `v`. */
function mapValues(v: unknown, segs: Seg[], i: number, f: (x: unknown) => unknown): unknown {
  if (i === segs.length) return f(v);
  if (v === null || typeof v !== 'object') return v;
  const seg = segs[i]!;
  const src = v as Record<string, unknown>;
  if (seg.kind === 'key') {
    if (!(seg.key in src)) return v;
    const child = mapValues(src[seg.key], segs, i + 1, f);
    return child === src[seg.key] ? v : copyWith(v, seg.key, child);
  }
  let out: any = null;
  for (const k of Object.keys(src)) {
    const child = mapValues(src[k], segs, i + 1, f);
    if (child !== src[k]) (out ??= Array.isArray(v) ? v.slice() : { ...src })[k] = child;
  }
  return out ?? v;
}

function copyWith(v: object, key: string, child: unknown): object {
  const c: any = Array.isArray(v) ? v.slice() : { ...v };
  c[key] = child;
  return c;
}
