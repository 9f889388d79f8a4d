import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceFileName } from '../../src/report/trace-file.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';

describe('trace file names', () => {
  it('are readable and depend on the spec file as well as the name', () => {
    expect(traceFileName('falloc_pop/U', '/p/specs/falloc_pop.spec.ts', '/p')).toMatch(/^falloc_pop_U-[0-9a-f]{6}\.json$/);
    expect(traceFileName('x', '/p/a/x.spec.ts', '/p')).not.toBe(traceFileName('x', '/p/b/x.spec.ts', '/p'));
    // Relative to the project: the same on every checkout.
    expect(traceFileName('x', '/p/a/x.spec.ts', '/p')).toBe(traceFileName('x', '/q/a/x.spec.ts', '/q'));
  });

  it('keep two specs of one name from two files apart in one trace folder, each replaying its own', () => {
    const dir = tempDir('smpcheck-names-');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const source = readFileSync(join(ROOT, 'examples/refcount.spec.ts'), 'utf8').replace("from 'smpcheck'", `from '${join(ROOT, 'src/index.ts')}'`);
    for (const sub of ['a', 'b']) {
      mkdirSync(join(dir, sub));
      writeFileSync(join(dir, sub, 'refcount.spec.ts'), source);
      expect(cli(['check', `${sub}/refcount.spec.ts`, '--trace-dir', 'traces'], { cwd: dir }).code).toBe(1);
    }
    const traces = readdirSync(join(dir, 'traces')).sort();
    expect(traces).toHaveLength(2);
    const files = traces.map((t) => JSON.parse(readFileSync(join(dir, 'traces', t), 'utf8')).spec.file).sort();
    expect(files).toEqual(['../a/refcount.spec.ts', '../b/refcount.spec.ts']);
    for (const t of traces) {
      const r = cli(['replay', join('traces', t)], { cwd: dir });
      expect([r.code, r.err]).toEqual([0, '']);
    }
  });
});
