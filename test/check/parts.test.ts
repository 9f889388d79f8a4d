import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { expectSameResult } from '../support/same-result.ts';
import { mergeParts } from '../../src/check/parts.ts';
import { loadSpecs } from '../../src/cli/load.ts';

const specOf = async (file: string, name: string) => (await loadSpecs([resolve(file)])).find((s) => s.name === name)!;


describe('a spec split across shards, merged (--split-spec)', () => {
  // M1's cores are declared interchangeable; without symmetry it is 342,723 states.
  it.each([2, 3])('%i parts of falloc_pop/L/3cores/2ops merge into the one-process result', async (total) => {
    const spec = await specOf('specs/falloc_pop.spec.ts', 'falloc_pop/L/3cores/2ops');
    const whole = checkSpec(spec, { engine: 'stateful', symmetry: false });
    const parts = Array.from({ length: total }, (_, index) => checkSpec(spec, { engine: 'auto', symmetry: false, part: { index, total, prefixStates: 2000 } }));
    for (const p of parts) {
      expect(p.part?.whole).toBe(false);
      expect(p.engineWhy).toContain(`part ${p.part!.index + 1}/${total}`);
      // Each part alone stores fewer states than the whole search: the split shares the work.
      expect(p.stats.states!).toBeLessThan(whole.stats.states!);
    }
    const merged = mergeParts(parts);
    expectSameResult(merged, whole);
    expect(merged.engineWhy).toBe(`stateful; split across ${total} shards (--split-spec), their parts merged`);
  }, 120_000);

  it('a violation after the split point: the part that meets it reports the whole one-process search', async () => {
    const spec = await specOf('specs/rwlock_wakeup_pagefault.spec.ts', 'rwlock_wakeup_pagefault/V5/2readers');
    const whole = checkSpec(spec, { engine: 'stateful', exhaustive: true });
    expect(whole.verdict).toBe('FAIL');
    const parts = Array.from({ length: 3 }, (_, index) => checkSpec(spec, { engine: 'stateful', exhaustive: true, part: { index, total: 3, prefixStates: 500 } }));
    expect(parts.some((p) => p.part?.whole)).toBe(true);
    const merged = mergeParts(parts);
    expectSameResult(merged, whole);
    expect(merged.stats).toEqual(whole.stats);
  }, 120_000);

  it('a spec that ends before the split point is the whole search in every part', async () => {
    const spec = await specOf('specs/falloc_pop.spec.ts', 'falloc_pop/L');
    const whole = checkSpec(spec, { engine: 'stateful' });
    const parts = Array.from({ length: 2 }, (_, index) => checkSpec(spec, { part: { index, total: 2 } }));
    for (const p of parts) expect(p.part?.whole).toBe(true);
    expectSameResult(mergeParts(parts), whole);
  });

  it('a spec under symmetry is split too: the union of the parts is the one-process count', async () => {
    const spec = await specOf('specs/falloc_pop.spec.ts', 'falloc_pop/L/3cores/3ops');
    const whole = checkSpec(spec, { engine: 'stateful' });
    expect(whole.stats.symmetry).toBe(true);
    const parts = Array.from({ length: 2 }, (_, index) => checkSpec(spec, { part: { index, total: 2, prefixStates: 2000 } }));
    for (const p of parts) expect(p.part?.whole).toBe(false);
    expectSameResult(mergeParts(parts), whole);
  }, 120_000);

  it('a spec the stateful engine does not split (liveness) runs whole in every part', async () => {
    const spec = await specOf('specs/rwlock_starvation.spec.ts', 'rwlock_starvation/blocking-reader');
    const whole = checkSpec(spec);
    const parts = Array.from({ length: 2 }, (_, index) => checkSpec(spec, { part: { index, total: 2 } }));
    for (const p of parts) expect(p.part?.whole).toBe(true);
    expectSameResult(mergeParts(parts), whole);
  }, 120_000);
});
