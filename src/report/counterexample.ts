import type { CheckResult } from '../check/run.ts';
import type { Minimization } from '../check/minimize.ts';
import { propertyReads, replay, stuckThreads, type Change, type Story, type StuckThread } from '../check/replay.ts';
import type { Program } from '../model/program.ts';
import type { SourceSite } from '../model/source.ts';
import type { Violation } from '../explore/types.ts';

/**
 * A counterexample as every reporter shows it, computed once: the replayed story, one sentence
 * on what went wrong, the values the property read at the end, the threads stuck in a deadlock,
 * and the model line that reports point at. Text, JUnit, SARIF, GitHub and HTML all render this.
 */
export interface Counterexample {
  readonly program: Program;
  readonly violation: Violation;
  readonly story: Story;
  /** `assertion I-sched-irq failed at step 12 (schedule() with IRQs disabled)`. */
  readonly summary: string;
  /** What the property read at the end: an invariant's or final's reads in the last state, an assertion's step reads before it ran. */
  readonly reads: readonly Change[];
  /** For a deadlock: who waits where. */
  readonly stuck: readonly StuckThread[];
  /** Where reports point: the failing or last step, the first stuck thread, else the spec. */
  readonly site: SourceSite;
  readonly minimization: Minimization | undefined;
}

/** One sentence on a violation, as the text report and annotations print it. */
export function describeViolation(v: Violation): string {
  const detail = v.detail ? ` (${v.detail})` : '';
  switch (v.kind) {
    case 'assertion':
      return `assertion ${v.property} failed at step ${v.schedule.length}${detail}`;
    case 'invariant':
      return `${v.schedule.length === 0 ? `invariant ${v.property} is false in the initial state` : `invariant ${v.property} is false after step ${v.schedule.length}`}${detail}`;
    case 'final':
      return `final property ${v.property} is false when every thread has finished${detail}`;
    case 'deadlock':
      return `deadlock after step ${v.schedule.length}: no thread can move and not all have finished${detail}`;
    case 'liveness':
      return v.loop === undefined
        ? `liveness ${v.property} is violated after step ${v.schedule.length}${detail}`
        : `liveness ${v.property} is violated: steps ${v.loop + 1}–${v.schedule.length} repeat forever${detail}`;
    case 'race':
      return `data race after step ${v.schedule.length}: two threads can access the same location next, one writing${detail}`;
  }
}

/** How a counterexample was minimised, in one line (empty when it was not). */
export function minimizationText(m: Minimization | undefined): string {
  if (m?.status !== 'minimal') return m?.note ?? '';
  return m.length === m.originalLength && m.preemptions === m.originalPreemptions
    ? `minimal: ${m.length} steps, ${m.preemptions} preemptions (as found)`
    : `minimised: ${m.originalLength} → ${m.length} steps, ${m.originalPreemptions} → ${m.preemptions} preemptions`;
}

/** Builds the counterexample of a violation; `story` when it was already replayed (trace files). */
export function buildCounterexample(program: Program, violation: Violation, fallbackSite: SourceSite, story?: Story, minimization?: Minimization): Counterexample {
  const s = story ?? replay(program, violation.schedule);
  const complete = s.divergence === undefined;
  let reads: Change[] = [];
  const last = s.steps.at(-1);
  if (complete && (violation.kind === 'invariant' || violation.kind === 'final')) {
    reads = propertyReads(program, s.final, violation.property);
  } else if (complete && violation.kind === 'assertion' && last !== undefined) {
    reads = [...last.readValues];
  }
  const stuck = complete && violation.kind === 'deadlock' ? stuckThreads(program, s.final) : [];
  const site = stuck[0]?.site ?? last?.site ?? fallbackSite;
  return { program, violation, story: s, summary: describeViolation(violation), reads, stuck, site, minimization };
}

const cache = new WeakMap<CheckResult, Counterexample | null>();

/** The counterexample a result shows (memoised: reporters share one replay), if it has one. */
export function counterexampleOf(r: CheckResult): Counterexample | undefined {
  let cx = cache.get(r);
  if (cx === undefined) {
    cx = r.violation !== undefined && r.program !== undefined
      ? buildCounterexample(r.program, r.violation, r.spec.site, undefined, r.minimization)
      : null;
    cache.set(r, cx);
  }
  return cx ?? undefined;
}
