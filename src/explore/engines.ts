import { exploreDpor } from './dpor.ts';
import { exploreNaive } from './naive.ts';
import type { Engine } from './types.ts';

/** Explorers by the name `--engine` takes. The first is the default. */
export const engines: Readonly<Record<string, Engine>> = Object.freeze({
  dpor: exploreDpor,
  naive: exploreNaive,
});

export const defaultEngine = 'dpor';

export function engineNames(): string[] {
  return Object.keys(engines);
}
