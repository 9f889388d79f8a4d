import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { Spec } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import type { Part } from '../explore/part-search.ts';
import type { RunInfo, RunSpec } from '../report/blob.ts';

/** `--shard i/N`: 1-based, as vitest, Playwright and Node's test runner write it. */
export interface Shard {
  readonly index: number;
  readonly total: number;
}

export function parseShard(raw: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw);
  if (m === null) throw new UsageError(`--shard ${raw}: write the shard as i/N, 1-based (e.g. --shard 1/4 for the first of four)`);
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (total < 1) throw new UsageError(`--shard ${raw}: the number of shards must be at least 1 (e.g. --shard 1/4)`);
  if (index < 1 || index > total) throw new UsageError(`--shard ${raw}: the shard index must be between 1 and ${total} (shards are numbered from 1)`);
  return { index, total };
}

/** A spec file as every shard and the merge name it: relative to where smpcheck runs, with `/`. */
export function shownFile(file: string, cwd: string = process.cwd()): string {
  return relative(cwd, file).split(sep).join('/');
}

/** FNV-1a over the spec's file and name: the same on every machine and checkout path. */
function stableHash(file: string, name: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${file}\0${name}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * Which shard (0-based) checks each spec. Longest first onto the least-loaded shard (ties: the
 * lowest shard): with recorded costs that balances time; without, every cost is 1 and the
 * specs go round-robin in the order of a stable hash, so each shard gets ⌊n/N⌋ or ⌈n/N⌉ specs
 * and no shard's share depends on where the spec sits in the list. Every shard computes the
 * same split from the same spec list (and the same timings), so together they cover each spec
 * exactly once; the merge verifies it.
 */
export function assignShards(specs: readonly { name: string; file: string }[], total: number, cost?: (name: string) => number | undefined): number[] {
  const known = cost === undefined ? [] : specs.map((s) => cost(s.name)).filter((c): c is number => c !== undefined).sort((a, b) => a - b);
  const fallback = known.length > 0 ? known[Math.floor(known.length / 2)]! : 1; // an unrecorded spec costs the median
  const costs = specs.map((s) => (cost === undefined ? 1 : cost(s.name) ?? fallback));
  const hashes = specs.map((s) => stableHash(s.file, s.name));
  const order = specs.map((_, i) => i).sort((a, b) => costs[b]! - costs[a]! || hashes[a]! - hashes[b]! || (specs[a]!.name < specs[b]!.name ? -1 : 1));
  const loads = new Array<number>(total).fill(0);
  const counts = new Array<number>(total).fill(0);
  const shardOf = new Array<number>(specs.length).fill(0);
  for (const i of order) {
    let best = 0;
    for (let k = 1; k < total; k++) {
      if (loads[k]! < loads[best]! || (loads[k] === loads[best] && counts[k]! < counts[best]!)) best = k;
    }
    shardOf[i] = best;
    loads[best]! += costs[i]!;
    counts[best]!++;
  }
  return shardOf;
}

/** Recorded per-spec times (`--timings FILE`): a JSON report of an earlier run. */
export interface Timings {
  readonly file: string;
  /** Of the file's bytes: shards balanced by different timings would not fit together. */
  readonly sha256: string;
  readonly ms: ReadonlyMap<string, number>;
}

/**
 * The timings file is the JSON report of an earlier run (`--reporter json=FILE` of `check` or
 * of `merge`): each spec's `name` and `durationMs` are its recorded cost. Specs it does not
 * name cost the median of those it does.
 */
export function readTimings(file: string): Timings {
  const fail = (why: string, e?: unknown) =>
    new UsageError(`--timings ${file}: ${why}; give the JSON report of an earlier run (smpcheck check --reporter json=${file}, or smpcheck merge ... --reporter json=${file})`, { cause: e });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fail(`cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, e);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw fail('not JSON', e);
  }
  const specs = (doc as { specs?: unknown })?.specs;
  if ((doc as { version?: unknown })?.version !== 1 || !Array.isArray(specs)) throw fail('not an smpcheck JSON report (version 1)');
  const ms = new Map<string, number>();
  for (const s of specs as { name?: unknown; durationMs?: unknown }[]) {
    if (typeof s?.name !== 'string' || typeof s.durationMs !== 'number' || !(s.durationMs >= 0)) throw fail('a spec entry without name and durationMs');
    ms.set(s.name, s.durationMs);
  }
  return { file, sha256: createHash('sha256').update(text).digest('hex'), ms };
}

/** The specs this shard checks, in spec order, and their indices in the whole run. */
export function shardSpecs(specs: readonly Spec[], shard: Shard, timings: Timings | undefined, cwd: string = process.cwd()): { mine: Spec[]; assigned: number[] } {
  const shardOf = assignShards(specs.map((s) => ({ name: s.name, file: shownFile(s.site.file, cwd) })), shard.total, timings && ((n) => timings.ms.get(n)));
  const assigned = specs.map((_, i) => i).filter((i) => shardOf[i] === shard.index - 1);
  return { mine: assigned.map((i) => specs[i]!), assigned };
}

/** JSON with object keys sorted: equal options give equal text, whatever order they were built in. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x);
}

/** SMPCHECK_* variables that change how a run goes, not what it finds. */
const NOT_VERDICT = new Set(['SMPCHECK_WORKERS', 'SMPCHECK_DEBUG', 'SMPCHECK_CACHE']);

/**
 * What decides verdicts, which every shard of a run must share: the check options (engine,
 * bounds, minimisation, and any flag added to them later) and every SMPCHECK_* variable but
 * the worker count; and how the specs were split (a different split would lose or repeat specs).
 */
export function verdictOptions(check: object, env: NodeJS.ProcessEnv, timings: Timings | undefined, splitSpec?: string): Record<string, unknown> {
  const vars = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('SMPCHECK_') && !NOT_VERDICT.has(k) && v !== undefined));
  return { check: JSON.parse(canonicalJson(check)), env: vars, split: timings ? `timings sha256:${timings.sha256}` : 'hash', ...(splitSpec !== undefined ? { splitSpec } : {}) };
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * The specs this process checks (all, or its shard's) and what it knows of the whole run. With
 * `splitSpec`, the specs whose name matches are checked by every shard, each its part of them
 * (`partOf`, by index in `mine`); the others are split among the shards as without it.
 */
export function planRun(specs: readonly Spec[], o: { shard?: Shard; timings?: Timings; splitSpec?: { pattern: string; matches: (name: string) => boolean }; check: object; env: NodeJS.ProcessEnv; version: string; cwd?: string }): { mine: Spec[]; run: RunInfo; partOf: (index: number) => Part | undefined } {
  const cwd = o.cwd ?? process.cwd();
  const shard = o.shard ?? { index: 1, total: 1 };
  const hashes = new Map<string, string>();
  const list: RunSpec[] = specs.map((s) => {
    let h = hashes.get(s.site.file);
    if (h === undefined) hashes.set(s.site.file, (h = sha256Of(s.site.file)));
    return { name: s.name, file: shownFile(s.site.file, cwd), sha256: h };
  });
  const split = o.splitSpec ? specs.map((_, i) => i).filter((i) => o.splitSpec!.matches(specs[i]!.name)) : [];
  const whole = specs.map((_, i) => i).filter((i) => !split.includes(i));
  const shared = shardSpecs(whole.map((i) => specs[i]!), shard, o.timings, cwd);
  const assigned = shared.assigned.map((k) => whole[k]!);
  const indices = [...assigned, ...split].sort((a, b) => a - b);
  const part: Part = { index: shard.index - 1, total: shard.total };
  return {
    mine: indices.map((i) => specs[i]!),
    run: { version: o.version, shard, specs: list, assigned, ...(split.length > 0 ? { split } : {}), options: verdictOptions(o.check, o.env, o.timings, o.splitSpec?.pattern) },
    partOf: (k) => (split.includes(indices[k]!) ? part : undefined),
  };
}
