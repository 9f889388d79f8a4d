import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isSpec, type Spec } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';

/** Spec files are `*.spec.ts` (or .mts/.js/.mjs) under the given folders, or files named directly. */
const SPEC_FILE = /\.spec\.(ts|mts|js|mjs)$/;

function walk(dir: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SPEC_FILE.test(name)) out.push(p);
  }
}

export function findSpecFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new UsageError(`${p}: no such file or folder; give spec files or folders (default: specs/)`);
    if (statSync(abs).isDirectory()) {
      const before = files.length;
      walk(abs, files);
      if (files.length === before) throw new UsageError(`${p}: no spec files (*.spec.ts) in this folder`);
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

/** Imports spec files and returns their specs in file order; names must be unique. */
export async function loadSpecs(files: readonly string[]): Promise<Spec[]> {
  const specs: Spec[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const shown = relative(process.cwd(), file);
    let mod: Record<string, unknown>;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      throw new UsageError(`${shown}: cannot load this spec file: ${msg}${process.env.SMPCHECK_DEBUG ? '' : ' (run with --debug for the stack)'}`, { cause: e });
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

/** `--filter`: a regular expression on spec names, or a plain substring if it is not one. */
export function nameFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  try {
    const re = new RegExp(pattern);
    return (n) => re.test(n);
  } catch {
    return (n) => n.includes(pattern);
  }
}
