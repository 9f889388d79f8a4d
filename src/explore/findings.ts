import type { Cut, ExploreOptions, ExploreResult, ExploreStats, Violation } from './types.ts';

/**
 * What a search finds, kept the same way by every engine: the first violation of each property
 * (in discovery order), the witnesses reached, the cuts, and, when asked for, the terminal and
 * deadlocked states as canonical keys.
 */
export class Findings {
  readonly violations: Violation[] = [];
  readonly witnesses = new Set<string>();
  readonly cut = new Set<Cut>();
  readonly terminals: Set<string> | undefined;
  readonly deadlockStates: Set<string> | undefined;
  private readonly violated = new Set<string>();

  constructor(private readonly opts: ExploreOptions) {
    this.terminals = opts.collectTerminals ? new Set() : undefined;
    this.deadlockStates = opts.collectTerminals ? new Set() : undefined;
  }

  /** Records a violation; true when the search must stop (and then records the cut). */
  report(v: Violation): boolean {
    if (!this.violated.has(v.property)) {
      this.violated.add(v.property);
      this.violations.push(v);
    }
    if (!this.opts.stopOn(v.property)) return false;
    this.cut.add('stopped');
    return true;
  }

  /**
   * What another thread of a split search found without a violation (a violation is never taken
   * in: the search meets it itself): its cuts, witnesses, and terminal and deadlocked states.
   */
  takeIn(other: { readonly cut: readonly Cut[]; readonly witnesses: readonly string[]; readonly terminals: readonly string[] | null; readonly deadlockStates: readonly string[] | null }): void {
    for (const c of other.cut) this.cut.add(c);
    for (const w of other.witnesses) this.witnesses.add(w);
    for (const k of other.terminals ?? []) this.terminals?.add(k);
    for (const k of other.deadlockStates ?? []) this.deadlockStates?.add(k);
  }

  result(engine: string, stats: ExploreStats, error: ExploreResult['error']): ExploreResult {
    return {
      engine,
      stats,
      violations: this.violations,
      witnessesReached: [...this.witnesses],
      cut: [...this.cut],
      ...(this.terminals ? { terminals: this.terminals, deadlockStates: this.deadlockStates! } : {}),
      ...(error ? { error } : {}),
    };
  }
}

/** The detail of a deadlock violation, worded the same by every engine and by minimisation. */
export function deadlockDetail(blocked: readonly string[]): string {
  return `blocked: ${blocked.join(', ')}`;
}
