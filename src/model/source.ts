import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where something was written in a model file; shown in traces as `file:line`. */
export interface SourceSite {
  readonly file: string;
  readonly line: number;
}

const UNKNOWN: SourceSite = Object.freeze({ file: '<unknown>', line: 0 });

/**
 * The file:line of the code that called the function `depth` frames above this one. Stack
 * traces of `.ts` files carry TypeScript lines because tsx (and vitest) install source maps.
 */
export function callerSite(depth = 2): SourceSite {
  const stack = new Error().stack?.split('\n') ?? [];
  // stack[0] is "Error", stack[1] is callerSite itself.
  const line = stack[depth + 1];
  if (line === undefined) return UNKNOWN;
  const m = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?\s*$/.exec(line);
  if (m === null) return UNKNOWN;
  let file = m[1]!;
  if (file.startsWith('file://')) file = fileURLToPath(file);
  return { file, line: Number(m[2]) };
}

const fileLines = new Map<string, string[] | null>();

function linesOf(file: string): string[] | null {
  if (!fileLines.has(file)) {
    try {
      fileLines.set(file, readFileSync(file, 'utf8').split('\n'));
    } catch {
      fileLines.set(file, null);
    }
  }
  return fileLines.get(file)!;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The line that defines step `label` of a procedure defined at `site`: the first line at or
 * after the definition that starts with the label as an object key (`A3:`, `'A3':`). Falls back
 * to the definition line when the label is computed or not found.
 */
export function stepSite(site: SourceSite, label: string): SourceSite {
  const lines = linesOf(site.file);
  if (lines === null || site.line <= 0) return site;
  const re = new RegExp(`^\\s*(?:${escapeRegExp(label)}|'${escapeRegExp(label)}'|"${escapeRegExp(label)}")\\s*:`);
  for (let i = site.line - 1; i < lines.length; i++) {
    if (re.test(lines[i]!)) return { file: site.file, line: i + 1 };
  }
  return site;
}
