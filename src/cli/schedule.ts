import { specParams } from '../check/run.ts';
import type { Spec } from '../check/spec.ts';

/**
 * In which order a pool of workers gets the specs (run-specs.ts). Results do not depend on it:
 * each spec is checked whole by one worker and rows are printed in spec order; only the wall
 * time does. Two aims:
 * - longest first (LPT): a long spec handed out last keeps one worker busy while the others have
 *   nothing left, so the specs that cost most start first, each on the next free worker;
 * - file affinity: a worker loads (imports) every spec file it gets a spec of, so among specs of
 *   about the same cost it takes one from a file it has already loaded.
 */

/** How a spec's cost was estimated: `recorded` times of an earlier run (ms), else `threads`. */
export type CostSource = 'recorded' | 'threads';

/**
 * The estimated cost of each spec. With recorded times (the timings cache or `--timings`) a
 * spec costs its recorded `durationMs`, and a spec they do not name the median of those they do
 * (as for shards). Without any, a guess from the number of threads the spec starts: each thread
 * more multiplies the interleavings, so a spec costs 4^threads (unitless); ties keep spec order.
 */
export function specCosts(specs: readonly Spec[], recorded?: ReadonlyMap<string, number>): { costs: number[]; source: CostSource } {
  const known = recorded === undefined ? [] : specs.map((s) => recorded.get(s.name)).filter((c): c is number => c !== undefined);
  if (known.length > 0) {
    const sorted = [...known].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return { costs: specs.map((s) => recorded!.get(s.name) ?? median), source: 'recorded' };
  }
  return { costs: specs.map((s) => 4 ** threadCount(s)), source: 'threads' };
}

/** The number of threads the spec's model starts; 0 when its `threads` throws (its worker reports that). */
function threadCount(s: Spec): number {
  try {
    return s.model.threads(specParams(s)).length;
  } catch {
    return 0;
  }
}

/**
 * A worker that has a spec file loaded takes a spec of that file instead of the costliest one
 * left when it costs at least this share of the costliest (or, with recorded times, at most
 * `slackMs` less): loading a file in a worker costs tens of milliseconds.
 */
const AFFINITY_SHARE = 0.5;

/** What a worker pays to load a spec file it has not loaded yet, about (ms; measured on the catalogue). */
export const FILE_LOAD_MS = 20;

export class Dispatch {
  /** The specs not handed out yet, costliest first (ties: spec order). */
  private readonly left: number[];

  /**
   * `files[i]`: spec i's file; `costs[i]`: its estimated cost; `slack`: costs within this much
   * of the costliest left count as close (what loading a file costs, in the costs' unit).
   */
  constructor(private readonly files: readonly string[], private readonly costs: readonly number[], private readonly slack = 0) {
    this.left = files.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || a - b);
  }

  /** How many specs are left to hand out. */
  get remaining(): number {
    return this.left.length;
  }

  /** The spec to hand to a worker that has loaded `loaded` (spec files); undefined when none is left. */
  take(loaded: ReadonlySet<string>): number | undefined {
    if (this.left.length === 0) return undefined;
    const top = this.left[0]!;
    let k = 0;
    if (!loaded.has(this.files[top]!)) {
      const local = this.left.findIndex((i) => loaded.has(this.files[i]!));
      if (local > 0) {
        const c = this.costs[this.left[local]!]!;
        const best = this.costs[top]!;
        if (c >= best * AFFINITY_SHARE || best - c <= this.slack) k = local;
      }
    }
    return this.left.splice(k, 1)[0];
  }
}
