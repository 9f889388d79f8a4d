import { createHash } from 'node:crypto';
import { dirname, relative, sep } from 'node:path';
import { UsageError } from '../model/errors.ts';
import type { ViolationKind } from '../explore/types.ts';
import type { Counterexample } from './counterexample.ts';
import type { CheckResult } from '../check/run.ts';
import { altOf, choicesText } from '../model/step.ts';

/** The trace file format this smpcheck writes and reads. */
export const TRACE_VERSION = 1;

/**
 * A counterexample saved for `smpcheck replay` (DESIGN §5), version 1. The schedule names
 * threads and `steps` names the step (`proc.label`) each entry must run, so that a replay of
 * an edited model can say exactly where the trace stopped applying.
 */
export interface TraceFile {
  readonly smpcheckTrace: typeof TRACE_VERSION;
  readonly spec: {
    readonly name: string;
    /** The spec file, relative to the folder holding the trace file (POSIX separators), or absolute. */
    readonly file: string;
  };
  readonly model: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly engine: string;
  /** `loop`: a liveness lasso's cycle starts at this schedule index and repeats forever. */
  readonly violation: { readonly property: string; readonly kind: ViolationKind; readonly detail?: string; readonly loop?: number };
  /** Thread name of each step, from the initial state. */
  readonly schedule: readonly string[];
  /** The step each schedule entry runs, as `proc.label`. */
  readonly steps: readonly string[];
  /**
   * Per entry, which alternative of a step that calls `t.choose` it takes (0: the first
   * values); absent when no step of the trace chose. `choices` shows the values, for readers.
   */
  readonly alts?: readonly number[];
  readonly choices?: readonly (string | null)[];
  /** How the schedule was minimised (informative). */
  readonly minimized?: { readonly originalLength: number; readonly length: number; readonly originalPreemptions: number; readonly preemptions: number; readonly status: string };
}

/**
 * `falloc_pop/U` of `specs/falloc_pop.spec.ts` → `falloc_pop_U-1b2c3d.json`: readable, and
 * distinct for distinct specs. The hash covers the spec file (relative to `cwd`, POSIX
 * separators, so the name is the same on every checkout) as well as the name: specs of the same
 * name in two files, checked by two runs into one trace folder, must not overwrite each other.
 */
export function traceFileName(specName: string, specFile: string, cwd: string = process.cwd()): string {
  const slug = specName.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'spec';
  const file = relative(cwd, specFile).split(sep).join('/');
  const hash = createHash('sha256').update(`${file}\0${specName}`).digest('hex').slice(0, 6);
  return `${slug}-${hash}.json`;
}

/**
 * The spec file as the trace names it: relative to the trace's folder, so a project can be
 * moved or cloned with its traces; absolute when the two share no folder but the root.
 */
function specPath(specFile: string, tracePath: string): string {
  const rel = relative(dirname(tracePath), specFile).split(sep);
  const depth = dirname(tracePath).split(sep).filter(Boolean).length;
  return rel.filter((s) => s === '..').length >= depth ? specFile : rel.join('/'); // only '/' in common
}

/** The trace of a result's counterexample, to be written at `path`. */
export function traceOf(r: CheckResult, cx: Counterexample, path: string): TraceFile {
  const v = cx.violation;
  const m = cx.minimization;
  return {
    smpcheckTrace: TRACE_VERSION,
    spec: { name: r.name, file: specPath(r.file, path) },
    model: r.spec.model.name,
    params: r.params,
    engine: r.engine,
    violation: { property: v.property, kind: v.kind, ...(v.detail !== undefined ? { detail: v.detail } : {}), ...(v.loop !== undefined ? { loop: v.loop } : {}) },
    schedule: v.schedule.map((t) => cx.program.threadName(t)),
    steps: cx.story.steps.map((s) => `${s.proc}.${s.label}`),
    ...(cx.story.steps.some((s) => s.choices.length > 0)
      ? { alts: v.schedule.map((m) => altOf(m)), choices: cx.story.steps.map((s) => (s.choices.length > 0 ? choicesText(s.choices) : null)) }
      : {}),
    ...(m ? { minimized: { status: m.status, originalLength: m.originalLength, length: m.length, originalPreemptions: m.originalPreemptions, preemptions: m.preemptions } } : {}),
  };
}

const KINDS: readonly string[] = ['assertion', 'invariant', 'final', 'deadlock', 'race', 'liveness'];

/** Reads a trace file's text; a file that is not a usable trace is a one-line UsageError. */
export function parseTrace(text: string, shown: string): TraceFile {
  const bad = (what: string) => new UsageError(`${shown}: ${what}`);
  let j: any;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw bad(`not a JSON file (${e instanceof Error ? e.message : String(e)}); give a trace written by 'smpcheck check' (in .smpcheck/traces/ by default)`);
  }
  if (typeof j !== 'object' || j === null || !('smpcheckTrace' in j)) {
    throw bad("not an smpcheck trace (no 'smpcheckTrace' version field); give a trace written by 'smpcheck check' (in .smpcheck/traces/ by default)");
  }
  if (j.smpcheckTrace !== TRACE_VERSION) {
    throw bad(`trace version ${JSON.stringify(j.smpcheckTrace)} is not supported (this smpcheck reads version ${TRACE_VERSION}); run 'smpcheck check' again to write a new trace`);
  }
  const isStr = (x: unknown) => typeof x === 'string' && x !== '';
  const strings = (x: unknown) => Array.isArray(x) && x.every((s) => typeof s === 'string');
  const problems: string[] = [];
  if (!isStr(j.spec?.name) || !isStr(j.spec?.file)) problems.push('spec.name and spec.file must be strings');
  if (!isStr(j.model)) problems.push('model must be a string');
  if (typeof j.params !== 'object' || j.params === null || Array.isArray(j.params)) problems.push('params must be an object');
  if (!isStr(j.violation?.property) || !KINDS.includes(j.violation?.kind)) problems.push(`violation needs a property and a kind (${KINDS.join(', ')})`);
  if (!strings(j.schedule) || !strings(j.steps)) problems.push('schedule and steps must be lists of strings');
  else if (j.schedule.length !== j.steps.length) problems.push(`schedule has ${j.schedule.length} entries but steps has ${j.steps.length}`);
  else if (j.alts !== undefined && (!Array.isArray(j.alts) || j.alts.length !== j.schedule.length || !j.alts.every((a: unknown) => Number.isInteger(a) && (a as number) >= 0))) {
    problems.push(`alts must list one non-negative integer per schedule entry (${j.schedule.length})`);
  }
  if (problems.length > 0) throw bad(`damaged trace: ${problems.join('; ')}; run 'smpcheck check' again to write a new trace`);
  return j as TraceFile;
}
