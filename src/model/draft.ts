import { ModelError } from './errors.ts';
import type { Footprint } from './footprint.ts';
import { sourcePath, type Loc, type LocTable } from './location.ts';

/**
 * The recording copy-on-write draft behind every step, guard and property evaluation.
 *
 * It plays the role immer's `produce` plays (structural sharing, untouched subtrees keep their
 * identity) and additionally records every access as a location, which is how footprints are
 * recorded rather than declared (DESIGN §2). State is a tree of values: assigning part of it
 * elsewhere copies its current value (immer would keep a live alias inside the recipe). A purpose-built draft, not a proxy stacked on an
 * immer draft, because the hot loop runs it once per explored event: copying is eager along the
 * written path (no finalize walk) and recording dedups with per-location stamps. test/model/
 * draft-vs-immer.test.ts checks it against immer on generated step functions.
 */

/** One store as it can be undone: the location and what it held before. */
export interface UndoEntry {
  readonly loc: Loc;
  readonly existed: boolean;
  readonly old: unknown;
}

export interface Recording extends Footprint {
  readonly reads: Loc[];
  readonly navs: Loc[];
  readonly writes: Loc[];
  /** Stores in program order with the value before each, so a step can be undone by path. */
  readonly undo: UndoEntry[];
}

const NODE = Symbol('smpcheck.draft');
let stampCounter = 0;

interface Session {
  readonly table: LocTable;
  readonly rec: Recording;
  readonly stamp: number;
  readonly readOnly: string | null;
  /** Objects created by this session's copies, frozen at the end when freezing is on. */
  readonly fresh: object[] | null;
  closed: boolean;
}

class DraftNode {
  copy: any = null;
  children: Map<string, DraftNode> | null = null;
  detached = false;
  readonly proxy: any;

  constructor(
    readonly session: Session,
    readonly base: any,
    readonly loc: Loc,
    readonly parent: DraftNode | null,
    readonly key: string,
  ) {
    const target: any = Array.isArray(base) ? [] : {};
    target[NODE] = this;
    this.proxy = new Proxy(target, handler);
  }

  get current(): any {
    return this.copy ?? this.base;
  }
}

function recordRead(s: Session, loc: Loc): void {
  if (loc.readStamp !== s.stamp) {
    loc.readStamp = s.stamp;
    s.rec.reads.push(loc);
  }
}

function recordNav(s: Session, loc: Loc): void {
  if (loc.navStamp !== s.stamp) {
    loc.navStamp = s.stamp;
    s.rec.navs.push(loc);
  }
}

function assertWritable(s: Session, node: DraftNode, key: string): void {
  if (s.readOnly !== null) {
    throw new ModelError(`${s.readOnly} wrote ${sourcePath(s.table.child(node.loc, key))}: predicates must only read`);
  }
}

function recordWrite(s: Session, loc: Loc, container: any, key: string): void {
  if (loc.writeStamp !== s.stamp) {
    loc.writeStamp = s.stamp;
    s.rec.writes.push(loc);
  }
  // Every store is logged (not only the first per location): undoing in reverse order is only
  // exact if a location written, then written under, then written again keeps all three.
  const existed = Object.prototype.hasOwnProperty.call(container, key);
  s.rec.undo.push({ loc, existed, old: existed ? container[key] : undefined });
}

function check(node: DraftNode): void {
  if (node.session.closed) {
    throw new ModelError(
      'a reference to shared state was used after its step ended; keep values, not objects of `s`, in locals',
    );
  }
  if (node.detached) {
    throw new ModelError(
      `'${node.loc.path}' was used after it was replaced in the same step; read it again through \`s\``,
    );
  }
}

function shallowCopy(s: Session, base: any): any {
  const c = Array.isArray(base) ? base.slice() : { ...base };
  s.fresh?.push(c);
  return c;
}

/** Gives `node` its own copy and links it into its parent's copy, up to the root. */
function ensureCopy(node: DraftNode): any {
  if (node.copy !== null) return node.copy;
  node.copy = shallowCopy(node.session, node.base);
  if (node.parent !== null) ensureCopy(node.parent)[node.key] = node.copy;
  return node.copy;
}

function detach(node: DraftNode): void {
  node.detached = true;
  if (node.children !== null) for (const c of node.children.values()) detach(c);
}

