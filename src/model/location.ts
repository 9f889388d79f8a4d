/**
 * Locations of shared state: paths in the state tree (`frames.3.refcount`), interned in a trie so
 * that a footprint is a short list of objects and the prefix test is a walk of a few parents.
 */
export class Loc {
  readonly children = new Map<string, Loc>();
  /** Dedup stamps used while one step is recorded (see draft.ts); never part of semantics. */
  readStamp = 0;
  navStamp = 0;
  writeStamp = 0;
  coverStamp = 0;
  /** Zobrist seeds of this path for state fingerprints (src/explore/fingerprint.ts), set lazily. */
  zA = 0;
  zB = 0;
  zSet = false;
  private pathText: string | undefined;

  constructor(
    readonly id: number,
    readonly parent: Loc | null,
    readonly key: string,
    readonly depth: number,
  ) {}

  /** Dotted path, `''` for the root. */
  get path(): string {
    if (this.pathText === undefined) {
      this.pathText = this.parent === null ? '' : this.parent.parent === null ? this.key : `${this.parent.path}.${this.key}`;
    }
    return this.pathText;
  }

  /** Path segments from the root, e.g. `['frames', '3', 'refcount']`. */
  get segments(): string[] {
    const out: string[] = [];
    for (let l: Loc | null = this; l !== null && l.parent !== null; l = l.parent) out.push(l.key);
    return out.reverse();
  }
}

/** The trie of every location a program has touched; one per compiled program. */
export class LocTable {
  readonly root: Loc;
  readonly all: Loc[] = [];

  constructor() {
    this.root = new Loc(0, null, '', 0);
    this.all.push(this.root);
  }

  child(parent: Loc, key: string): Loc {
    let c = parent.children.get(key);
    if (c === undefined) {
      c = new Loc(this.all.length, parent, key, parent.depth + 1);
      parent.children.set(key, c);
      this.all.push(c);
    }
    return c;
  }

  /** The location of a dotted path (used by tests and by trace files). */
  at(path: string): Loc {
    let l = this.root;
    if (path === '') return l;
    for (const seg of path.split('.')) l = this.child(l, seg);
    return l;
  }
}

/** True when `a` is `b` or one of its ancestors (a's path is a prefix of b's). */
export function isPrefix(a: Loc, b: Loc): boolean {
  if (a.depth > b.depth) return false;
  let x: Loc = b;
  while (x.depth > a.depth) x = x.parent!;
  return x === a;
}

/** DESIGN §2: two paths overlap when one is a prefix of the other. */
export function overlaps(a: Loc, b: Loc): boolean {
  return a.depth <= b.depth ? isPrefix(a, b) : isPrefix(b, a);
}

/** What a path holds when nothing is there. (An array's holes and undefined elements are alike, as in canonical().) */
export const ABSENT: unique symbol = Symbol('absent');

const hasOwn = Object.prototype.hasOwnProperty;

/** What `root` holds at `loc`, or ABSENT where it (or a container on the way) is missing. */
export function valueAt(root: unknown, loc: Loc): unknown {
  if (loc.parent === null) return root;
  const c = valueAt(root, loc.parent);
  if (c === null || typeof c !== 'object') return ABSENT;
  if (Array.isArray(c)) {
    if (loc.key === 'length') return c.length;
    const x = c[loc.key as any];
    return x === undefined ? ABSENT : x;
  }
  return hasOwn.call(c, loc.key) ? (c as any)[loc.key] : ABSENT;
}

/**
 * Whether `w` lies strictly below another location of `ws`: a step's writes below a written
 * container are covered by that container's new value, so only the topmost ones are replayed.
 */
export function underAnother(w: Loc, ws: readonly Loc[]): boolean {
  for (const o of ws) if (o !== w && o.depth < w.depth && isPrefix(o, w)) return true;
  return false;
}

/** `loc` as a model author writes it, for messages: `shared.frames[3].owner`. */
export function sourcePath(loc: Loc, root = 'shared'): string {
  let s = '';
  for (let l: Loc | null = loc; l !== null && l.parent !== null; l = l.parent) {
    s = (/^(0|[1-9]\d*)$/.test(l.key) ? `[${l.key}]` : /^[A-Za-z_$][\w$]*$/.test(l.key) ? `.${l.key}` : `[${JSON.stringify(l.key)}]`) + s;
  }
  return root + s;
}
