import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isSpec, type Spec } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';

/** Spec files are `*.spec.ts` (or .mts/.js/.mjs) under the given folders, or files named directly. */
const SPEC_FILE = /\.spec\.(ts|mts|js|mjs)$/;
/** What can be named directly: any module smpcheck can import (a `.md` would fail with a loader error). */
const LOADABLE = /\.(ts|mts|cts|js|mjs|cjs)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SPEC_FILE.test(name)) out.push(p);
  }
}

/** `defaulted`: no path was given and `specs/` was assumed. */
export function findSpecFiles(paths: readonly string[], defaulted = false): string[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs) && defaulted) throw new UsageError(`no spec files given and there is no ${p}/ folder in ${process.cwd()}; give spec files or folders, e.g. smpcheck check path/to/x.spec.ts`);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or folder; give spec files or folders (default: specs/)`);
    if (statSync(abs).isDirectory()) {
      const before = files.length;
      walk(abs, files);
      if (files.length === before) throw new UsageError(`${p}: no spec files (*.spec.ts) in this folder`);
    } else if (!LOADABLE.test(abs)) {
      throw new UsageError(`${p}: not a spec file; spec files are TypeScript or JavaScript modules (*.spec.ts, or .mts, .js, .mjs)`);
    } else {
      files.push(abs);
    }
  }
  return [...new Set(files)];
}

function collect(value: unknown, into: Spec[]): void {
  if (isSpec(value)) into.push(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, into);
}

/** Thrown by the stand-in for `process.exit` while spec files load: a spec file must not end the run. */
export class ExitCalled extends Error {
  constructor(readonly code: unknown) {
    super(`process.exit(${code === undefined ? '' : String(code)}) was called; a spec must not exit the process`);
  }
}

/**
 * Runs `f` (the import of a spec file) with `process.exit` replaced by a function that throws
 * ExitCalled: a spec file that exits while it loads would otherwise end `smpcheck check` with
 * code 0, no output and no report. What the file prints goes to stderr: stdout may become a
 * JSON, JUnit or SARIF document that one stray line would break.
 */
export async function withoutExit<T>(f: () => Promise<T>): Promise<T> {
  const exit = process.exit;
  const write = process.stdout.write;
  process.exit = ((code?: unknown) => {
    throw new ExitCalled(code);
  }) as typeof process.exit;
  process.stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof process.stdout.write;
  try {
    return await f();
  } finally {
    process.exit = exit;
    process.stdout.write = write;
  }
}

/**
 * What went wrong loading a spec file, in one line that starts with where: esbuild's syntax
 * errors (through tsx) name the file, line and column on the second line of their message
 * (`/abs/x.spec.ts:12:6: ERROR: Expected ";" but found "}"`, 0-based column), V8's syntax
 * errors of plain JavaScript name the line at the top of their stack.
 */
export function loadProblem(e: unknown, file: string, shown: string): { where: string; message: string; syntax: boolean } {
  const msg = e instanceof Error ? e.message : String(e);
  const lines = msg.split('\n');
  const esbuild = lines.map((l) => /^(.*?):(\d+):(\d+): ERROR: (.*)$/.exec(l)).filter((m) => m !== null);
  if (esbuild.length > 0) {
    const [, at, line, col, text] = esbuild[0]!;
    const where = at === file || at!.endsWith(shown) ? shown : relative(process.cwd(), at!);
    const more = esbuild.length > 1 ? ` (and ${esbuild.length - 1} more error${esbuild.length > 2 ? 's' : ''})` : '';
    return { where: `${where}:${line}:${Number(col) + 1}`, message: `${text}${more}`, syntax: true };
  }
  if (e instanceof SyntaxError) {
    const top = /^(file:\/\/\S+?):(\d+)\n/.exec(e.stack ?? '');
    const at = top && fileURLToPath(top[1]!) === file ? `${shown}:${top[2]}` : shown;
    return { where: at, message: lines[0]!, syntax: true };
  }
  return { where: shown, message: lines[0]!, syntax: false };
}

/** Imports spec files and returns their specs in file order; names must be unique. */
export async function loadSpecs(files: readonly string[]): Promise<Spec[]> {
  const specs: Spec[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const shown = relative(process.cwd(), file);
    let mod: Record<string, unknown>;
    try {
      mod = await withoutExit(() => import(pathToFileURL(file).href));
    } catch (e) {
      if (e instanceof ExitCalled) {
        throw new UsageError(`${shown}: spec file called process.exit(${e.code === undefined ? '' : String(e.code)}); a spec file must not exit the process`, { cause: e });
      }
      const p = loadProblem(e, file, shown);
      const stack = p.syntax || process.env.SMPCHECK_DEBUG ? '' : ' (run with --debug for the stack)';
      throw new UsageError(`${p.where}: cannot load this spec file: ${p.message}${stack}`, { cause: e });
    }
    const found: Spec[] = [];
    for (const v of Object.values(mod)) collect(v, found);
    if (found.length === 0) {
      throw new UsageError(`${shown}: exports no spec; export spec({...}) objects (default or named, or arrays of them)`);
    }
    for (const s of found) {
      const other = seen.get(s.name);
      if (other !== undefined) throw new UsageError(`${shown}: spec name '${s.name}' is already used in ${other}; spec names must be unique`);
      seen.set(s.name, shown);
      specs.push(s);
    }
  }
  return specs;
}

/** `--filter`: a regular expression on spec names; one that does not compile is a usage error, never a silent substring match. */
export function nameFilter(pattern: string | undefined, flag = '--filter'): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    const reason = (e instanceof Error ? e.message : String(e)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    const escaped = pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    throw new UsageError(`${flag} '${pattern}': invalid regular expression: ${reason}; escape special characters, e.g. ${flag === '--filter' ? '-t' : flag} '${escaped}' to match the text as written`, { cause: e });
  }
  return (n) => re.test(n);
}
