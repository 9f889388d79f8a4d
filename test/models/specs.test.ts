import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { findSpecFiles, loadSpecs } from '../../src/cli/load.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const specs = await loadSpecs(findSpecFiles([`${ROOT}specs`]));

describe('every spec in specs/ gets its expected verdict', () => {
  it.each(specs.map((s) => [s.name, s] as const))('%s (naive)', (_, s) => {
    const r = checkSpec(s, { engine: 'naive' });
    expect(r.error).toBeUndefined();
    expect(r.verdict, r.witnessesMissed.join(', ')).toBe(s.expect === 'pass' ? 'PASS' : 'FAIL');
    expect(r.ok).toBe(true);
  });
});
