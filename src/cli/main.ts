import { appendFileSync, closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { positiveInteger } from '../check/bound-values.ts';
import { checkEnvironment, type CheckResult } from '../check/run.ts';
import { describeExpectation } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import { defaultEngine, engineNames } from '../explore/engines.ts';
import type { Bounds, Progress } from '../explore/types.ts';
import type { ReportContext } from '../report/context.ts';
import { githubSummary } from '../report/github.ts';
import { reporterNames, reporters, type ReporterName } from '../report/reporters.ts';
import { renderTextTail, tableHead, tableLayout, tableRow } from '../report/text.ts';
import { findSpecFiles, loadSpecs, nameFilter } from './load.ts';
import { progressLine, wantsProgress } from './progress.ts';
import { runReplay } from './replay.ts';
import { runSpecs } from './run-specs.ts';
import { writeTraces } from './traces.ts';
import { explain, probeWritable, removeTempFiles, writeFileAtomic } from './write-file.ts';

/** Exit codes: the CI gate. */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_CANNOT_CHECK = 2;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout is a terminal (colour, width). */
  isTTY: boolean;
  /** stderr is a terminal (the progress line). */
  errIsTTY?: boolean;
  columns?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * A reader that goes away (`smpcheck list | head -1`) makes writes fail with EPIPE, emitted
 * asynchronously as an 'error' event that would crash with a stack trace. That is no error of
 * the run: later output to that stream is dropped, and the run ends with its own exit code
 * (reports and traces still written).
 */
const gone = { out: false, err: false };
let watching = false;
function watchPipes(): void {
  if (watching) return;
  watching = true;
  for (const [k, stream] of [['out', process.stdout], ['err', process.stderr]] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      // Writes already under way when the pipe broke fail as 'destroyed': the same reader gone.
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      gone[k] = true;
    });
  }
}

const defaultIo: Io = {
  out: (s) => {
    if (!gone.out) process.stdout.write(s);
  },
  err: (s) => {
    if (!gone.err) process.stderr.write(s);
  },
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.columns,
};

/** Columns for swimlanes: the terminal's (within reason), else 120 for logs and files. */
function terminalWidth(io: Io): number {
  return io.isTTY && io.columns ? Math.min(Math.max(io.columns, 80), 200) : 120;
}

const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

/** Bound flags take the one rule spec and environment bounds follow (check/bound-values.ts). */
function positiveInt(name: string) {
  return (v: string) => positiveInteger(name, v);
}

interface CheckFlags {
  filter?: string;
  engine: string;
  reporter: string[];
  traces: string;
  traceDir: string;
  maxDepth?: number;
  maxExecutions?: number;
  timeBudget?: number;
  maxStates?: number;
  maxMemory?: number;
  exactStates?: boolean;
  symmetry: boolean;
  color: boolean;
  minimize: boolean;
  quiet?: boolean;
  coverage?: boolean;
}