function dropChild(node: DraftNode, key: string): void {
  const c = node.children?.get(key);
  if (c !== undefined) {
    detach(c);
    node.children!.delete(key);
  }
}

function childNode(node: DraftNode, key: string, value: object): DraftNode {
  let c = node.children?.get(key);
  if (c === undefined) {
    c = new DraftNode(node.session, value, node.session.table.child(node.loc, key), node, key);
    (node.children ??= new Map()).set(key, c);
  }
  return c;
}

/** A property read through the draft: objects are navigated, everything else is a read. */
function readKey(node: DraftNode, key: string): any {
  const s = node.session;
  const cur = node.current;
  const v = cur[key];
  if (typeof v === 'function') return v; // Array.prototype methods and the like
  if (v !== null && typeof v === 'object') {
    const c = childNode(node, key, v);
    recordNav(s, c.loc);
    return c.proxy;
  }
  recordRead(s, s.table.child(node.loc, key));
  return v;
}

const handler: ProxyHandler<any> = {
  get(target, key) {
    const node: DraftNode = target[NODE];
    if (key === NODE) return node;
    check(node);
    const cur = node.current;
    if (typeof key === 'symbol') return cur[key];
    if (key === 'length' && Array.isArray(cur)) {
      recordRead(node.session, node.loc); // DESIGN §2: length is a read of the container
      return cur.length;
    }
    return readKey(node, key);
  },

  set(target, key, value) {
    const node: DraftNode = target[NODE];
    check(node);
    const s = node.session;
    if (typeof key === 'symbol') throw new ModelError('shared state takes string keys only');
    assertWritable(s, node, key);
    const cur = ensureCopy(node);
    if (key === 'length' && Array.isArray(cur)) {
      const newLen = plainAt(s, value, node, key);
      if (typeof newLen !== 'number') throw new ModelError(`'${node.loc.path}.length' must be a number`);
      if (newLen > cur.length) throw new ModelError(`${sourcePath(node.loc)}.length = ${newLen} would leave holes in the array: arrays in state must not have holes; push values instead`);
      recordWrite(s, s.table.child(node.loc, 'length'), { length: cur.length }, 'length');
      for (let i = newLen; i < cur.length; i++) {
        recordWrite(s, s.table.child(node.loc, String(i)), cur, String(i));
        dropChild(node, String(i));
      }
      cur.length = newLen;
      return true;
    }
    const plain = plainAt(s, value, node, key);
    if (Array.isArray(cur) && isIndex(key) && Number(key) >= cur.length) {
      if (Number(key) > cur.length) throw new ModelError(`storing ${sourcePath(node.loc)}[${key}] past the end (length ${cur.length}) would leave holes in the array: arrays in state must not have holes`);
      // Storing past the end grows the array: record the length before it changes.
      recordWrite(s, s.table.child(node.loc, 'length'), { length: cur.length }, 'length');
    }
    recordWrite(s, s.table.child(node.loc, key), cur, key);
    dropChild(node, key);
    cur[key] = plain;
    return true;
  },

  deleteProperty(target, key) {
    const node: DraftNode = target[NODE];
    check(node);
    const s = node.session;
    if (typeof key === 'symbol') return true;
    assertWritable(s, node, key);
    const cur = ensureCopy(node);
    recordWrite(s, s.table.child(node.loc, key), cur, key);
    dropChild(node, key);
    delete cur[key];
    return true;
  },

  has(target, key) {
    const node: DraftNode = target[NODE];
    if (key === NODE) return true;
    check(node);
    const cur = node.current;
    if (typeof key === 'symbol') return key in cur;
    recordNav(node.session, node.session.table.child(node.loc, key));
    return key in cur;
  },

  ownKeys(target) {
    const node: DraftNode = target[NODE];
    check(node);
    recordRead(node.session, node.loc); // iteration / keys: a read of the container
    return Reflect.ownKeys(node.current);
  },

  getOwnPropertyDescriptor(target, key) {
    const node: DraftNode = target[NODE];
    if (key === NODE) return undefined;
    check(node);
    const cur = node.current;
    if (typeof key === 'symbol') return Reflect.getOwnPropertyDescriptor(cur, key);
    if (key === 'length' && Array.isArray(cur)) {
      recordRead(node.session, node.loc);
      return { value: cur.length, writable: true, enumerable: false, configurable: false };
    }
    const desc = Reflect.getOwnPropertyDescriptor(cur, key);
    const loc = node.session.table.child(node.loc, key);
    recordNav(node.session, loc); // existence and enumerability; a value read goes through get
    if (desc === undefined) return undefined;
    const v = cur[key];
    const value = v !== null && typeof v === 'object' ? childNode(node, key, v).proxy : v;
    return { value, writable: true, enumerable: desc.enumerable, configurable: true };
  },

  defineProperty(target, key, desc) {
    if (!('value' in desc)) throw new ModelError('shared state is plain data: accessors are not allowed');
    return handler.set!(target, key, desc.value, target);
  },

  getPrototypeOf(target) {
    const node: DraftNode = target[NODE];
    return Object.getPrototypeOf(node.current);
  },

  setPrototypeOf() {
    throw new ModelError('shared state is plain data: prototypes cannot be changed');
  },
};

