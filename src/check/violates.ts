import type { Program, State } from '../model/program.ts';
import { alternatives, type AssertionFailure } from '../model/step.ts';
import type { ViolationKind } from '../explore/types.ts';
import { evaluatePredicates } from './evaluate.ts';
import { raceAt } from '../explore/races.ts';

/** A property violation as a trace ends with it: which property, of which kind (DESIGN §3). */
export interface Target {
  readonly property: string;
  readonly kind: ViolationKind;
}

/**
 * Whether a trace that ends in `state`, whose last step failed the assertions `lastFailures`
 * (none for the initial state), shows a violation of `target`, judged exactly as the explorers
 * judge it: an assertion fails in the last step, an invariant is false in the state, a final
 * property is false in a terminal state, or no thread can move while some have not finished.
 */
export function violates(program: Program, target: Target, lastFailures: readonly AssertionFailure[] | null | undefined, state: State): boolean {
  switch (target.kind) {
    case 'assertion':
      return lastFailures?.some((f) => f.property === target.property) ?? false;
    case 'invariant': {
      const preds = program.invariants.filter((p) => p.name === target.property);
      return evaluatePredicates(program, state.shared, preds, 'invariant').length > 0;
    }
    case 'final': {
      if (!state.threads.every((frames) => frames.length === 0)) return false;
      const preds = program.finals.filter((p) => p.name === target.property);
      return evaluatePredicates(program, state.shared, preds, 'final').length > 0;
    }
    case 'deadlock':
      return isDeadlocked(program, state);
    case 'race':
      return raceAt(program, state) !== null;
    case 'liveness':
      return false; // a lasso or a stuck end, judged on the whole trace by reproduce
  }
}

/**
 * No thread can take a step (with any of its alternatives), not every thread has finished,
 * and none is held by `t.assume` (such an end is discarded, not a deadlock).
 */
export function isDeadlocked(program: Program, state: State): boolean {
  let unfinished = false;
  for (const t of program.threads) {
    const a = alternatives(program, state, t.tid);
    if (a.steps.length > 0 || a.held?.assumed) return false;
    if (a.held !== null) unfinished = true;
  }
  return unfinished;
}
