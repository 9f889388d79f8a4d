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
  const procs = [...program.procedures()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
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
