import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';

// The larger configurations are checked in larger.test.ts.
const specs = (await loadCatalogue()).catalogue;

describe('every catalogue spec in specs/ gets its expected verdict', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s (naive)', (_, s) => {
    const r = checkSpec(s, { engine: 'naive' });
    expect(r.error).toBeUndefined();
    expect(r.verdict, r.witnessesMissed.join(', ')).toBe(s.expect === 'pass' ? 'PASS' : 'FAIL');
    expect(r.ok).toBe(true);
  });
});

describe('every PASS spec shows real concurrency', () => {
  // forVariants witnesses hold trivially for the variants they do not belong to; each PASS spec
  // must reach at least one witness that is false in its initial state.
  it.each(specs.filter((s) => s.expect === 'pass').map((s) => [s.name, s] as const))('%s', (_, s) => {
    const r = checkSpec(s, { engine: 'naive' });
    const p = r.program!;
    const initiallyTrue = p.witnesses.filter((w) => w.fn(p.initial.shared, p.params)).map((w) => w.name);
    const real = r.explore!.witnessesReached.filter((w) => !initiallyTrue.includes(w));
    expect(real.length, `witnesses reached: ${r.explore!.witnessesReached.join(', ')}`).toBeGreaterThan(0);
  });
});
