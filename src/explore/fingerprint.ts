import { ABSENT, underAnother, valueAt, type Loc, type LocTable } from '../model/location.ts';
import type { Frame, State } from '../model/program.ts';
import { FRAME_MEMO } from '../model/frame.ts';

/**
 * 64-bit state fingerprints for the stateful engine, kept as two independent 32-bit lanes.
 *
 * Shared state is hashed Zobrist-style: a tree is the set of its nodes, each node a (path,
 * content) pair, and the hash is the sum (mod 2^32 per lane) of one mixed term per node. A
 * container contributes its kind (object or array; an array also its length, as the leaf
 * `path.length`), a leaf its value. Key order does not matter, as in `canonical()`. Because the
 * sum is over nodes, a step's recorded writes update it incrementally: for each written path
 * not under another written path, subtract the terms of the old subtree there and add those of
 * the new one. Thread stacks are small and hashed whole, per thread, on every step of that
 * thread. test/explore/fingerprint.test.ts checks the incremental hash against a full rehash.
 *
 * Path seeds derive from the path's keys, never from interning order, so the same state has the
 * same fingerprint in every run and every worker.
 */

/** murmur3's 32-bit finalizer: a bijective avalanche mix. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_A = 0x243f6a88;
const SEED_B = 0x85a308d3;

// Type tags keep 1, '1', true and null apart, and objects apart from arrays.
const TAG_NUM = 0x9e3779b9;
const TAG_STR = 0x7f4a7c15;
const TAG_TRUE = 0x3c6ef372;
const TAG_FALSE = 0xa54ff53a;
const TAG_NULL = 0x510e527f;
const TAG_UNDEF = 0x1f83d9ab;
const TAG_OBJ = 0x5be0cd19;
const TAG_ARR = 0xcbbb9d5d;
const TAG_NAN = 0x629a292a;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Scratch result of the value hashes below: two lanes. */
let va = 0;
let vb = 0;

/** Hashes of the strings states hold (labels, procedure names, enum-like values), memoised. */
const strCache = new Map<string, Hash2>();
const STR_CACHE_MAX = 1 << 16;

function strHash(s: string): void {
  const hit = strCache.get(s);
  if (hit !== undefined) {
    va = hit.a;
    vb = hit.b;
    return;
  }
  strHashRaw(s);
  if (strCache.size < STR_CACHE_MAX) strCache.set(s, { a: va, b: vb });
}

function strHashRaw(s: string): void {
  let a = SEED_A ^ s.length;
  let b = SEED_B ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  va = fmix32(a ^ TAG_STR);
  vb = fmix32(b + TAG_STR);
}

/** Hash of a primitive value into (va, vb). -0 is 0, as canonical() has it. */
function primHash(v: unknown): void {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) {
        va = fmix32((v ^ TAG_NUM) >>> 0);
        vb = fmix32((Math.imul(v, 0x2545f491) + TAG_NUM) >>> 0);
      } else if (Number.isNaN(v)) {
        va = TAG_NAN;
        vb = ~TAG_NAN >>> 0;
      } else {
        f64[0] = v === 0 ? 0 : v;
        va = fmix32((u32[0]! ^ fmix32(u32[1]! ^ TAG_NUM)) >>> 0);
        vb = fmix32((u32[1]! + fmix32(u32[0]! + TAG_NAN)) >>> 0);
      }
      return;
    case 'string':
      strHash(v);
      return;
    case 'boolean':
      va = v ? TAG_TRUE : TAG_FALSE;
      vb = v ? TAG_FALSE : TAG_TRUE;
      return;
    case 'undefined':
      va = TAG_UNDEF;
      vb = TAG_NULL;
      return;
    default:
      va = TAG_NULL;
      vb = TAG_UNDEF;
  }
}

/** The two seeds of a path, derived from its parent's and its key. */
function seedOf(loc: Loc): void {
  if (loc.zSet) return;
  if (loc.parent === null) {
    loc.zA = SEED_A;
    loc.zB = SEED_B;
  } else {
    seedOf(loc.parent);
    strHash(loc.key);
    loc.zA = fmix32((Math.imul(loc.parent.zA, 0x01000193) ^ va) >>> 0);
    loc.zB = fmix32((Math.imul(loc.parent.zB, 0x5bd1e995) + vb) >>> 0);
  }
  loc.zSet = true;
}

/** Accumulated subtree hash (two lanes). */
let ha = 0;
let hb = 0;

