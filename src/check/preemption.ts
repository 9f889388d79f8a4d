import type { Program, State } from '../model/program.ts';
import { executeStep } from '../model/step.ts';

/**
 * A preemption is a context switch the scheduler forces: the next step belongs to another
 * thread while the thread that ran last could have continued. Switching away from a thread
 * that blocked or finished is free. Fewer preemptions make a counterexample easier to follow.
 */
export function isPreemption(prev: number | null, next: number, prevEnabled: boolean): boolean {
  return prev !== null && prev !== next && prevEnabled;
}

/** Whether running `next` at `state`, right after `prev` ran, is a preemption (steps `prev` only when that decides it). */
export function preemptsAt(program: Program, state: State, prev: number | null, next: number): boolean {
  return prev !== null && prev !== next && isPreemption(prev, next, executeStep(program, state, prev).kind === 'step');
}
