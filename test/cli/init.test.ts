import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initTsconfig, SPEC_COMPILER_OPTIONS } from '../../src/cli/init.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';

/** Every file under `dir` with its content, to see that a refused init changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe('smpcheck init', () => {
  it('creates specs/refcount.spec.ts (the README tutorial) and a tsconfig.json, and prints the next commands', () => {
    const dir = tempDir('smpcheck-init-');
    const r = cli(['init'], { cwd: dir });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(snapshot(dir)).toEqual({
      'specs/refcount.spec.ts': readFileSync(join(ROOT, 'examples/refcount.spec.ts'), 'utf8'),
      'tsconfig.json': initTsconfig(),
    });
    expect(JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8'))).toEqual({ compilerOptions: SPEC_COMPILER_OPTIONS, include: ['specs'] });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('created specs/refcount.spec.ts  the README tutorial: two cores take a reference with f->ref++ (a load, then a store)');
    expect(lines[1]).toBe('created tsconfig.json           type-checks the spec files (npx tsc, or smpcheck check --typecheck)');
    expect(r.out).toContain('\nNext:\n  npx smpcheck check ');
    expect(r.out).toContain('npx smpcheck replay');
  });

  it('leaves an existing tsconfig.json as it is and prints what spec files need', () => {
    const dir = tempDir('smpcheck-init-');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    const r = cli(['init'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'tsconfig.json'), 'utf8')).toBe('{ "compilerOptions": { "strict": true } }\n');
    expect(r.out).toContain('tsconfig.json exists and was left as it is');
    expect(r.out).toContain('"moduleResolution": "bundler"');
    expect(r.out).toContain('"include": ["specs"]');
    expect(readdirSync(join(dir, 'specs'))).toEqual(['refcount.spec.ts']);
  });

  it('refuses to overwrite the example: one line, exit 2, nothing written', () => {
    const dir = tempDir('smpcheck-init-');
    mkdirSync(join(dir, 'specs'));
    writeFileSync(join(dir, 'specs/refcount.spec.ts'), '// my own\n');
    const before = snapshot(dir);
    const r = cli(['init'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('smpcheck: specs/refcount.spec.ts already exists and smpcheck init overwrites nothing; move it away first, or write your own specs next to it\n');
    expect(snapshot(dir)).toEqual(before);
  });

  it('a second init changes nothing', () => {
    const dir = tempDir('smpcheck-init-');
    expect(cli(['init'], { cwd: dir }).code).toBe(0);
    const before = snapshot(dir);
    const again = cli(['init'], { cwd: dir });
    expect([again.code, again.err.split('\n').length]).toEqual([2, 2]);
    expect(snapshot(dir)).toEqual(before);
  });
});
