import type { Program, State } from '../model/program.ts';
import { executeStep, type Outcome } from '../model/step.ts';
import type { Profile } from './types.ts';

/** Runs one step; with a profile (benchmarks), counts it and times it. Every engine's steps go through here. */
export function profiledStep(program: Program, state: State, tid: number, profile: Profile | undefined): Outcome {
  if (profile === undefined) return executeStep(program, state, tid);
  const t0 = performance.now();
  try {
    return executeStep(program, state, tid);
  } finally {
    profile.stepMs += performance.now() - t0;
    profile.steps++;
  }
}
