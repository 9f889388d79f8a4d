/**
 * A preemption is a context switch the scheduler forces: the next step belongs to another
 * thread while the thread that ran last could have continued. Switching away from a thread
 * that blocked or finished is free. Fewer preemptions make a counterexample easier to follow.
 */
export function isPreemption(prev: number | null, next: number, prevEnabled: boolean): boolean {
  return prev !== null && prev !== next && prevEnabled;
}
