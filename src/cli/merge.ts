import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { mergeParts } from '../check/parts.ts';
import type { CheckResult } from '../check/run.ts';
import type { Spec } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import { BLOB_VERSION, type Blob, type RunInfo } from '../report/blob.ts';
import { stoppedNotes } from '../report/text.ts';
import { fromWire, parseWireJson } from '../report/wire.ts';
import { loadSpecs } from './load.ts';
import { parseReporters, probeOutputs, writeOutputs, type ReporterUse } from './outputs.ts';
import { cutShortResult, type SpecRunOptions } from './run-specs.ts';
import { canonicalJson, sha256Of } from './shard.ts';

export interface MergeIo {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY: boolean;
  env?: NodeJS.ProcessEnv;
  width: number;
  version: string;
}

export interface MergeFlags {
  reporter: string[];
  traces: string;
  traceDir: string;
  coverage?: boolean;
  color: boolean;
}

interface Shard {
  readonly file: string;
  /** As messages name it: the path given, then the shard. */
  readonly label: string;
  readonly blob: Blob;
}

function readBlob(file: string, version: string): Shard {
  const fail = (why: string, e?: unknown) => new UsageError(`${file}: ${why}`, { cause: e });
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fail(`cannot read this shard report (${(e as NodeJS.ErrnoException).code ?? String(e)}); give the files written by 'smpcheck check --shard i/N --reporter blob=FILE'`, e);
  }
  let b: Partial<Blob>;
  try {
    b = parseWireJson(text) as Partial<Blob>;
  } catch (e) {
    throw fail('not JSON, so not a shard report (was it cut short?); run that shard again', e);
  }
  if (b === null || typeof b !== 'object' || !('smpcheckBlob' in b)) throw fail("not a shard report (no 'smpcheckBlob' field); give the files written by --reporter blob=FILE");
  if (b.smpcheckBlob !== BLOB_VERSION) throw fail(`shard report format ${String(b.smpcheckBlob)}, but this smpcheck reads format ${BLOB_VERSION}; merge with the smpcheck that ran the shards`);
  const shard = b.shard;
  if (typeof shard?.index !== 'number' || typeof shard.total !== 'number' || !Array.isArray(b.specs) || !Array.isArray(b.assigned) || !Array.isArray(b.results) || typeof b.options !== 'object') {
    throw fail('a shard report with missing fields; run that shard again');
  }
  if (b.version !== version) throw fail(`written by smpcheck ${String(b.version)}, but this is smpcheck ${version}; run every shard and the merge with the same smpcheck`);
  return { file, label: `${file} (shard ${shard.index}/${shard.total})`, blob: b as Blob };
}

/** The options (as dotted paths: `check.bounds.maxDepth`) where two option records differ. */
function optionDiff(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  const flat = (o: Readonly<Record<string, unknown>>, at = '', out = new Map<string, string>()) => {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) flat(v as Record<string, unknown>, `${at}${k}.`, out);
      else out.set(`${at}${k}`, canonicalJson(v));
    }
    return out;
  };
  const fa = flat(a);
  const fb = flat(b);
  return [...new Set([...fa.keys(), ...fb.keys()])].sort().filter((k) => fa.get(k) !== fb.get(k)).map((k) => `${k} ${fa.get(k) ?? '(unset)'} vs ${fb.get(k) ?? '(unset)'}`);
}

