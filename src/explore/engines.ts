import { exploreDporWithHelpers } from './dpor-threads.ts';
import { exploreNaive } from './naive.ts';
import { exploreStateful } from './stateful.ts';
import { exploreBounded } from './preemption-bounded.ts';
import { exploreRandom } from './random-walk.ts';
import { defaultClock } from './pace.ts';
import type { Engine, Progress } from './types.ts';

/**
 * `--engine auto`'s rule (README, "Choosing an engine"): the stateful engine runs first; when
 * it has stored PROBE_STATES distinct states without finishing, the share of its transitions
 * that reached an already stored state decides. Histories that converge (locks, counters:
 * every order of k critical sections is its own Mazurkiewicz trace but most orders reach the
 * same state) revisit early, and the stateful search goes on where it is. Tree-like programs
 * (lastzero, readers: 0 revisits in the first 100,000 states, where lock-heavy kernel models
 * have 6–35%) are handed to optimal DPOR, which explores one execution per trace. The probe is
 * counted in states, never in time, so the choice is the same on every machine.
 */
export const PROBE_STATES = 20_000;
export const CONVERGING = 0.05;

export const exploreAuto: Engine = (program, opts) => {
  const clock = opts.clock ?? defaultClock;
  const t0 = clock();
  let ratio = 0;
  const stateful = exploreStateful(program, {
    ...opts,
    probe: {
      states: PROBE_STATES,
      keepGoing: (f) => (ratio = f.revisits / Math.max(1, f.events)) >= CONVERGING,
    },
  });
  const pct = `${(ratio * 100).toFixed(1)}% of transitions reached a stored state in the first ${PROBE_STATES.toLocaleString('en-US')} states`;
  if (!stateful.abandoned) {
    const probe = `${PROBE_STATES.toLocaleString('en-US')}-state probe`;
    const cut = stateful.cut.filter((c) => c !== 'stopped');
    // A search cut (time, memory, depth) or stopped by a violation inside the probe did not
    // finish: say so, so that the reason never reads as a completed search.
    const why = stateful.stats.states! >= PROBE_STATES
      ? `auto: stateful; histories converge (${pct})`
      : cut.length > 0
        ? `auto: stateful; cut (${cut.join(', ')}) within the ${probe}`
        : stateful.violations.length > 0 ? `auto: stateful; a violation was found within the ${probe}` : `auto: stateful; done within the ${probe}`;
    return { ...stateful, engineWhy: why };
  }
  // One time budget for the whole spec: DPOR gets what the probe left (at least 1 ms, so that a
  // spent budget still cuts at DPOR's first node and says INCOMPLETE).
  const spent = clock() - t0;
  const timeMs = Math.max(1, opts.bounds.timeMs - spent);
  const onProgress = opts.onProgress;
  const dpor = exploreDporWithHelpers(program, {
    ...opts,
    bounds: { ...opts.bounds, timeMs },
    // Progress counts time from the start of the spec, not of DPOR.
    ...(onProgress ? { onProgress: (p: Progress) => onProgress({ ...p, elapsedMs: p.elapsedMs + spent }) } : {}),
  });
  return { ...dpor, engineWhy: `auto: dpor; tree-like (${pct}, under ${CONVERGING * 100}%)` };
};

/** Explorers by the name `--engine` takes. */
export const engines: Readonly<Record<string, Engine>> = Object.freeze({
  auto: exploreAuto,
  dpor: exploreDporWithHelpers,
  stateful: exploreStateful,
  naive: exploreNaive,
  // Not exhaustive: selected by --preemptions / --random (or a spec's own); see check/search-mode.ts.
  bounded: exploreBounded,
  random: exploreRandom,
});

export const defaultEngine = 'auto';

export function engineNames(): string[] {
  return Object.keys(engines);
}
