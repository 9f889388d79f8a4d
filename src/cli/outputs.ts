import { appendFileSync, closeSync, openSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { UsageError } from '../model/errors.ts';
import type { ReportContext } from '../report/context.ts';
import { githubSummary } from '../report/github.ts';
import { reporterNames, reporters, type ReporterName } from '../report/reporters.ts';
import { renderTextTail } from '../report/text.ts';
import { writeTraces } from './traces.ts';
import { explain, probeWritable, writeFileAtomic } from './write-file.ts';

/**
 * What `check` and `merge` write at the end of a run: trace files, every `--reporter`, the
 * GitHub job summary. One piece of code for both, so a merged run reports as a single one.
 */
export interface ReporterUse {
  readonly name: ReporterName;
  /** Output file; stdout when absent. */
  readonly file?: string;
}

/** `--reporter NAME[=FILE]`, given any number of times. */
export function parseReporters(values: readonly string[], env: NodeJS.ProcessEnv): ReporterUse[] {
  if (values.length === 0) return env.GITHUB_ACTIONS === 'true' ? [{ name: 'text' }, { name: 'github' }] : [{ name: 'text' }];
  const uses = values.map((v) => {
    const eq = v.indexOf('=');
    const name = eq < 0 ? v : v.slice(0, eq);
    const file = eq < 0 ? undefined : v.slice(eq + 1);
    if (!(reporterNames as string[]).includes(name)) {
      throw new UsageError(`--reporter ${v}: unknown reporter '${name}'; choose one of ${reporterNames.join(', ')}, optionally with =FILE (e.g. --reporter junit=out/junit.xml)`);
    }
    if (file === '') throw new UsageError(`--reporter ${v}: no file after '='; write --reporter ${name}=FILE, or --reporter ${name} for stdout`);
    return { name: name as ReporterName, ...(file !== undefined ? { file: resolve(file) } : {}) };
  });
  const toStdout = uses.filter((u) => u.file === undefined);
  const doc = toStdout.find((u) => reporters[u.name].document);
  if (doc !== undefined && toStdout.length > 1) {
    const other = toStdout.find((u) => u !== doc)!;
    throw new UsageError(`--reporter ${doc.name} and --reporter ${other.name} both write to stdout, and ${doc.name} needs it to itself; send one to a file, e.g. --reporter ${doc.name}=smpcheck-report.${doc.name === 'junit' ? 'xml' : doc.name === 'sarif' ? 'sarif' : doc.name}`);
  }
  const files = new Set<string>();
  for (const u of uses) {
    if (u.file === undefined) continue;
    if (files.has(u.file)) throw new UsageError(`--reporter: two reporters write to ${u.file}; give each its own file`);
    files.add(u.file);
  }
  return uses;
}

/**
 * Every output path is tried before any checking: a report or trace folder that cannot be
 * written must not cost a whole run and then lose its results.
 */
export function probeOutputs(uses: readonly ReporterUse[], traceDir: string, env: NodeJS.ProcessEnv): void {
  for (const u of uses) if (u.file !== undefined) probeWritable(u.file);
  probeFolder(traceDir);
  if (uses.some((u) => u.name === 'github') && env.GITHUB_STEP_SUMMARY) {
    try {
      closeSync(openSync(env.GITHUB_STEP_SUMMARY, 'a'));
    } catch (e) {
      throw summaryError(env.GITHUB_STEP_SUMMARY, e);
    }
  }
}

/** `--trace-dir`: a folder that exists or can be created, and in which files can be created. */
function probeFolder(dir: string): void {
  const fail = (why: string, e?: unknown) => new UsageError(`--trace-dir ${dir}: cannot write traces there (${why}); choose another folder with --trace-dir`, { cause: e });
  let isFile = false;
  try {
    isFile = !statSync(dir).isDirectory();
  } catch {
    // Missing (created below), or under a file (the probe says so).
  }
  if (isFile) throw fail('it is a file, not a folder');
  try {
    probeWritable(join(dir, '.smpcheck-probe'));
  } catch (e) {
    throw fail(explain(e instanceof UsageError ? e.cause : e), e);
  }
}

function summaryError(path: string, e: unknown): UsageError {
  return new UsageError(`GITHUB_STEP_SUMMARY=${path}: cannot append the job summary (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
}

export interface OutputJob {
  readonly results: readonly CheckResult[];
  readonly uses: readonly ReporterUse[];
  /** The text reporter on stdout whose rows were already printed as specs finished: only its tail is left. */
  readonly streamed?: ReporterUse;
  readonly traceDir: string;
  readonly ctx: Omit<ReportContext, 'color' | 'traceFile' | 'results'>;
  readonly colorFor: (u: ReporterUse) => boolean;
  readonly env: NodeJS.ProcessEnv;
  /** Where stack traces of internal errors go under --debug. */
  readonly err: (s: string) => void;
}

/**
 * Writes traces and reports, and returns what belongs on stdout. Every output is written even
 * when another fails (a full disk, a reporter's bug): the failures come back as `problems`, and
 * the run exits 2.
 */
export function writeOutputs(job: OutputJob): { stdout: string; problems: UsageError[] } {
  const { results, uses, streamed, env } = job;
  const problems: UsageError[] = [];
  const keep = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      if (e instanceof UsageError) problems.push(e);
      else {
        if (process.env.SMPCHECK_DEBUG) job.err(`${e instanceof Error ? e.stack : String(e)}\n`);
        problems.push(new UsageError(`internal error while writing ${what}: ${e instanceof Error ? e.message : String(e)} (run with --debug for the stack)`, { cause: e }));
      }
    }
  };
  let traces = new Map<CheckResult, string>();
  keep('the trace files', () => (traces = writeTraces(results, job.traceDir, (e) => problems.push(e))));
  const ctx: Omit<ReportContext, 'color'> = { ...job.ctx, results, traceFile: (r) => traces.get(r) };
  let stdout = '';
  for (const u of uses) {
    const rctx = { ...ctx, color: job.colorFor(u) };
    keep(`the ${u.name} report${u.file !== undefined ? ` ${u.file}` : ''}`, () => {
      if (u === streamed) stdout += `${renderTextTail(results, ctx.elapsedMs, rctx)}\n`;
      else if (u.file !== undefined) writeFileAtomic(u.file, reporters[u.name].render(rctx));
      else stdout += reporters[u.name].render(rctx);
    });
  }
  if (uses.some((u) => u.name === 'github') && env.GITHUB_STEP_SUMMARY) {
    const path = env.GITHUB_STEP_SUMMARY;
    keep('the GitHub job summary', () => {
      const summary = githubSummary({ ...ctx, color: false });
      try {
        appendFileSync(path, summary);
      } catch (e) {
        throw summaryError(path, e);
      }
    });
  }
  return { stdout, problems };
}
