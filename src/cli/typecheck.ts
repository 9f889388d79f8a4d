import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../model/errors.ts';
import { SPEC_COMPILER_OPTIONS } from './init.ts';

/** The part of the TypeScript compiler API `--typecheck` uses (the user's own `typescript`). */
interface Ts {
  findConfigFile(dir: string, exists: (f: string) => boolean, name?: string): string | undefined;
  readConfigFile(file: string, read: (f: string) => string | undefined): { config?: unknown; error?: Diagnostic };
  parseJsonConfigFileContent(json: unknown, host: unknown, base: string, existing?: object, file?: string): { options: object; errors: Diagnostic[] };
  convertCompilerOptionsFromJson(json: object, base: string): { options: object; errors: Diagnostic[] };
  createProgram(roots: readonly string[], options: object): { getSourceFiles(): unknown[] };
  getPreEmitDiagnostics(program: unknown): readonly Diagnostic[];
  flattenDiagnosticMessageText(m: unknown, nl: string): string;
  sys: { fileExists(f: string): boolean; readFile(f: string): string | undefined };
  DiagnosticCategory: { Error: number };
  version: string;
}
interface Diagnostic {
  file?: { fileName: string; getLineAndCharacterOfPosition(p: number): { line: number; character: number } };
  start?: number;
  messageText: unknown;
  category: number;
}

/** The project's `typescript` (resolved from `cwd`, as `npx tsc` would find it), or undefined. */
export function projectTypescript(cwd: string): Ts | undefined {
  try {
    return createRequire(join(resolve(cwd), 'package.json'))('typescript') as Ts;
  } catch {
    return undefined;
  }
}

/** `CI` set to anything but '', '0' or 'false' (GitHub Actions and GitLab CI set `CI=true`). */
export function isCI(env: Readonly<Record<string, string | undefined>>): boolean {
  const v = env.CI;
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Type errors in the spec files and what they import, as `file:line:col: message` lines
 * (paths relative to `cwd`). The options are those of the tsconfig.json nearest `cwd` (its
 * file list aside: the spec files are the roots), else those `smpcheck init` writes.
 */
export function typeErrors(ts: Ts, files: readonly string[], cwd: string): string[] {
  const where = (f: string) => relative(cwd, f) || f;
  const line = (d: Diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file === undefined || d.start === undefined) return `${configName ?? 'typescript'}: ${text}`;
    const { line: l, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${where(d.file.fileName)}:${l + 1}:${character + 1}: ${text}`;
  };
  const configFile = ts.findConfigFile(cwd, (f) => ts.sys.fileExists(f), 'tsconfig.json');
  const configName = configFile === undefined ? undefined : where(configFile);
  let options: object;
  if (configFile !== undefined) {
    const read = ts.readConfigFile(configFile, (f) => ts.sys.readFile(f));
    if (read.error) return [line(read.error)];
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(configFile), undefined, configFile);
    // "No inputs were found" and the like concern the config's own file list, not the spec files.
    const bad = parsed.errors.filter((d) => d.category === ts.DiagnosticCategory.Error && !/no inputs were found/i.test(ts.flattenDiagnosticMessageText(d.messageText, ' ')));
    if (bad.length > 0) return bad.map(line);
    options = parsed.options;
  } else {
    options = ts.convertCompilerOptionsFromJson({ ...SPEC_COMPILER_OPTIONS }, cwd).options;
  }
  const program = ts.createProgram(files, { ...options, noEmit: true });
  return ts.getPreEmitDiagnostics(program).filter((d) => d.category === ts.DiagnosticCategory.Error).map(line);
}

/**
 * `--typecheck` (true), `--no-typecheck` (false) or neither (on in CI when the project has
 * TypeScript). Type errors are printed one a line and end the run with exit 2 before any
 * spec is loaded.
 */
export function typecheckSpecs(files: readonly string[], wanted: boolean | undefined, cwd: string, env: Readonly<Record<string, string | undefined>>, err: (s: string) => void): void {
  if (wanted === false) return;
  if (wanted === undefined && !isCI(env)) return;
  const ts = projectTypescript(cwd);
  if (ts === undefined) {
    if (wanted === undefined) return;
    throw new UsageError(`--typecheck: TypeScript is not installed in ${existsSync(join(cwd, 'package.json')) ? 'this project' : cwd}; install it (npm install -D typescript) or leave out --typecheck`);
  }
  const errors = typeErrors(ts, files, cwd);
  if (errors.length === 0) return;
  for (const e of errors) err(`${e}\n`);
  const n = errors.length === 1 ? '1 type error' : `${errors.length} type errors`;
  const why = wanted === undefined ? 'type-checked because CI is set; --no-typecheck skips it' : '--typecheck';
  throw new UsageError(`${n} in the spec files; fix them first, nothing was checked (${why})`);
}