function addTerm(loc: Loc, a: number, b: number, sign: number): void {
  seedOf(loc);
  const ta = fmix32((loc.zA ^ a) >>> 0);
  const tb = fmix32((loc.zB + fmix32(b ^ loc.zA)) >>> 0);
  ha = (ha + sign * ta) >>> 0;
  hb = (hb + sign * tb) >>> 0;
}

/** Adds (sign 1) or subtracts (sign -1) the terms of every node of `v` placed at `loc`. */
function addSubtree(table: LocTable, loc: Loc, v: unknown, sign: number): void {
  if (v === ABSENT) return;
  if (v === null || typeof v !== 'object') {
    primHash(v);
    addTerm(loc, va, vb, sign);
    return;
  }
  if (Array.isArray(v)) {
    addTerm(loc, TAG_ARR, ~TAG_ARR >>> 0, sign);
    primHash(v.length);
    addTerm(table.child(loc, 'length'), va, vb, sign);
    for (let i = 0; i < v.length; i++) if (v[i] !== undefined) addSubtree(table, table.child(loc, String(i)), v[i], sign);
    return;
  }
  addTerm(loc, TAG_OBJ, ~TAG_OBJ >>> 0, sign);
  for (const k in v) addSubtree(table, table.child(loc, k), (v as any)[k], sign);
}

/** A shared-state hash (two lanes) as one pair of numbers. */
export interface Hash2 {
  readonly a: number;
  readonly b: number;
}

/** Full hash of a shared-state tree. */
export function hashShared(table: LocTable, shared: unknown): Hash2 {
  ha = 0;
  hb = 0;
  addSubtree(table, table.root, shared, 1);
  return { a: ha, b: hb };
}

/** The term of a primitive value `v` at `loc` (a leaf's part of a shared hash). */
export function leafTerm(loc: Loc, v: unknown): Hash2 {
  ha = 0;
  hb = 0;
  primHash(v);
  addTerm(loc, va, vb, 1);
  return { a: ha, b: hb };
}

/** The sum of the terms of every node of `v` placed at `loc` (its part of a shared hash). */
export function subtreeHash(table: LocTable, loc: Loc, v: unknown): Hash2 {
  ha = 0;
  hb = 0;
  addSubtree(table, loc, v, 1);
  return { a: ha, b: hb };
}

/**
 * The shared hash after the locations `writes` changed (a step's recorded writes, or the
 * containers symmetry renames): only the topmost of them are rehashed, in the old and in the
 * new tree.
 */
export function updateShared(table: LocTable, h: Hash2, before: unknown, after: unknown, writes: readonly Loc[]): Hash2 {
  if (before === after) return h;
  ha = h.a;
  hb = h.b;
  const ws = writes;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (underAnother(w, ws)) continue;
    addSubtree(table, w, valueAt(before, w), -1);
    addSubtree(table, w, valueAt(after, w), 1);
  }
  return { a: ha, b: hb };
}

/** Hashes of frozen locals values (the same array travels unchanged through many states). */
const valueCache = new WeakMap<object, Hash2>();

/** Hash of a plain value on its own (locals), position-independent. */
function valueHash(v: unknown): void {
  if (v === null || typeof v !== 'object') {
    primHash(v);
    return;
  }
  const frozen = Object.isFrozen(v);
  if (frozen) {
    const hit = valueCache.get(v);
    if (hit !== undefined) {
      va = hit.a;
      vb = hit.b;
      return;
    }
  }
  valueHashOf(v);
  if (frozen) valueCache.set(v, { a: va, b: vb });
}

function valueHashOf(v: object): void {
  let a: number;
  let b: number;
  if (Array.isArray(v)) {
    a = TAG_ARR ^ v.length;
    b = ~TAG_ARR ^ Math.imul(v.length, 0x2545f491);
    for (let i = 0; i < v.length; i++) {
      valueHash(v[i]);
      a = fmix32((Math.imul(a, 0x01000193) ^ va) >>> 0);
      b = fmix32((Math.imul(b, 0x5bd1e995) + vb) >>> 0);
    }
  } else {
    // Order-independent over keys: a sum of per-entry terms.
    a = TAG_OBJ;
    b = ~TAG_OBJ >>> 0;
    for (const k in v) {
      valueHash((v as any)[k]);
      const xa = va;
      const xb = vb;
      strHash(k);
      a = (a + fmix32((xa ^ Math.imul(va, 0x01000193)) >>> 0)) >>> 0;
      b = (b + fmix32((xb + Math.imul(vb, 0x5bd1e995)) >>> 0)) >>> 0;
    }
  }
  va = fmix32(a >>> 0);
  vb = fmix32(b >>> 0);
}

