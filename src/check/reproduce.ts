import type { Program, State } from '../model/program.ts';
import { alternatives, executeStep, executeTwice, moveOf, NewThreads, StepError, type Outcome } from '../model/step.ts';
import { stateKey } from '../explore/state-key.ts';
import type { Violation } from '../explore/types.ts';
import { replay, type Story } from './replay.ts';
import { violates, type Target } from './violates.ts';

/** A recorded counterexample: threads by name, the step each entry runs and the alternative it takes. */
export interface RecordedTrace {
  readonly target: Target & { readonly detail?: string; readonly loop?: number };
  readonly schedule: readonly string[];
  readonly steps: readonly string[];
  /** Per entry, the alternative of a choosing step (step.ts moveOf); absent: every entry 0. */
  readonly alts?: readonly number[];
}

export type Reproduction =
  /** Every step ran as recorded and the violation happened again at the end. */
  | { readonly kind: 'reproduced'; readonly story: Story; readonly violation: Violation }
  /** The trace stopped applying: `story.divergence` says at which step and why. */
  | { readonly kind: 'diverged'; readonly story: Story; readonly violation: Violation }
  /** Every step ran as recorded, but the property no longer fails at the end. */
  | { readonly kind: 'not-violated'; readonly story: Story; readonly violation: Violation };

/**
 * Re-executes a recorded trace on the model as it is now (DESIGN §5): step by step against the
 * recorded thread names and step labels, then checks that the recorded property still fails
 * in the same way at the end. Never tells a story the model does not support.
 */
export function reproduce(program: Program, trace: RecordedTrace): Reproduction {
  // Threads started with t.spawn are registered when a step first starts them: replay until
  // every name the trace uses is known (each pass registers the ones its steps started).
  let schedule: number[];
  let story: Story;
  for (;;) {
    const known = program.threads.length;
    schedule = trace.schedule.map((name, i) => {
      const tid = program.threadNamed(name);
      return tid === undefined ? -1 : moveOf(tid, trace.alts?.[i] ?? 0);
    });
    try {
      story = replay(program, schedule, { expected: trace.steps, recordedThreads: trace.schedule });
    } catch (e) {
      if (e instanceof NewThreads && program.threads.length > known) continue;
      throw e;
    }
    if (story.divergence?.reason === 'no-thread' && program.threads.length > known) continue;
    break;
  }
  const violation: Violation = {
    property: trace.target.property,
    kind: trace.target.kind,
    ...(trace.target.detail !== undefined ? { detail: trace.target.detail } : {}),
    ...(trace.target.loop !== undefined ? { loop: trace.target.loop } : {}),
    schedule: story.divergence ? schedule.slice(0, story.steps.length) : schedule,
  };
  if (story.divergence) return { kind: 'diverged', story, violation };
  const failures = story.steps.at(-1)?.failures ?? null;
  const ok = trace.target.kind === 'liveness' ? lassoHolds(program, schedule, trace.target.loop) : violates(program, trace.target, failures, story.final);
  // An assertion tells its detail as the model words it now.
  const failed = trace.target.kind === 'assertion' ? failures?.find((f) => f.property === trace.target.property) : undefined;
  const shown = failed ? { ...violation, detail: failed.detail } : violation;
  return { kind: ok ? 'reproduced' : 'not-violated', story, violation: shown };
}

/**
 * A liveness counterexample still shows what it showed: with a loop, the cycle comes back to
 * the state it started from (so it can repeat forever); without one, the execution is
 * maximal: no thread can move at its end.
 */
function lassoHolds(program: Program, schedule: readonly number[], loop: number | undefined): boolean {
  let state = program.initial;
  let start: State | null = loop === 0 ? state : null;
  for (let i = 0; i < schedule.length; i++) {
    const o = executeStep(program, state, schedule[i]!);
    if (o.kind !== 'step') return false;
    state = o.state;
    if (loop !== undefined && i + 1 === loop) start = state;
  }
  if (loop === undefined) return program.threads.every((t) => alternatives(program, state, t.tid).steps.length === 0);
  return start !== null && stateKey(start) === stateKey(state) && loop < schedule.length;
}

/**
 * Runs every step of `schedule` twice from the same state and compares the outcomes (DESIGN
 * §2); the explorers only sample. Returns the first step that is not deterministic (or that
 * throws now), as the StepError that makes the spec an ERROR, else null. It stops where the
 * schedule no longer applies (a thread finished or blocked).
 */
export function recheckDeterminism(program: Program, schedule: readonly number[]): StepError | null {
  const all = program.recheckAll;
  program.recheckAll = true; // and every step of a fused chain inside executeStep, too
  try {
    let state = program.initial;
    for (const move of schedule) {
      if (!Number.isInteger(move) || move < 0) return null;
      let a: Outcome;
      try {
        const twice = executeTwice(program, state, move);
        if (twice.unstable !== null) return twice.unstable;
        a = twice.outcome;
      } catch (e) {
        if (e instanceof StepError) return e;
        throw e;
      }
      if (a.kind !== 'step') return null;
      state = a.state;
    }
    return null;
  } finally {
    program.recheckAll = all;
  }
}
