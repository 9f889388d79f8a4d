import type { Program } from '../model/program.ts';

/** One labelled step of a procedure: it ran, was only ever reached blocked, or never reached. */
export interface StepCoverage {
  /** `proc.label`, as traces name steps. */
  readonly step: string;
  readonly ran: boolean;
  /** Reached, but its guard (or the guard at the end of its fused chain) never let it through. */
  readonly blockedOnly?: true;
}

export interface PropertyCoverage {
  readonly property: string;
  readonly kind: 'invariant' | 'final' | 'witness' | 'assertion';
  readonly evaluated: boolean;
}

/**
 * What a run exercised (issue 13, step coverage): every step of every procedure the program
 * knows at the end of the run, and every property. Steps in procedure-name order, then in the
 * procedure's label order; properties by kind, then in the model's order.
 */
export interface Coverage {
  readonly steps: readonly StepCoverage[];
  readonly properties: readonly PropertyCoverage[];
}

export function coverageOf(program: Program): Coverage {
  const steps: StepCoverage[] = [];
  const known = program.procedures();
  const names = new Set(known.map((p) => p.name));
  // Procedures only another thread of a split search met (takeCoverage) are listed too.
  const procs = [...known, ...[...program.metElsewhere].filter(([name]) => !names.has(name)).map(([name, labels]) => ({ name, labels }))]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const proc of procs) {
    const ran = program.ran.get(proc.name);
    const blocked = program.blocked.get(proc.name);
    for (const label of proc.labels) {
      const step = `${proc.name}.${label}`;
      if (ran?.has(label)) steps.push({ step, ran: true });
      else if (blocked?.has(label)) steps.push({ step, ran: false, blockedOnly: true });
      else steps.push({ step, ran: false });
    }
  }
  const properties: PropertyCoverage[] = [];
  for (const [kind, preds] of [['invariant', program.invariants], ['final', program.finals], ['witness', program.witnesses]] as const) {
    for (const p of preds) properties.push({ property: p.name, kind, evaluated: program.evaluated.has(p) });
  }
  // An assertion is known only once a step ran it, so every known one was evaluated.
  for (const name of [...program.asserted].sort()) properties.push({ property: name, kind: 'assertion', evaluated: true });
  return { steps, properties };
}

/** Steps that never ran (blocked-only ones included): the dead steps a PASS warns about. */
export function deadSteps(c: Coverage): string[] {
  return c.steps.filter((s) => !s.ran).map((s) => s.step);
}

/**
 * What a program's search exercised, as plain data: what a thread of a split search sends the
 * first thread (split-search.ts, dpor-split.ts), with the procedures it met (their labels), so
 * that one met only there is still listed.
 */
export interface CoverageData {
  readonly ran: readonly (readonly [string, readonly string[]])[];
  readonly blocked: readonly (readonly [string, readonly string[]])[];
  readonly evaluated: readonly string[];
  readonly asserted: readonly string[];
  readonly procedures: readonly (readonly [string, readonly string[]])[];
}

export function coverageData(p: Program): CoverageData {
  return {
    ran: [...p.ran].map(([k, v]) => [k, [...v]]),
    blocked: [...p.blocked].map(([k, v]) => [k, [...v]]),
    evaluated: [...p.evaluated].map((q) => q.name),
    asserted: [...p.asserted],
    procedures: p.procedures().map((q) => [q.name, q.labels]),
  };
}

/** Adds another thread's coverage (of the same spec) to `p`'s. */
export function takeCoverage(p: Program, d: CoverageData): void {
  const into = (m: Map<string, Set<string>>, entries: CoverageData['ran']) => {
    for (const [proc, labels] of entries) {
      let set = m.get(proc);
      if (set === undefined) m.set(proc, (set = new Set()));
      for (const l of labels) set.add(l);
    }
  };
  into(p.ran, d.ran);
  into(p.blocked, d.blocked);
  const names = new Set(d.evaluated);
  for (const q of [...p.invariants, ...p.finals, ...p.witnesses, ...p.eventually]) if (names.has(q.name)) p.evaluated.add(q);
  for (const a of d.asserted) p.asserted.add(a);
  for (const [name, labels] of d.procedures) if (!p.metElsewhere.has(name)) p.metElsewhere.set(name, labels);
}

/** Forgets what `p` has exercised (a search run again, or a helper's next part). */
export function clearCoverage(p: Program): void {
  p.metElsewhere.clear();
  p.ran.clear();
  p.blocked.clear();
  p.evaluated.clear();
  p.asserted.clear();
}
