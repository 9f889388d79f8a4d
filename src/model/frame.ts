// A thread's call-stack entries, and the one place that builds them.

export type Locals = Readonly<Record<string, unknown>>;

/** One procedure activation on a thread's call stack. */
export interface Frame {
  readonly proc: string;
  readonly label: string;
  readonly locals: Locals;
  /** Local of the caller that receives this frame's return value. */
  readonly into: string | null;
  /** Filled by fingerprint.ts's frameHash; absent on frames not built by newFrame (tests). */
  readonly [FRAME_MEMO]?: FrameMemo;
}

/**
 * A frame's hash, memoised in the frame (frames never change once built): a field instead of
 * a WeakMap, whose lookups took 6% of M1's search. A symbol key, so that Object.keys, JSON and
 * plainEqual do not see it; a box, so that a frozen frame (ProgramOptions.freeze) can hold it.
 */
export const FRAME_MEMO: unique symbol = Symbol('frame memo');
export interface FrameMemo {
  a: number;
  b: number;
  known: boolean;
  /** Whether the frame holds id locals of the symmetry declaration `idsOf` (model/symmetry.ts holdsIds). */
  idsOf: object | null;
  ids: boolean;
  /** Its hash with those locals blanked, for the reduction `shapeOf` (explore/symmetry.ts). */
  shapeOf: object | null;
  shape: { readonly a: number; readonly b: number } | null;
}

/** A frame with an empty memo; every frame the checker builds is made here. */
export function newFrame(proc: string, label: string, locals: Locals, into: string | null, freeze: boolean): Frame {
  const f: Frame = { proc, label, locals, into, [FRAME_MEMO]: { a: 0, b: 0, known: false, idsOf: null, ids: false, shapeOf: null, shape: null } };
  return freeze ? Object.freeze(f) : f;
}
