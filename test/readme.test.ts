import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll as onTestFinishedAll, describe, expect, it, onTestFinished } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${ROOT}README.md`, 'utf8');

describe('README.md stays true', () => {
  it('shows the tutorial exactly as examples/refcount.spec.ts has it', () => {
    const block = /<!-- tutorial:begin -->\n```ts\n([\s\S]*?)```\n<!-- tutorial:end -->/.exec(readme);
    expect(block).not.toBeNull();
    expect(block![1]).toBe(readFileSync(`${ROOT}examples/refcount.spec.ts`, 'utf8'));
  });

  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm ci && npm run check');
    expect(readme).toContain('npm test');
  });
});

describe('README.md, Reading a trace', () => {
  it('shows the trace exactly as smpcheck prints it', async () => {
    const { cli } = await import('./support/cli.ts');
    const r = cli(['check', 'examples/refcount.spec.ts', '--trace-dir', '.smpcheck/traces']);
    const printed = r.out.slice(r.out.indexOf('── refcount/get'), r.out.indexOf('\n\n1 spec,'));
    const section = readme.slice(readme.indexOf('## Reading a trace'));
    const block = /```\n(── refcount\/get[\s\S]*?)\n```/.exec(section);
    expect(block?.[1]).toBe(printed);
  });
});

describe('README.md names only files that exist', () => {
  const TOP = new Set(readdirSync(ROOT));
  const allFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.name === 'node_modules' || e.name === '.git' ? [] : e.isDirectory() ? allFiles(join(dir, e.name)) : [e.name]);
  const fileNames = new Set(['src', 'test', 'models', 'examples', 'scripts', 'bin'].flatMap((d) => allFiles(d)));

  it('every relative link exists', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !existsSync(join(ROOT, l)))).toEqual([]);
  });

  it('every repository path and source file it names exists', () => {
    const named = [...readme.matchAll(/`([^`\s<>*]+)`/g)].map((m) => m[1]!.replace(/\/$/, ''));
    // A path into the checkout: it starts at one of the repository's top-level entries.
    // Outputs smpcheck writes (.smpcheck/, the timings cache under node_modules/.cache/) are not in a clone.
    const paths = named.filter((p) => p.includes('/') && TOP.has(p.split('/')[0]!) && !p.startsWith('.smpcheck/') && !p.startsWith('node_modules/'));
    const files = named.filter((p) => /^[\w.-]+\.(ts|md|yml|json)$/.test(p) && !/-[0-9a-f]{6}\.json$/.test(p)); // trace files are outputs
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
    expect(files.filter((f) => !fileNames.has(f) && !existsSync(join(ROOT, f)))).toEqual([]);
  });

  it('names no document of another folder (design notes, catalogues) as if it were here', () => {
    const docs = [...readme.matchAll(/\b([A-Z][A-Z_-]+\.md)\b/g)].map((m) => m[1]!).filter((d) => d !== 'README.md');
    expect(docs.filter((d) => !existsSync(join(ROOT, d)) && !existsSync(join(ROOT, 'docs', d)))).toEqual([]);
    expect(readme).not.toMatch(/\bDESIGN §/);
  });

  it('shows the GitHub Actions workflow exactly as .github/workflows/smpcheck.yml has it', () => {
    const section = readme.slice(readme.indexOf('.github/workflows/smpcheck.yml'));
    const block = /```yaml\n([\s\S]*?)```\n/.exec(section);
    expect(block?.[1]).toBe(readFileSync(join(ROOT, '.github/workflows/smpcheck.yml'), 'utf8'));
  });
});