function isIndex(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

/** The draft node behind a value, if it is a draft proxy. */
function nodeOf(value: unknown): DraftNode | undefined {
  return value !== null && typeof value === 'object' ? (value as any)[NODE] : undefined;
}

/*
 * Where the value being made plain sits, for messages. toPlain runs fast (no path kept, only a
 * depth counter against cycles) and, only when that pass finds a problem, again slowly to name
 * the path: `plainKeys` is the path below the root, `plainAncestors[j]` the container at
 * `plainKeys.slice(0, j)`. Module state rather than arguments, so that the hot path allocates nothing.
 */
let plainRootText = 'value';
let plainRootNode: DraftNode | null = null;
let plainRootKey = '';
let plainSlow = false;
let plainDepth = 0;
const plainKeys: (string | number)[] = [];
const plainAncestors: object[] = [];
/** Thrown by the fast pass: run the slow one, which says what and where. */
const RETRY_SLOW: unique symbol = Symbol('retry slow');
/** Nesting past which the fast pass assumes a cycle (the slow pass finds it, or it is just deep). */
const MAX_FAST_DEPTH = 2000;

function plainPath(depth: number): string {
  let p = plainRootNode !== null ? sourcePath(plainRootNode.session.table.child(plainRootNode.loc, plainRootKey)) : plainRootText;
  for (let i = 0; i < depth; i++) {
    const k = plainKeys[i]!;
    p += typeof k === 'number' || /^(0|[1-9]\d*)$/.test(k) ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
  }
  return p;
}

const PLAIN = 'state is plain data (objects, arrays, finite numbers, strings, booleans, null)';

function notPlain(what: string, fix: string): never {
  if (!plainSlow) throw RETRY_SLOW;
  throw new ModelError(`${plainPath(plainKeys.length)} is ${what}: ${fix}`);
}

function cycle(backTo: string): never {
  if (!plainSlow) throw RETRY_SLOW;
  throw new ModelError(`${plainPath(plainKeys.length)} refers back to ${backTo}: state is a tree, so a value cannot contain itself`);
}

/** toPlain from the top: fast, then, if that finds a problem, slowly for the message. */
function plainTop(s: Session | null, value: unknown): any {
  plainSlow = false;
  plainDepth = 0;
  try {
    return toPlain(s, value);
  } catch (e) {
    if (e !== RETRY_SLOW) throw e;
  }
  plainSlow = true;
  if (plainKeys.length !== 0) plainKeys.length = 0;
  if (plainAncestors.length !== 0) plainAncestors.length = 0;
  try {
    return toPlain(s, value); // throws the ModelError, or a RangeError if it was only very deep
  } finally {
    plainSlow = false;
  }
}

/** A scalar as state keeps it: -0 becomes 0 (JSON, and so trace files, cannot tell them apart). */
function plainScalar(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      if (value === 0) return 0;
      // NaN and ±Infinity: JSON writes them as null and state keys cannot tell them from null.
      if (value - value !== 0) notPlain(Number.isNaN(value) ? 'NaN' : String(value), 'numbers in state must be finite (trace files and state keys cannot keep NaN or Infinity)');
      return value;
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      notPlain('undefined', `${PLAIN}: store null, or delete the key`);
    case 'function':
      notPlain('a function', PLAIN);
    case 'symbol':
      notPlain('a symbol', PLAIN);
    case 'bigint':
      notPlain('a bigint', `${PLAIN}: use a number`);
  }
  return value; // null
}

