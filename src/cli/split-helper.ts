import { workerData } from 'node:worker_threads';
import { specParams } from '../check/run.ts';
import { Program } from '../model/program.ts';
import { joinSplit, type HelperData } from '../explore/split-search.ts';
import { serveDpor, type DporHelperData } from '../explore/dpor-threads.ts';
import { ExitCalled, loadSpecs } from './load.ts';

/**
 * A helper thread of a split search: loads the spec the search is of, builds its program the
 * way checkSpec does, and joins (split-search.ts), or, for DPOR, explores the branches it is
 * given (dpor-threads.ts). A helper that cannot load the spec never
 * joins, and the search goes on without it; so does one the search finished without.
 */
const data = workerData as HelperData | DporHelperData;

// As in worker.ts: a step that calls process.exit throws instead (the search then runs again
// on one thread, where the spec ends as ERROR naming the call).
process.exit = ((code?: unknown) => {
  throw new ExitCalled(code);
}) as typeof process.exit;

try {
  const spec = (await loadSpecs([data.source.file])).find((s) => s.name === data.source.name);
  if (spec !== undefined) {
    const make = () => new Program(spec.model, specParams(spec));
    if ('kind' in data && data.kind === 'dpor') serveDpor(make, data);
    else joinSplit(make(), data as HelperData);
  }
} catch {
  // not joined: nothing to report
}
