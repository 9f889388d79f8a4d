import { ABSENT, underAnother, valueAt, type Loc } from '../model/location.ts';
import type { State } from '../model/program.ts';
import type { Stepped } from '../model/step.ts';

/**
 * Transition reuse for the stateful engine. When thread u's step from state s is independent
 * of the step e that leads from s to s' (no footprint conflict, another thread), u's step from
 * s' reads what it read at s, so it takes the same branch, computes the same values, writes the
 * same locations and leaves u with the same frames (steps are deterministic, DESIGN §2). Its
 * successor at s' is s' with u's stores written into it: no need to run the step function
 * again. Only the topmost written paths are copied in, from u's successor at s.
 */
export function reuseStep(before: Stepped, at: State, freeze: boolean): Stepped {
  const ws = before.rec.writes;
  let shared = at.shared;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    if (underAnother(w, ws)) continue;
    shared = setAt(shared, w, valueAt(before.state.shared, w), freeze);
  }
  const threads = at.threads.slice();
  threads[before.tid] = before.state.threads[before.tid]!;
  if (freeze) Object.freeze(threads);
  const state: State = freeze ? Object.freeze({ shared, threads }) : { shared, threads };
  return { ...before, state };
}

/** `root` with `value` at `loc` (deleted when ABSENT), copying the containers on the way. */
export function setAt(root: any, loc: Loc, value: unknown, freeze: boolean): any {
  if (loc.parent === null) return value;
  const container = valueAt(root, loc.parent) as any;
  const copy = Array.isArray(container) ? container.slice() : { ...container };
  if (Array.isArray(copy) && loc.key === 'length') copy.length = value as number;
  else if (value === ABSENT) delete copy[loc.key];
  else copy[loc.key] = value;
  if (freeze) Object.freeze(copy);
  return setAt(root, loc.parent, copy, freeze);
}