/** True when `a` is `b` or one of its ancestors in the draft. */
function atOrAbove(a: DraftNode, b: DraftNode | null): boolean {
  for (let x = b; x !== null; x = x.parent) if (x === a) return true;
  return false;
}

/**
 * The current value under a draft node, safe to place elsewhere: what this step copied is copied
 * again (else a later store through the old path would also change the new one, an alias in a
 * state that is a tree); untouched parts are the previous state's immutable objects, shared.
 */
function snapshot(node: DraftNode): any {
  if (node.copy === null) return node.base;
  const c = shallowCopy(node.session, node.copy);
  if (node.children !== null) for (const [k, child] of node.children) if (child.copy !== null) c[k] = snapshot(child);
  return c;
}

/**
 * Plain data for `value`: a draft proxy becomes its current value (and counts as a read of its
 * whole subtree, since the value copies it); plain containers holding proxies are rebuilt.
 * Rejects what is not plain data (undefined, NaN, Infinity, array holes, cycles, functions, Maps,
 * class instances) with the path where it is, so that nothing is kept that a trace file or a
 * state key would tell differently.
 */
function toPlain(s: Session | null, value: unknown): any {
  if (value === null || typeof value !== 'object') return plainScalar(value);
  const node = nodeOf(value);
  if (node !== undefined) {
    check(node);
    if (node.session !== s) {
      throw new ModelError('a reference to shared state was used after its step ended; keep values in locals');
    }
    if (plainRootNode !== null && atOrAbove(node, plainRootNode)) cycle(sourcePath(node.loc));
    recordRead(node.session, node.loc);
    return snapshot(node);
  }
  if (plainSlow) {
    const seen = plainAncestors.indexOf(value);
    if (seen >= 0) cycle(plainPath(seen));
    plainAncestors.push(value);
  } else if (++plainDepth > MAX_FAST_DEPTH) {
    throw RETRY_SLOW;
  }
  const proto = Object.getPrototypeOf(value);
  let result: any;
  if (Array.isArray(value)) {
    let out: any[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      if (plainSlow) plainKeys.push(i);
      if (v === undefined && !(i in value)) notPlain('a hole (an array slot never assigned)', 'arrays in state must not have holes');
      const p = toPlain(s, v);
      if (plainSlow) plainKeys.pop();
      if (p !== v || (v === 0 && 1 / v < 0)) (out ??= value.slice())[i] = p;
    }
    result = out ?? value;
  } else {
    if (proto !== Object.prototype && proto !== null) {
      const kind = (value as object).constructor?.name ?? 'object';
      notPlain(`a ${kind}`, `${PLAIN}: use objects and arrays`);
    }
    let out: Record<string, unknown> | null = null;
    for (const k of Object.keys(value)) {
      const v = (value as any)[k];
      if (plainSlow) plainKeys.push(k);
      const p = toPlain(s, v);
      if (plainSlow) plainKeys.pop();
      if (p !== v || (v === 0 && 1 / v < 0)) (out ??= { ...(value as object) })[k] = p;
    }
    result = out ?? value;
  }
  if (plainSlow) plainAncestors.pop();
  else plainDepth--;
  return result;
}

/** Plain data for a value stored at `node[key]`: messages name that path. */
function plainAt(s: Session, value: unknown, node: DraftNode, key: string): any {
  if (typeof value === 'number' && value - value === 0) return value === 0 ? 0 : value; // the common store
  plainRootNode = node;
  plainRootKey = key;
  try {
    return plainTop(s, value);
  } finally {
    plainRootNode = null;
  }
}

/**
 * Plain data for a value leaving a step or entering a program (locals, return values, call
 * arguments, parameters, the initial state); `path` names it in messages (`shared`, `params`).
 */
export function plainValue(value: unknown, draft: DraftSession | null, path: string): any {
  plainRootNode = null;
  plainRootText = path;
  return plainTop(draft?.session ?? null, value);
}

export function freezeDeep(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const k of Object.keys(value)) freezeDeep((value as any)[k]);
}

export interface DraftOptions {
  /** Name of the evaluation when it must not write (`invariant 'I-own'`), else null. */
  readOnly?: string | null;
  /** Deep-freeze what the step produced (tests turn this on to catch stray mutation). */
  freeze?: boolean;
}

