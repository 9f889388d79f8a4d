import type { Program } from '../model/program.ts';
import { NewThreads } from '../model/step.ts';
import type { ExploreResult } from './types.ts';

/**
 * Runs a search until it meets no thread it did not know. A step that starts a thread never
 * seen before (`t.spawn`) registers it with the program and throws NewThreads; the states
 * built so far lack the new thread's slot, so the search starts again from the program's
 * initial state, which now has it (not started). A model starts a bounded set of threads, so
 * this ends; most are found in the first execution, so the searches thrown away are short.
 */
export function untilThreadsKnown(program: Program, search: () => ExploreResult): ExploreResult {
  for (;;) {
    const before = program.threads.length;
    let r: ExploreResult;
    try {
      r = search();
    } catch (e) {
      if (e instanceof NewThreads && program.threads.length > before) continue;
      throw e;
    }
    if (r.error?.error instanceof NewThreads && program.threads.length > before) continue;
    return r;
  }
}
