import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { expectSameResult } from '../support/same-result.ts';
import type { Spec } from '../../src/check/spec.ts';
import { splitContext } from '../../src/explore/split-search.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';

// Every catalogue configuration the stateful engine needs over 3,000 states for, checked on
// 1, 2, 3 and 4 threads (helpers join from 1,000 states, and the first thread waits for them):
// the same verdict, violation, distinct states, end states, deadlocks and coverage.
// `npm run test:long`; test/explore/split-search.test.ts does the same on random programs and
// a few specs in `npm test`.
const ENTRY = new URL('../../src/cli/split-entry.js', import.meta.url);
const { catalogue, larger } = process.env.SMPCHECK_LONG ? await loadCatalogue() : { catalogue: [] as Spec[], larger: [] as Spec[] };
const all = [...catalogue, ...larger];

describe.skipIf(!process.env.SMPCHECK_LONG)('the catalogue on 1 to 4 threads', () => {
  it.each(all.map((s) => [s.name, s] as const))('%s', (_, spec) => {
    // Only what the default engine checks with the stateful engine (not DPOR, not a spec's own
    // bounded or random search).
    const one = checkSpec(spec);
    if (one.engine !== 'stateful' || (one.stats.states ?? 0) < 3000) return;
    for (const threads of [2, 3, 4]) {
      const spare = new Int32Array(new SharedArrayBuffer(4));
      spare[0] = threads - 1;
      const split = splitContext(spare, ENTRY, { file: spec.site.file, name: spec.name }, { minStates: 1000, waitForHelpers: true });
      const r = checkSpec(spec, { engine: 'stateful', split });
      const what = `${spec.name} on ${threads} threads`;
      expectSameResult(r, one, what);
      if (one.verdict === 'PASS') expect(r.stats.threads, what).toBe(threads);
      expect(spare[0], what).toBe(threads - 1);
    }
  }, 600_000);
});