/**
 * Drops accesses another access of the same footprint already covers, so footprints stay
 * small without changing what they conflict with or what they say was read: a read under a read
 * container; a navigation at or under a read, or with any access below it (or a read or write at
 * it). A read under a write of the same step is kept: it adds no conflict, but what a step read
 * decides whether another step's store can change its outcome (reads-from, DPOR's caches).
 */
function prune(s: Session): void {
  const rec = s.rec;
  const st = s.stamp;
  for (const l of rec.reads) markAbove(l, true, st);
  for (const l of rec.writes) markAbove(l, true, st);
  for (const l of rec.navs) markAbove(l, false, st);
  let j = 0;
  for (const n of rec.navs) if (n.coverStamp !== st && !readAtOrAbove(n, st)) rec.navs[j++] = n;
  if (j < rec.navs.length) rec.navs.length = j; // assigning length is slow even when it does not change
  j = 0;
  for (const r of rec.reads) if (r.parent === null || !readAtOrAbove(r.parent, st)) rec.reads[j++] = r;
  if (j < rec.reads.length) rec.reads.length = j;
}

// Module-level helpers of prune (the hot path): no closures created per step.

/** coverStamp: some access lies strictly below (or, for reads and writes, at) this location. */
function markAbove(l: Loc, self: boolean, st: number): void {
  for (let x = self ? l : l.parent; x !== null && x.coverStamp !== st; x = x.parent) x.coverStamp = st;
}

function readAtOrAbove(l: Loc, st: number): boolean {
  for (let x: Loc | null = l; x !== null; x = x.parent) if (x.readStamp === st) return true;
  return false;
}

/** One open draft over a shared-state root. */
export class DraftSession {
  readonly session: Session;
  readonly root: DraftNode;

  constructor(base: object, table: LocTable, opts: DraftOptions = {}) {
    this.session = {
      table,
      rec: { reads: [], navs: [], writes: [], undo: [] },
      stamp: ++stampCounter,
      readOnly: opts.readOnly ?? null,
      fresh: opts.freeze ? [] : null,
      closed: false,
    };
    this.root = new DraftNode(this.session, base, table.root, null, '');
  }

  /** The proxy the step function receives as `s`. */
  get proxy(): any {
    return this.root.proxy;
  }

  /**
   * Closes the draft: returns the new root (the old one when nothing was written) and the
   * recording, with navigations already covered by a read or write below them dropped.
   */
  finish(): { root: any; rec: Recording } {
    const s = this.session;
    s.closed = true;
    const rec = s.rec;
    if (rec.reads.length + rec.navs.length > 1) prune(s);
    const root = this.root.current;
    if (s.fresh !== null) for (const o of s.fresh) freezeDeep(o);
    return { root, rec };
  }

  /** Closes the draft without a result (a blocked or failed step). */
  abandon(): Recording {
    this.session.closed = true;
    return this.finish().rec;
  }
}

/**
 * Undoes stores by path on an immutable root: the entries are applied in reverse, each one
 * restoring what its location held before. Used to rebuild the state a reordered execution
 * would reach (DPOR), so it must be exact, including array lengths and absent keys. Each
 * container on the way is copied once per call, not once per entry (the copies made here are
 * private to the call until it returns, so later entries update them in place).
 */
export function undoStores(root: any, entries: readonly UndoEntry[]): any {
  if (entries.length === 0) return root;
  const fresh = new Set<object>();
  let r = root;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    r = setIn(r, e.loc.segments, 0, e.existed, e.old, fresh);
  }
  return r;
}

function setIn(obj: any, segs: string[], i: number, existed: boolean, value: unknown, fresh: Set<object>): any {
  const key = segs[i]!;
  const last = i === segs.length - 1;
  let copy = obj;
  if (!fresh.has(obj)) {
    copy = Array.isArray(obj) ? obj.slice() : { ...obj };
    fresh.add(copy);
  }
  if (last) {
    if (key === 'length' && Array.isArray(copy)) copy.length = value as number;
    else if (existed) copy[key] = value;
    else delete copy[key];
  } else {
    const child = obj[key];
    if (child === null || typeof child !== 'object') {
      throw new Error(`internal: cannot undo a store to '${segs.join('.')}': its container is gone`);
    }
    copy[key] = setIn(child, segs, i + 1, existed, value, fresh);
  }
  return copy;
}
