import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UsageError } from '../model/errors.ts';
import { PACKAGE_ROOT } from './package-root.ts';

/**
 * The compiler options spec files need, whatever the project's package.json says (`"type":
 * "commonjs"` included): ES module syntax, `smpcheck`'s exports with their types, `.ts` in
 * import paths (a spec importing its model), and no output (smpcheck loads the sources).
 */
export const SPEC_COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'preserve',
  moduleResolution: 'bundler',
  strict: true,
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
} as const;

/** The tsconfig.json `smpcheck init` writes when the project has none. */
export function initTsconfig(): string {
  return `${JSON.stringify({ compilerOptions: SPEC_COMPILER_OPTIONS, include: ['specs'] }, null, 2)}\n`;
}

/** What `init` creates: the README tutorial (a lost reference count), as examples/refcount.spec.ts has it. */
const EXAMPLE = { file: join('specs', 'refcount.spec.ts'), source: new URL('examples/refcount.spec.ts', PACKAGE_ROOT) };

/**
 * `smpcheck init`: creates specs/refcount.spec.ts (the tutorial's model and spec) and a
 * tsconfig.json if there is none (else prints what to add to it), then the next commands.
 * Writes nothing when any file it would create exists.
 */
export function runInit(cwd: string, out: (s: string) => void): number {
  const spec = join(cwd, EXAMPLE.file);
  if (existsSync(spec)) {
    throw new UsageError(`${relative(cwd, spec)} already exists and smpcheck init overwrites nothing; move it away first, or write your own specs next to it`);
  }
  const tsconfig = join(cwd, 'tsconfig.json');
  const hasTsconfig = existsSync(tsconfig);
  mkdirSync(join(cwd, 'specs'), { recursive: true });
  writeFileSync(spec, readFileSync(EXAMPLE.source, 'utf8'), { flag: 'wx' });
  const created = (file: string, what: string) => `created ${file.padEnd(EXAMPLE.file.length)}  ${what}`;
  const lines = [created(EXAMPLE.file, 'the README tutorial: two cores take a reference with f->ref++ (a load, then a store)')];
  if (!hasTsconfig) {
    writeFileSync(tsconfig, initTsconfig(), { flag: 'wx' });
    lines.push(created('tsconfig.json', 'type-checks the spec files (npx tsc, or smpcheck check --typecheck)'));
  } else {
    const options = Object.entries(SPEC_COMPILER_OPTIONS).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
    lines.push(
      'tsconfig.json exists and was left as it is; for the spec files it needs these options (or "module": "nodenext") and "specs" in include:',
      `  "compilerOptions": {\n${options}\n  },\n  "include": ["specs"]`,
    );
  }
  lines.push(
    '',
    'Next:',
    '  npx smpcheck check                   check every spec in specs/ (refcount/get FAILs: one reference is lost)',
    '  npx smpcheck replay <trace file>     replay the counterexample it wrote (the Replay: line names the file)',
    "  then fix the model (the atomic `inc: (s) => { s.ref += 1; }`) or keep the bug as a regression test: expect: { fail: 'no-lost-get' }",
    '  in CI: npx smpcheck check (exit 0 when every spec gets its expected verdict); add .smpcheck/ to .gitignore',
  );
  out(`${lines.join('\n')}\n`);
  return 0;
}