/**
 * Hash of one thread's call stack (pc, locals, return slots). It does not depend on the
 * thread's id: combine() places it at its thread, so symmetry can move it to another.
 */
export function hashThread(frames: readonly Frame[], hashOf?: FrameHasher): Hash2 {
  let a = SEED_A;
  let b = SEED_B;
  for (let i = 0; i < frames.length; i++) {
    const h = hashOf === undefined ? frameHash(frames[i]!) : hashOf.frame(frames[i]!);
    a = fmix32((Math.imul(a, 0x01000193) ^ h.a) >>> 0);
    b = fmix32((Math.imul(b, 0x5bd1e995) + h.b) >>> 0);
  }
  return { a: fmix32((a ^ frames.length) >>> 0), b: fmix32((b + frames.length) >>> 0) };
}

/** What a frame's hash is taken as (symmetry: with its id locals blanked or renamed). */
export interface FrameHasher {
  frame(f: Frame): Hash2;
}

/**
 * Frames and their locals records are the checker's own objects and never change once built
 * (step.ts makes new ones), so their hashes are memoised: a caller's frame is hashed once, not
 * on every step of its callees. In the frame's memo (frame.ts) when it has one; else (frames a
 * test built by hand) by identity.
 */
const frameCache = new WeakMap<Frame, Hash2>();

export function frameHash(f: Frame): Hash2 {
  const m = f[FRAME_MEMO];
  if (m !== undefined) {
    if (!m.known) {
      const h = freshFrameHash(f);
      m.a = h.a;
      m.b = h.b;
      m.known = true;
    }
    return m;
  }
  const hit = frameCache.get(f);
  if (hit !== undefined) return hit;
  const h = freshFrameHash(f);
  frameCache.set(f, h);
  return h;
}

/** A frame's hash, not memoised (a frame built only to be hashed). */
export function freshFrameHash(f: Frame): Hash2 {
  strHash(f.proc);
  let a = fmix32((SEED_B ^ va) >>> 0);
  let b = fmix32((SEED_A + vb) >>> 0);
  strHash(f.label);
  a = fmix32((Math.imul(a, 0x01000193) ^ va) >>> 0);
  b = fmix32((Math.imul(b, 0x5bd1e995) + vb) >>> 0);
  primHash(f.into);
  a = fmix32((Math.imul(a, 0x01000193) ^ va) >>> 0);
  b = fmix32((Math.imul(b, 0x5bd1e995) + vb) >>> 0);
  valueHashOf(f.locals);
  a = fmix32((Math.imul(a, 0x01000193) ^ va) >>> 0);
  b = fmix32((Math.imul(b, 0x5bd1e995) + vb) >>> 0);
  return { a, b };
}

/**
 * A whole state's fingerprint from its shared hash and its per-thread stack hashes, thread i's
 * stack placed at thread `at[i]` (default: at i; symmetry passes its renaming).
 */
export function combine(shared: Hash2, threads: readonly Hash2[], at?: readonly number[]): Hash2 {
  return withStacks(shared, stackTerms(threads, at));
}

/** combine()'s sum of the stacks' terms, thread i's at thread at[i]: states whose threads with equal stacks trade places have the same. */
export function stackTerms(threads: readonly Hash2[], at?: readonly number[]): Hash2 {
  let a = 0;
  let b = 0;
  for (let i = 0; i < threads.length; i++) {
    const t = at === undefined ? i : at[i]!;
    const h = threads[i]!;
    a = (a + fmix32((h.a ^ fmix32((t + 1) ^ SEED_B)) >>> 0)) >>> 0;
    b = (b + fmix32((h.b + fmix32(Math.imul(t + 1, 0x2545f491) ^ SEED_A)) >>> 0)) >>> 0;
  }
  return { a, b };
}

/** The fingerprint from a shared hash and stackTerms(). */
export function withStacks(shared: Hash2, terms: Hash2): Hash2 {
  const a = (shared.a + terms.a) >>> 0;
  return { a: fmix32(a), b: fmix32(((shared.b + terms.b) ^ a) >>> 0) };
}

/** Full fingerprint of a state, computed from scratch (the initial state; tests). */
export function fingerprint(table: LocTable, state: State): Hash2 {
  return combine(hashShared(table, state.shared), state.threads.map((f) => hashThread(f)));
}