/** Every shard must come from the same run: same spec list, options, shard count; each once. */
function checkShards(shards: readonly Shard[]): void {
  const ref = shards[0]!;
  const r = ref.blob;
  for (const s of shards.slice(1)) {
    const b = s.blob;
    if (b.shard.total !== r.shard.total) throw new UsageError(`${s.label} is one of ${b.shard.total} shards, but ${ref.label} one of ${r.shard.total}; merge the shards of one run (the same --shard i/N count)`);
    if (canonicalJson(b.specs) !== canonicalJson(r.specs)) {
      const i = b.specs.findIndex((x, k) => canonicalJson(x) !== canonicalJson(r.specs[k]));
      const count = b.specs.length !== r.specs.length ? [`${b.specs.length} specs vs ${r.specs.length}`] : [];
      const first = i >= 0 && i < r.specs.length
        ? [`spec ${i + 1} is ${b.specs[i]!.name} (${b.specs[i]!.file}) vs ${r.specs[i]!.name} (${r.specs[i]!.file})${b.specs[i]!.name === r.specs[i]!.name ? ' with other contents' : ''}`]
        : [];
      const what = [...count, ...first].join(', ');
      throw new UsageError(`${s.label} checked another spec list than ${ref.label}: ${what}; run every shard on the same commit with the same paths and --filter`);
    }
    if (canonicalJson(b.split ?? []) !== canonicalJson(r.split ?? [])) throw new UsageError(`${s.label} split other specs across the shards than ${ref.label} (--split-spec); run every shard with the same --split-spec`);
    const diff = optionDiff(b.options, r.options);
    if (diff.length > 0) throw new UsageError(`${s.label} was run with other options than ${ref.label}: ${diff.join('; ')}; run every shard with the same flags and SMPCHECK_* variables`);
  }
  const byIndex = new Map<number, Shard>();
  for (const s of shards) {
    const other = byIndex.get(s.blob.shard.index);
    if (other !== undefined) throw new UsageError(`${s.file} and ${other.file} are both shard ${s.blob.shard.index}/${r.shard.total}; give each shard's report once`);
    byIndex.set(s.blob.shard.index, s);
  }
  const missing = Array.from({ length: r.shard.total }, (_, k) => k + 1).filter((k) => !byIndex.has(k));
  if (missing.length > 0) {
    throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${r.shard.total}`).join(', ')} missing: got ${shards.map((s) => s.label).join(', ')}; give every shard's blob report (a shard that failed to start wrote none: see its log)`);
  }
  const owner = new Map<number, Shard>();
  for (const s of shards) {
    for (const i of s.blob.assigned) {
      const o = owner.get(i);
      if (o !== undefined || !(i >= 0 && i < r.specs.length)) throw new UsageError(`${s.label} claims spec ${r.specs[i]?.name ?? `#${i}`}${o ? `, as does ${o.label}` : ''}; the shards do not split one spec list`);
      owner.set(i, s);
    }
    for (const e of s.blob.results) if (!s.blob.assigned.includes(e.index) && !(s.blob.split ?? []).includes(e.index)) throw new UsageError(`${s.label} holds a result for spec ${r.specs[e.index]?.name ?? `#${e.index}`} that is not its share; run that shard again`);
  }
  const split = new Set(r.split ?? []);
  const unowned = r.specs.filter((_, i) => !owner.has(i) && !split.has(i));
  if (unowned.length > 0) throw new UsageError(`no shard checked ${unowned.map((x) => x.name).join(', ')}; the shards do not split one spec list (were they balanced by different --timings files?)`);
}

/** The run's spec files, loaded here, as they were when the shards ran (by content). */
async function loadRunSpecs(shards: readonly Shard[], cwd: string): Promise<Spec[]> {
  const run = shards[0]!.blob;
  const files = [...new Set(run.specs.map((s) => s.file))];
  for (const f of files) {
    const abs = resolve(cwd, f);
    const want = run.specs.find((s) => s.file === f)!.sha256;
    if (!existsSync(abs)) throw new UsageError(`${f}: spec file of the shards (${shards[0]!.label}) is not here; run smpcheck merge in the checkout (and folder) the shards ran in`);
    if (sha256Of(abs) !== want) throw new UsageError(`${f}: differs from the file the shards checked (${shards[0]!.label}); run smpcheck merge on the commit the shards ran on`);
  }
  const loaded = new Map((await loadSpecs(files.map((f) => resolve(cwd, f)))).map((s) => [s.name, s]));
  return run.specs.map((s) => {
    const spec = loaded.get(s.name);
    if (spec === undefined) throw new UsageError(`${s.file}: exports no spec '${s.name}' any more, yet ${shards[0]!.label} lists it`);
    return spec;
  });
}

/**
 * `smpcheck merge FILES...`: the shards' results in spec order, rendered by any reporter as a
 * single run of the whole list renders them, with the exit code that run would have. A spec
 * that an interrupted shard never got to is INCOMPLETE (interrupted), never missing.
 */
export async function runMerge(files: readonly string[], flags: MergeFlags, io: MergeIo): Promise<number> {
  const env = io.env ?? process.env;
  const cwd = process.cwd();
  const uses = parseReporters(flags.reporter, env);
  if (flags.traceDir.trim() === '') throw new UsageError("--trace-dir '': give a folder for the trace files, e.g. --trace-dir .smpcheck/traces");
  const traceDir = resolve(flags.traceDir);
  probeOutputs(uses, traceDir, env);
  const shards = files.map((f) => readBlob(f, io.version));
  for (const u of uses) {
    if (u.file !== undefined && files.some((f) => resolve(f) === u.file)) throw new UsageError(`--reporter ${u.name}=${relative(cwd, u.file)}: that is a shard report being merged; choose another path`);
  }
  checkShards(shards);
  const specs = await loadRunSpecs(shards, cwd);
  const ref = shards[0]!.blob;
  const check = ref.options.check as SpecRunOptions['check'];
  const results: (CheckResult | undefined)[] = specs.map(() => undefined);
  // A spec split across the shards (--split-spec): one part from each shard, in shard order.
  const split = new Set(ref.split ?? []);
  const parts = new Map<number, (CheckResult | undefined)[]>([...split].map((i) => [i, shards.map(() => undefined)]));
  const inOrder = [...shards].sort((a, b) => a.blob.shard.index - b.blob.shard.index);
  for (const [k, s] of inOrder.entries()) {
    for (const e of s.blob.results) {
      const r = fromWire(specs[e.index]!, { ...e.result, file: resolve(cwd, e.result.file) });
      if (e.stopped !== undefined) stoppedNotes.set(r, e.stopped);
      if (split.has(e.index)) parts.get(e.index)![k] = r;
      else results[e.index] = r;
    }
  }
  const unchecked: string[] = [];
  const interrupted = (spec: Spec, label: string) => {
    unchecked.push(label);
    return cutShortResult(spec, check, 'interrupted', undefined, 0, `${label} ended before it checked this spec`);
  };
  const merged = specs.map((spec, i) => {
    const of = parts.get(i);
    if (of !== undefined) {
      const missing = of.findIndex((r) => r === undefined);
      return missing >= 0 ? interrupted(spec, inOrder[missing]!.label) : mergeParts(of as CheckResult[]);
    }
    const r = results[i];
    if (r !== undefined) return r;
    return interrupted(spec, shards.find((x) => x.blob.assigned.includes(i))!.label);
  });
  const run: RunInfo = { version: ref.version, shard: { index: 1, total: 1 }, specs: ref.specs, assigned: specs.map((_, i) => i), options: ref.options };
  const colorFor = (u: ReporterUse) => u.file === undefined && u.name === 'text' && flags.color && io.isTTY && !env.NO_COLOR;
  const { stdout, problems } = writeOutputs({
    results: merged,
    uses,
    traceDir,
    ctx: {
      elapsedMs: Math.max(...shards.map((s) => s.blob.elapsedMs)), // the matrix's wall time: shards run side by side
      cwd,
      width: io.width,
      allTraces: flags.traces === 'all',
      coverage: flags.coverage ?? false,
      startedAt: new Date(Math.min(...shards.map((s) => Date.parse(s.blob.startedAt)))),
      hostname: hostname(),
      version: io.version,
      run,
    },
    colorFor,
    env,
    err: io.err,
  });
  io.out(stdout);
  for (const e of problems) io.err(`smpcheck: ${e.message}\n`);
  for (const label of new Set(unchecked)) {
    const n = unchecked.filter((l) => l === label).length;
    io.err(`smpcheck: ${label} was interrupted: ${n} spec${n === 1 ? '' : 's'} not checked, reported INCOMPLETE (interrupted)\n`);
  }
  if (problems.length > 0 || merged.some((r) => r.verdict === 'ERROR')) return 2;
  return merged.every((r) => r.ok) ? 0 : 1;
}