interface ReporterUse {
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

/** Exit codes when a signal ends the run (128 + the signal's number, as shells report it). */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

/**
 * Every output path is tried before any checking: a report or trace folder that cannot be
 * written must not cost a whole run and then lose its results.
 */
function probeOutputs(uses: readonly ReporterUse[], traceDir: string, env: NodeJS.ProcessEnv): void {
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

async function runCheck(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  const env = io.env ?? process.env;
  if (!engineNames().includes(flags.engine)) {
    throw new UsageError(`unknown engine '${flags.engine}'; choose one of: ${engineNames().join(', ')}`);
  }
  const uses = parseReporters(flags.reporter, env);
  const filter = nameFilter(flags.filter);
  checkEnvironment(env); // a bad SMPCHECK_* value is one line now, not an error in every spec
  if (flags.traceDir.trim() === '') throw new UsageError("--trace-dir '': give a folder for the trace files, e.g. --trace-dir .smpcheck/traces");
  const traceDir = resolve(flags.traceDir);
  probeOutputs(uses, traceDir, env);
  const specFiles = findSpecFiles(paths.length ? paths : ['specs'], paths.length === 0);
  for (const u of uses) {
    if (u.file !== undefined && specFiles.includes(u.file)) throw new UsageError(`--reporter ${u.name}=${relative(process.cwd(), u.file)}: that is a spec file being checked, and the report would overwrite it; choose another path`);
  }
  const specs = (await loadSpecs(specFiles)).filter((s) => filter(s.name));
  if (specs.length === 0) throw new UsageError(`no spec matches '${flags.filter}'; run 'smpcheck list' to see spec names`);
  const bounds: Bounds = {
    ...(flags.maxDepth ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.maxExecutions ? { maxExecutions: flags.maxExecutions } : {}),
    ...(flags.timeBudget ? { timeMs: flags.timeBudget } : {}),
    ...(flags.maxStates ? { maxStates: flags.maxStates } : {}),
    ...(flags.maxMemory ? { maxMemoryMB: flags.maxMemory } : {}),
  };
  const progress = wantsProgress({ errIsTTY: io.errIsTTY ?? false, quiet: flags.quiet ?? false, env })
    ? progressLine(io.err, io.columns || process.stderr.columns || 80) // a pty without a size says 0
    : undefined;
  const colorFor = (u: ReporterUse) => u.file === undefined && u.name === 'text' && flags.color && io.isTTY && !env.NO_COLOR;
  // Rows of the text table go to stdout as specs finish; everything else waits for the end.
  const streamed = uses.find((u) => u.file === undefined && u.name === 'text');
  const layout = tableLayout(specs.map((s) => ({ name: s.name, expected: describeExpectation(s.expect) })));
  const textOpts = { cwd: process.cwd(), width: terminalWidth(io), color: streamed ? colorFor(streamed) : false };
  const write = (s: string) => {
    progress?.clear();
    io.out(s);
  };
  if (streamed) write(`${tableHead(layout, textOpts)}\n`);

  const startedAt = new Date();
  const t0 = performance.now();
  // The progress line is drawn by a timer of the main thread: it shows the spec and its elapsed
  // time from the start, whether or not the worker has sent figures yet.
  let current: { name: string; since: number; p: Progress | undefined } | undefined;
  const ticker = progress
    ? setInterval(() => {
      if (current === undefined) return;
      const figures = current.p ?? { executions: 0, events: 0, depth: 0 };
      progress.update(current.name, { ...figures, elapsedMs: performance.now() - current.since }, current.p === undefined);
    }, 100)
    : undefined;
  let printed = 0;
  const pending: (CheckResult | undefined)[] = specs.map(() => undefined);
  const rowsOut = new Set<CheckResult>();
  const run = runSpecs(specs, { check: { engine: flags.engine, bounds, exactStates: flags.exactStates ?? false, symmetry: flags.symmetry, minimize: flags.minimize } }, {
    onStart: (i) => (current = { name: specs[i]!.name, since: performance.now(), p: undefined }),
    onProgress: (i, p) => {
      if (current?.name === specs[i]!.name) current.p = p;
    },
    onResult: (i, r) => {
      if (current?.name === specs[i]!.name) current = undefined;
      pending[i] = r;
      // In spec order: a pool of workers may finish out of order.
      for (; printed < specs.length && pending[printed] !== undefined; printed++) {
        rowsOut.add(pending[printed]!);
        if (streamed) write(`${tableRow(pending[printed]!, layout, textOpts)}\n`);
      }
    },
  });

  let signal: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signal !== undefined) {
      // A second Ctrl-C: the user does not want the reports either.
      removeTempFiles();
      process.exit(sig === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT);
    }
    signal = sig;
    run.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const outcome = await run.done;
    if (outcome.failure !== undefined) throw outcome.failure;
    if (ticker) clearInterval(ticker);
    progress?.clear();
    const results = outcome.results;
    if (streamed) {
      // The rows not printed yet: after a stop, the spec cut short (and any later finished one).
      for (const r of results) if (!rowsOut.has(r)) write(`${tableRow(r, layout, textOpts)}\n`);
    }
    // Every output is written even when another fails (a full disk, a reporter's bug): the
    // failures are reported at the end, and the run exits 2.
    const problems: UsageError[] = [];
    const keep = (what: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        if (e instanceof UsageError) problems.push(e);
        else {
          if (process.env.SMPCHECK_DEBUG) io.err(`${e instanceof Error ? e.stack : String(e)}\n`);
          problems.push(new UsageError(`internal error while writing ${what}: ${e instanceof Error ? e.message : String(e)} (run with --debug for the stack)`, { cause: e }));
        }
      }
    };
    const elapsedMs = performance.now() - t0;
    let traces = new Map<CheckResult, string>();
    keep('the trace files', () => (traces = writeTraces(results, traceDir, (e) => problems.push(e))));
    const ctx: Omit<ReportContext, 'color'> = {
      results,
      elapsedMs,
      cwd: process.cwd(),
      width: terminalWidth(io),
      allTraces: flags.traces === 'all',
      coverage: flags.coverage ?? false,
      traceFile: (r) => traces.get(r),
      startedAt,
      hostname: hostname(),
      version: VERSION,
    };
    let stdout = '';
    for (const u of uses) {
      const rctx = { ...ctx, color: colorFor(u) };
      keep(`the ${u.name} report${u.file !== undefined ? ` ${u.file}` : ''}`, () => {
        if (u === streamed) stdout += `${renderTextTail(results, elapsedMs, rctx)}\n`;
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
    write(stdout);
    for (const e of problems) io.err(`smpcheck: ${e.message}\n`);
    // A signal that came while the outputs were written (synchronously) waits in the event
    // loop: let it in before the handlers go, so that Ctrl-C still ends with 130. Two turns:
    // the first check phase can come before the poll phase that reads the signal.
    for (let turn = 0; turn < 2; turn++) await new Promise((res) => setImmediate(res));
    if (signal !== undefined && !outcome.stopped) {
      io.err(`smpcheck: interrupted (${signal}) while the reports were written; they are complete\n`);
      return signal === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
    }
    if (signal !== undefined || outcome.stopped) {
      const left = specs.length - results.length;
      if (outcome.usage) io.err(`smpcheck: ${outcome.usage.message}\n`);
      if (signal !== undefined) {
        io.err(`smpcheck: interrupted (${signal}); the reports hold the ${results.length} spec${results.length === 1 ? '' : 's'} checked or cut short${left > 0 ? `, ${left} not checked` : ''}\n`);
        return signal === 'SIGTERM' ? EXIT_SIGTERM : EXIT_SIGINT;
      }
      return EXIT_CANNOT_CHECK;
    }
    if (problems.length > 0 || results.some((r) => r.verdict === 'ERROR')) return EXIT_CANNOT_CHECK;
    return results.every((r) => r.ok) ? EXIT_OK : EXIT_UNEXPECTED;
  } finally {
    run.stop(); // no worker outlives the run, whatever ended it
    if (ticker) clearInterval(ticker);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runList(paths: string[], flags: { filter?: string; reporter: string }, io: Io): Promise<number> {
  const specs = (await loadSpecs(findSpecFiles(paths.length ? paths : ['specs']))).filter((s) => nameFilter(flags.filter)(s.name));
  if (flags.reporter === 'json') {
    const list = specs.map((s) => ({ name: s.name, model: s.model.name, params: { ...s.model.params, ...s.params }, expected: describeExpectation(s.expect) }));
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return EXIT_OK;
  }
  const w = Math.max(4, ...specs.map((s) => s.name.length));
  for (const s of specs) io.out(`${s.name.padEnd(w)}  ${describeExpectation(s.expect).padEnd(24)}  ${s.description ?? s.model.name}\n`);
  return EXIT_OK;
}

/** Builds the CLI; `main` runs it. Exported so tests can drive it in-process. */
export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  let code = EXIT_OK;
  if (io === defaultIo) watchPipes();
  const program = new Command()
    .name('smpcheck')
    .description('Model checker for SMP kernel synchronization: every reachable state and interleaving of step-function models.')
    // Commander's errors (unknown option, missing argument) as one line, like smpcheck's own.
    .configureOutput({
      writeOut: io.out,
      writeErr: io.err,
      outputError: (s) => io.err(`smpcheck: ${s.trim().replace(/^error: /, '').split('\n').map((l) => l.replace(/^\((.*)\)$/, '$1').replace(/\.$/, '').replace(/^Did you/, 'did you')).join('; ')}; run 'smpcheck --help' for usage\n`),
    })
    .exitOverride()
    .version(VERSION, '--version', "print smpcheck's version")
    .option('--debug', 'print stack traces of internal errors');

  program
    .command('check')
    .description('check every spec in the given files or folders (default: specs/); exit 0 when all get their expected verdict')
    .argument('[paths...]', 'spec files (*.spec.ts) or folders holding them')
    .option('-t, --filter <pattern>', 'only specs whose name matches this regular expression')
    .addOption(new Option('--engine <name>', 'exploration engine').choices(engineNames()).default(defaultEngine))
    .addOption(new Option('--reporter <name[=file]>', `output format, repeatable, each to stdout or a file: ${reporterNames.join(', ')}`)
      .argParser((v: string, all: string[]) => [...all, v])
      .default([], 'text; text and github in GitHub Actions'))
    .addOption(new Option('--traces <which>', 'counterexamples to print').choices(['unexpected', 'all']).default('unexpected'))
    .option('--trace-dir <dir>', 'where to write one replayable trace file per failing spec', '.smpcheck/traces')
    .option('--coverage', 'print which steps of each spec ran, never ran or were only blocked, and which properties were evaluated')
    .option('--no-minimize', 'show counterexamples as the engine found them, not minimised')
    .option('-q, --quiet', 'no progress line on stderr')
    .option('--max-depth <steps>', 'most steps in one execution (INCOMPLETE when hit)', positiveInt('--max-depth'))
    .option('--max-executions <n>', 'most executions to explore (INCOMPLETE when hit)', positiveInt('--max-executions'))
    .option('--time-budget <ms>', 'wall-clock budget per spec (INCOMPLETE when hit)', positiveInt('--time-budget'))
    .option('--max-states <n>', 'most distinct states to store (stateful and naive engines; INCOMPLETE when hit)', positiveInt('--max-states'))
    .option('--max-memory <MiB>', 'resident memory budget of the stateful engine (INCOMPLETE when hit; default 3/4 of RAM)', positiveInt('--max-memory'))
    .option('--exact-states', 'stateful engine: store full canonical states instead of 64-bit fingerprints (no collision risk, more memory)')
    .option('--no-symmetry', "stateful engine: ignore the models' declared thread symmetry")
    .option('--no-color', 'plain text even on a terminal')
    .action(async (paths: string[], flags: CheckFlags) => {
      code = await runCheck(paths, flags, io);
    });

  program
    .command('replay')
    .description("re-execute a trace file written by 'smpcheck check' and print its story; exit 0 when it reproduces, 1 when the model no longer has it, 2 when it cannot be replayed")
    .argument('<file>', 'a trace file (.smpcheck/traces/*.json)')
    .option('--no-color', 'plain text even on a terminal')
    .action(async (file: string, flags: { color: boolean }) => {
      const env = io.env ?? process.env;
      code = await runReplay(file, {
        out: io.out,
        color: flags.color && io.isTTY && !env.NO_COLOR,
        width: terminalWidth(io),
      });
    });

  program
    .command('list')
    .description('list the specs in the given files or folders (default: specs/)')
    .argument('[paths...]', 'spec files or folders')
    .option('-t, --filter <pattern>', 'only specs whose name matches this regular expression')
    .addOption(new Option('--reporter <name>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (paths: string[], flags: { filter?: string; reporter: string }) => {
      code = await runList(paths, flags, io);
    });

  if (argv.includes('--debug')) process.env.SMPCHECK_DEBUG = '1';
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; anything else is a usage error.
      return e.exitCode === 0 ? EXIT_OK : EXIT_CANNOT_CHECK;
    }
    if (e instanceof UsageError) {
      io.err(`smpcheck: ${e.message}\n`);
      if (process.env.SMPCHECK_DEBUG && e.cause instanceof Error) io.err(`${e.cause.stack}\n`);
      return EXIT_CANNOT_CHECK;
    }
    if (process.env.SMPCHECK_DEBUG) io.err(`${e instanceof Error ? e.stack : String(e)}\n`);
    else io.err(`smpcheck: internal error: ${e instanceof Error ? e.message : String(e)} (run with --debug for the stack)\n`);
    return EXIT_CANNOT_CHECK;
  }
}
