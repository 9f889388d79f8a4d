import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCI } from '../../src/cli/typecheck.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';

// Spec files with type errors cannot live under test/ (npm test's tsc would fail on them): they
// are written below .smpcheck/ of the checkout, which tsconfig.json does not include.
mkdirSync(join(ROOT, '.smpcheck'), { recursive: true });
const dir = mkdtempSync(join(ROOT, '.smpcheck', 'typecheck-'));
const shown = relative(ROOT, dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = (locals: string, step: string, expect: string) => `import { defineModel, procedure, spec, thread } from '../../src/index.ts';

const get = procedure<{ ref: number }, unknown, ${locals}>('refcount_get', {
  load: (s, t) => { t.old = s.ref; },
  store: (s, t) => { ${step} },
});
const m = defineModel({ name: 'refcount', params: {}, shared: () => ({ ref: 1 }), threads: () => [thread('C0', get), thread('C1', get)], finals: { 'no-lost-get': (s) => s.ref === 3 } });
export default spec({ name: '${expect}', model: m, expect: { fail: '${expect}' } });
`;
writeFileSync(join(dir, 'typo.spec.ts'), model('{ old: number }', 's.ref = t.ownr + 1;', 'no-lost-gett'));
mkdirSync(join(dir, 'clean'));
writeFileSync(join(dir, 'clean', 'ok.spec.ts'), model('{ old: number }', 's.ref = t.old + 1;', 'no-lost-get').replaceAll('../../src/', '../../../src/'));

// The second lists the names a spec may expect: the model's and those every model has.
const TYPO_ERRORS = [
  `${shown}/typo.spec.ts:5:32: Property 'ownr' does not exist on type 'ThreadMembers<unknown> & { old: number; }'.`,
  expect.stringMatching(/^\.smpcheck\/typecheck-\w+\/typo\.spec\.ts:8:65: Type '"no-lost-gett"' is not assignable to type '"deadlock" \| [^']*"no-lost-get"'\. Did you mean '"no-lost-get"'\?$/),
];

describe('smpcheck check --typecheck', () => {
  it('reports a misspelt local and a misspelt property as file:line:col lines, then exit 2 before anything is checked', () => {
    const r = cli(['check', join(dir, 'typo.spec.ts'), '--typecheck']);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([...TYPO_ERRORS, 'smpcheck: 2 type errors in the spec files; fix them first, nothing was checked (--typecheck)']);
  });

  it('is on by default in CI, and --no-typecheck turns it off', () => {
    const ci = cli(['check', join(dir, 'typo.spec.ts')], { env: { CI: 'true' } });
    expect(ci.code).toBe(2);
    expect(ci.err.trim().split('\n')).toEqual([...TYPO_ERRORS, 'smpcheck: 2 type errors in the spec files; fix them first, nothing was checked (type-checked because CI is set; --no-typecheck skips it)']);
    // Unchecked, the spec loads and runs: its unknown property is the run-time ERROR.
    const off = cli(['check', join(dir, 'typo.spec.ts'), '--no-typecheck'], { env: { CI: 'true' } });
    expect(off.out).toMatch(/✗ no-lost-gett\s+fail no-lost-gett\s+ERROR/);
    expect(off.err).not.toContain("typo.spec.ts:5:32");
  });

  it('is off outside CI unless asked for', () => {
    const r = cli(['check', join(dir, 'typo.spec.ts')]);
    expect(r.out).toMatch(/✗ no-lost-gett\s+fail no-lost-gett\s+ERROR/);
    expect(r.err).not.toContain('type error');
  });

  it('lets clean spec files through to the check', () => {
    const r = cli(['check', join(dir, 'clean'), '--typecheck']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ no-lost-get\s+fail no-lost-get\s+FAIL no-lost-get/);
  });

  it('says so in one line when the project has no TypeScript', () => {
    const bare = tempDir('smpcheck-no-ts-');
    writeFileSync(join(bare, 'x.spec.ts'), 'export {};\n');
    const r = cli(['check', 'x.spec.ts', '--typecheck'], { cwd: bare });
    expect(r.code).toBe(2);
    expect(r.err).toBe(`smpcheck: --typecheck: TypeScript is not installed in ${bare}; install it (npm install -D typescript) or leave out --typecheck\n`);
  });

  it('reads CI as GitHub Actions and GitLab CI set it', () => {
    expect([isCI({ CI: 'true' }), isCI({ CI: '1' }), isCI({}), isCI({ CI: '' }), isCI({ CI: 'false' }), isCI({ CI: '0' })]).toEqual([true, true, false, false, false, false]);
  });
});