describe('README.md, Replaying a trace', () => {
  it('shows the trace file exactly as smpcheck writes it for the tutorial', async () => {
    const { cli } = await import('./support/cli.ts');
    // Two folders below the checkout, as .smpcheck/traces/ is, so the spec file is relative.
    mkdirSync(join(ROOT, '.smpcheck'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, '.smpcheck', 'readme-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const r = cli(['check', 'examples/refcount.spec.ts', '--trace-dir', dir]);
    expect(r.code).toBe(1);
    const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
    const written = JSON.parse(readFileSync(join(dir, file!), 'utf8'));
    const block = /```jsonc\n(\{\n  "smpcheckTrace"[\s\S]*?)```/.exec(readme);
    const shown = JSON.parse(block![1]!.replace(/\s+\/\/ .*$/gm, ''));
    // The README's trace lives in .smpcheck/traces/, two folders below the checkout.
    expect(shown.spec.file).toBe('../../examples/refcount.spec.ts');
    expect({ ...shown, spec: { ...shown.spec, file: '' } }).toEqual({ ...written, spec: { ...written.spec, file: '' } });
  });
});

describe('README.md, the tutorial run', () => {
  it('shows exactly what smpcheck prints for the tutorial, times aside', async () => {
    const { cli } = await import('./support/cli.ts');
    const r = cli(['check', 'examples/refcount.spec.ts', '--trace-dir', '.smpcheck/traces']);
    expect(r.code).toBe(1);
    const block = /```\n\$ npx smpcheck check examples\/refcount\.spec\.ts\n([\s\S]*?)```/.exec(readme);
    const times = (s: string) => s.replace(/ +\d+(\.\d+)? (ms|s)\b/g, ' T');
    expect(times(block![1]!)).toBe(times(r.out));
  });
});

describe('README.md, Using smpcheck in your kernel repository', () => {
  const block = (name: string) => {
    const m = new RegExp(`<!-- ${name}:begin -->\\n\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`).exec(readme);
    expect(m, `README block ${name}`).not.toBeNull();
    return m![1]!;
  };
  // A kernel repository inside the checkout, so that `smpcheck` resolves to this checkout's
  // sources (test/package.test.ts does the same from the packed tarball, outside it).
  mkdirSync(join(ROOT, '.smpcheck'), { recursive: true });
  const project = mkdtempSync(join(ROOT, '.smpcheck', 'readme-user-'));
  onTestFinishedAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs the tarball npm pack names', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(block('install')).toContain(`npm pack                                              # in the smpcheck checkout: smpcheck-${version}.tgz`);
    expect(block('install')).toContain(`npm install -D /path/to/smpcheck-${version}.tgz typescript`);
  });

  it('shows what smpcheck init prints, and the files it writes run as the README says', async () => {
    const { cli } = await import('./support/cli.ts');
    const r = cli(['init'], { cwd: project });
    expect(r.code).toBe(0);
    expect(`$ npx smpcheck init\n${r.out}`).toBe(block('init'));
    expect(readFileSync(join(project, 'specs/refcount.spec.ts'), 'utf8')).toBe(readFileSync(join(ROOT, 'examples/refcount.spec.ts'), 'utf8'));
    // Here the checkout's tsconfig.json applies (its conditions resolve `smpcheck` to src/).
    rmSync(join(project, 'tsconfig.json'));
  });

  it('shows examples/stats.spec.ts, and the type error a misspelt local in it gives', async () => {
    const { cli } = await import('./support/cli.ts');
    const source = readFileSync(join(ROOT, 'examples/stats.spec.ts'), 'utf8');
    expect(block('user-spec')).toBe(source);
    writeFileSync(join(project, 'specs/stats.spec.ts'), source.replace('s.rx = t.rx + 1;', 's.rx = t.rxx + 1;'));
    const r = cli(['check', '--typecheck'], { cwd: project });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(`$ npx smpcheck check --typecheck\n${r.err}`).toBe(block('typecheck'));
    writeFileSync(join(project, 'specs/stats.spec.ts'), source);
  });

  it('shows examples/ci/*.yml, whose smpcheck commands pass the gate once the tutorial bug is expected', async () => {
    const { cli } = await import('./support/cli.ts');
    expect(block('github')).toBe(readFileSync(join(ROOT, 'examples/ci/github-actions.yml'), 'utf8'));
    expect(block('gitlab')).toBe(readFileSync(join(ROOT, 'examples/ci/gitlab-ci.yml'), 'utf8'));
    // init's next steps: keep the bug as a regression test.
    const tutorial = join(project, 'specs/refcount.spec.ts');
    writeFileSync(tutorial, readFileSync(tutorial, 'utf8').replace("expect: 'pass'", "expect: { fail: 'no-lost-get' }"));
    const commands = [block('github'), block('gitlab')].map((b) => /npx smpcheck (check [^\n]*)/.exec(b)![1]!);
    for (const command of commands) {
      rmSync(join(project, 'reports'), { recursive: true, force: true });
      const r = cli(command.split(' '), { cwd: project, env: { CI: 'true' } }); // CI: type-checked first
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/3 specs, all as expected/);
      expect(readFileSync(join(project, 'reports/smpcheck.xml'), 'utf8')).toContain('<testsuite');
    }
  });

  it('shows examples/refcount.test.ts, the vitest example npm test runs', () => {
    expect(block('vitest')).toBe(readFileSync(join(ROOT, 'examples/refcount.test.ts'), 'utf8'));
  });
});
