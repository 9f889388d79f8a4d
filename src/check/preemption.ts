import type { Program, State } from '../model/program.ts';
import { alternatives, tidOf } from '../model/step.ts';

/**
 * A preemption is a context switch the scheduler forces: the next step belongs to another
 * thread while the thread that ran last could have continued. Switching away from a thread
 * that blocked or finished is free. Fewer preemptions make a counterexample easier to follow.
 */
export function isPreemption(prev: number | null, next: number, prevEnabled: boolean): boolean {
  return prev !== null && prev !== next && prevEnabled;
}

/**
 * Whether running `next` at `state`, right after `prev` ran, is a preemption (steps `prev` only
 * when that decides it). `prev` and `next` are moves (thread and alternative, step.ts moveOf):
 * switching between alternatives of one thread is no context switch, and the thread that ran
 * last could continue when any alternative of its step could.
 */
export function preemptsAt(program: Program, state: State, prev: number | null, next: number): boolean {
  if (prev === null) return false;
  const p = tidOf(prev);
  if (p === tidOf(next)) return false;
  return isPreemption(p, tidOf(next), alternatives(program, state, p).steps.length > 0);
}
