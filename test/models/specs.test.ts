import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';

// The larger configurations are checked in larger.test.ts.
const specs = (await loadCatalogue()).catalogue;

describe('every catalogue spec in specs/ gets its expected verdict from every engine', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s', (_, s) => {
    const dpor = checkSpec(s, { engine: 'dpor' });
    expect(dpor.error).toBeUndefined();
    expect(dpor.verdict, dpor.witnessesMissed.join(', ')).toBe(s.expect === 'pass' ? 'PASS' : 'FAIL');
    expect(dpor.ok).toBe(true);
    // The reference, where it finishes quickly (larger configurations are DPOR's to check).
    const naive = checkSpec(s, { engine: 'naive', bounds: { timeMs: 20_000 } });
    if (naive.verdict === 'INCOMPLETE') return;
    expect(naive.error).toBeUndefined();
    expect([naive.verdict, naive.ok]).toEqual([dpor.verdict, true]);
    // The stateful engine enters every state naive stores (sleep sets prune transitions only),
    // with fingerprints and with exact keys; auto (the default) agrees on the verdict.
    const stateful = checkSpec(s, { engine: 'stateful', symmetry: false });
    expect([stateful.verdict, stateful.ok]).toEqual([dpor.verdict, true]);
    if (s.expect === 'pass') expect(stateful.stats.states).toBe(naive.stats.states);
    // With the model's declared symmetry (M1's cores), no more states, the same verdict.
    const sym = checkSpec(s, { engine: 'stateful' });
    expect([sym.verdict, sym.ok]).toEqual([dpor.verdict, true]);
    if (s.expect === 'pass') expect(sym.stats.states).toBeLessThanOrEqual(naive.stats.states!);
    const auto = checkSpec(s);
    expect([auto.verdict, auto.ok, auto.engine]).toEqual([dpor.verdict, true, 'stateful']);
    if (s.expect === 'pass' && naive.stats.traces !== null) {
      // One execution per Mazurkiewicz trace on the kernel models too.
      expect(dpor.stats.executions).toBe(naive.stats.traces);
      expect(dpor.stats.sleepBlocked).toBe(0);
    }
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
