import { evaluatePredicates } from '../../src/check/evaluate.ts';
import { replay } from '../../src/check/replay.ts';
import { checkSpec, type CheckResult } from '../../src/check/run.ts';
import type { Spec } from '../../src/check/spec.ts';
import type { Program, State } from '../../src/model/program.ts';
import { executeStep } from '../../src/model/step.ts';

/** The spec named `name` from a spec file's default export. */
export function named(specs: readonly Spec[], name: string): Spec {
  const s = specs.find((x) => x.name === name);
  if (s === undefined) throw new Error(`no spec named ${name}`);
  return s;
}

/** Runs a spec with the naive engine. */
export function run(s: Spec): CheckResult {
  return checkSpec(s, { engine: 'naive' });
}

/**
 * Runs a spec to the end of its state space whatever it expects, so the result lists every
 * property that some interleaving violates (in discovery order).
 */
export function everyViolation(s: Spec): string[] {
  const r = checkSpec(s, { engine: 'naive', exhaustive: true });
  if (r.error) throw new Error(r.error.message);
  return r.violations.map((v) => v.property).sort();
}

/**
 * Runs a schedule written the way MODELS.md writes one: each item `T:step` runs thread T until
 * it executes a step whose `proc.label` ends with `step` (and, with `step@path`, writes that
 * path), then through the spinlock releases that directly follow it. `T:end` runs T until it finishes, `T:block` until it cannot move. Returns the thread
 * schedule and every property violated on the way: failed assertions, invariants false in a
 * reached state, finals at the end when every thread has finished, and `deadlock` when no
 * thread can move at the end.
 */
export function runCatalogueSchedule(program: Program, items: readonly string[]): { schedule: number[]; violated: string[] } {
  let state: State = program.initial;
  const schedule: number[] = [];
  const violated = new Set<string>();
  const tidOf = (name: string) => {
    const t = program.threads.find((x) => x.name === name);
    if (t === undefined) throw new Error(`no thread ${name}`);
    return t.tid;
  };
  for (const item of items) {
    const [name, target] = item.split(':') as [string, string];
    const [step, path] = target.split('@') as [string, string | undefined];
    const tid = tidOf(name);
    for (let n = 0; ; n++) {
      if (n > 500) throw new Error(`${item}: no such step within 500 steps`);
      const o = executeStep(program, state, tid);
      if (o.kind === 'done') {
        if (step === 'end' || step === 'block') break;
        throw new Error(`${item}: ${name} finished first`);
      }
      if (o.kind === 'blocked') {
        if (step === 'block') break;
        throw new Error(`${item}: ${name} is blocked at ${o.proc}.${o.label}${o.why ? ` (${o.why})` : ''}`);
      }
      schedule.push(tid);
      for (const f of o.failures ?? []) violated.add(f.property);
      state = o.state;
      for (const p of evaluatePredicates(program, state.shared, program.invariants, 'invariant')) violated.add(p);
      const name2 = `${o.proc}.${o.label}`;
      const hit = (name2 === step || name2.endsWith(`.${step}`)) && (path === undefined || o.rec.writes.some((l) => l.path === path || l.path.startsWith(`${path}.`)));
      if (hit) {
        // ...and the spinlock releases right after it (the `sl` of an rwlock, a critical section's end).
        for (let next = executeStep(program, state, tid); next.kind === 'step' && next.proc === 'spin_unlock'; next = executeStep(program, state, tid)) {
          schedule.push(tid);
          for (const f of next.failures ?? []) violated.add(f.property);
          state = next.state;
        }
        break;
      }
    }
  }
  const outcomes = program.threads.map((t) => executeStep(program, state, t.tid).kind);
  if (outcomes.every((k) => k === 'done')) {
    for (const p of evaluatePredicates(program, state.shared, program.finals, 'final')) violated.add(p);
  } else if (!outcomes.includes('step')) violated.add('deadlock');
  return { schedule, violated: [...violated].sort() };
}

/** The counterexample of a result as one line per step: `thread proc.label written,paths`. */
export function storyLines(r: CheckResult): string[] {
  return replay(r.program!, r.violation!.schedule).steps.map((s) => `${s.thread} ${s.proc}.${s.label} ${s.changes.map((c) => c.path).join(',')}`);
}

/** How many of `patterns` occur in `lines` in order (all of them: the story contains the schedule). */
export function matchedInOrder(lines: readonly string[], patterns: readonly RegExp[]): number {
  let i = 0;
  for (const line of lines) if (i < patterns.length && patterns[i]!.test(line)) i++;
  return i;
}

/**
 * The most of `patterns` matched in order under some renaming of the threads: a minimal
 * counterexample may give a symmetric role to the other core (C1 pops first instead of C0), which
 * tells the same story. Patterns start with the thread name (`^C0 ...`).
 */
export function matchedInOrderUpToRenaming(lines: readonly string[], patterns: readonly RegExp[], threads: readonly string[]): number {
  let best = 0;
  for (const perm of permutations(threads)) {
    const rename = new Map(threads.map((t, i) => [t, perm[i]!]));
    const renamed = patterns.map((p) => {
      const m = /^\^(\w+) /.exec(p.source);
      return m && rename.has(m[1]!) ? new RegExp(`^${rename.get(m[1]!)} ${p.source.slice(m[0].length)}`, p.flags) : p;
    });
    best = Math.max(best, matchedInOrder(lines, renamed));
  }
  return best;
}

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
