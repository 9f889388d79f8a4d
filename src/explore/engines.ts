import { exploreNaive } from './naive.ts';
import type { Engine } from './types.ts';

/** Explorers by the name `--engine` takes. The first is the default. */
export const engines: Readonly<Record<string, Engine>> = Object.freeze({
  naive: exploreNaive,
});

export const defaultEngine = 'naive';

export function engineNames(): string[] {
  return Object.keys(engines);
}
