import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { positiveInteger } from '../check/bound-values.ts';
import { checkEnvironment, type CheckResult } from '../check/run.ts';
import { describeExpectation } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import { preemptionBound, resolveSearch, seedValue, type SearchModeOptions } from '../check/search-mode.ts';
import { DEFAULT_SEED } from '../explore/random-walk.ts';
import { defaultEngine, engineNames } from '../explore/engines.ts';
import type { Bounds, Progress } from '../explore/types.ts';
import { reporterNames } from '../report/reporters.ts';
import { tableHead, tableLayout, tableRow } from '../report/text.ts';
import { findSpecFiles, loadSpecs, nameFilter } from './load.ts';
import { runInit } from './init.ts';
import { PACKAGE_ROOT } from './package-root.ts';
import { typecheckSpecs } from './typecheck.ts';
import { runMerge } from './merge.ts';
import { parseReporters, probeOutputs, writeOutputs, type ReporterUse } from './outputs.ts';
import { progressLine, wantsProgress } from './progress.ts';
import { runReplay } from './replay.ts';
import { releaseWorkers, runSpecs, startWorkers } from './run-specs.ts';
import { parseShard, planRun, readTimings, type Shard } from './shard.ts';
import { cacheEnabled, readTimingsCache, timingsCachePath, writeTimingsCache } from './timings-cache.ts';
import { workerCount } from './workers.ts';
import { removeTempFiles } from './write-file.ts';

export { parseReporters };

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

const VERSION: string = JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')).version;

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
  /** `--typecheck` true, `--no-typecheck` false, neither: on in CI when the project has TypeScript. */
  typecheck?: boolean;
  workers?: number;
  /** `--no-cache`: false. */
  cache?: boolean;
  shard?: Shard;
  timings?: string;
  splitSpec?: string;
  preemptions?: number | 'auto';
  random?: number;
  seed?: number;
  pctDepth?: number;
}

/** --preemptions, and --random/--seed/--pct-depth (any of them selects random search), as check options. */
function searchFlagOptions(flags: CheckFlags): SearchModeOptions {
  const random = flags.random !== undefined || flags.seed !== undefined || flags.pctDepth !== undefined
    ? { random: { ...(flags.random !== undefined ? { schedules: flags.random } : {}), ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(flags.pctDepth !== undefined ? { pctDepth: flags.pctDepth } : {}) } }
    : {};
  return { ...(flags.preemptions !== undefined ? { preemptions: flags.preemptions } : {}), ...random };
}

/** Exit codes when a signal ends the run (128 + the signal's number, as shells report it). */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;

async function runCheck(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  const env = io.env ?? process.env;
  if (!engineNames().includes(flags.engine)) {
    throw new UsageError(`unknown engine '${flags.engine}'; choose one of: ${engineNames().join(', ')}`);
  }
  resolveSearch({}, flags.engine, searchFlagOptions(flags)); // --preemptions with --random, or with --engine dpor: one line now
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
  typecheckSpecs(specFiles, flags.typecheck, process.cwd(), env, io.err);
  const workers = workerCount(flags.workers, env);
  // The pool's workers start now, while this thread loads the spec files (a worker needs a few
  // hundred ms to start); as many as there are spec files at most, one with --filter.
  startWorkers(Math.min(workers, flags.filter === undefined ? specFiles.length : 1));
  const timings = flags.timings !== undefined ? readTimings(flags.timings) : undefined;
  // The order workers get specs in: --timings, else the project's timings cache (timings-cache.ts).
  const cachePath = cacheEnabled(flags.cache, env) ? timingsCachePath() : undefined;
  const recorded = timings?.ms ?? (cachePath !== undefined ? readTimingsCache(cachePath) : undefined);
  const all = (await loadSpecs(specFiles)).filter((s) => filter(s.name));
  if (all.length === 0) throw new UsageError(`no spec matches '${flags.filter}'; run 'smpcheck list' to see spec names`);
  const bounds: Bounds = {
    ...(flags.maxDepth ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.maxExecutions ? { maxExecutions: flags.maxExecutions } : {}),
    ...(flags.timeBudget ? { timeMs: flags.timeBudget } : {}),
    ...(flags.maxStates ? { maxStates: flags.maxStates } : {}),
    ...(flags.maxMemory ? { maxMemoryMB: flags.maxMemory } : {}),
  };
  const checkOptions = { engine: flags.engine, bounds, exactStates: flags.exactStates ?? false, symmetry: flags.symmetry, minimize: flags.minimize, ...searchFlagOptions(flags) };
  // --shard: this process checks its share; the run's whole spec list goes into a blob report.
  if (flags.splitSpec !== undefined && flags.shard === undefined) throw new UsageError(`--split-spec '${flags.splitSpec}': splits specs across the shards of a CI matrix; give --shard i/N too (each shard checks its part, smpcheck merge combines them)`);
  const splitSpec = flags.splitSpec !== undefined ? { pattern: flags.splitSpec, matches: nameFilter(flags.splitSpec, '--split-spec') } : undefined;
  const { mine: specs, run: runInfo, partOf } = planRun(all, { ...(flags.shard ? { shard: flags.shard } : {}), ...(timings ? { timings } : {}), ...(splitSpec ? { splitSpec } : {}), check: checkOptions, env, version: VERSION });
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
  // The progress line is drawn by a timer of the main thread: it shows the specs being checked
  // (totals over the workers) and their elapsed time from the start, whether or not their
  // workers have sent figures yet.
  const running = new Map<number, { since: number; p: Progress | undefined }>();
  const ticker = progress
    ? setInterval(() => {
      const now = performance.now();
      progress.show([...running].sort(([a], [b]) => a - b).map(([i, c]) => ({
        spec: specs[i]!.name, p: { ...(c.p ?? { executions: 0, events: 0, depth: 0 }), elapsedMs: now - c.since }, waiting: c.p === undefined,
      })));
    }, 100)
    : undefined;
  let printed = 0;
  const pending: (CheckResult | undefined)[] = specs.map(() => undefined);
  const rowsOut = new Set<CheckResult>();
  const run = runSpecs(specs, { check: checkOptions, workers, part: partOf, ...(recorded ? { recorded } : {}) }, {
    onStart: (i) => void running.set(i, { since: performance.now(), p: undefined }),
    onProgress: (i, p) => {
      const c = running.get(i);
      if (c !== undefined) c.p = p;
    },
    onResult: (i, r) => {
      running.delete(i);
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
    if (cachePath !== undefined) writeTimingsCache(cachePath, results);
    if (streamed) {
      // The rows not printed yet: after a stop, the spec cut short (and any later finished one).
      for (const r of results) if (!rowsOut.has(r)) write(`${tableRow(r, layout, textOpts)}\n`);
    }
    const { stdout, problems } = writeOutputs({
      results,
      uses,
      ...(streamed ? { streamed } : {}),
      traceDir,
      ctx: { elapsedMs: performance.now() - t0, cwd: process.cwd(), width: terminalWidth(io), allTraces: flags.traces === 'all', coverage: flags.coverage ?? false, startedAt, hostname: hostname(), version: VERSION, run: runInfo },
      colorFor,
      env,
      err: io.err,
    });
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
    .option('--typecheck', "type-check the spec files (and what they import) with the project's TypeScript first; type errors: exit 2 (default in CI)")
    .option('--no-typecheck', 'do not type-check the spec files, even in CI')
    // When exhaustive search is out of reach (README): FAIL or INCOMPLETE, see check/search-mode.ts.
    .option('--preemptions <K|auto>', 'preemption-bounded search (engine bounded): every schedule with at most K preemptions, fewest first; auto: 0, 1, 2, … until the time budget', (v: string) => preemptionBound('--preemptions', v))
    .option('--random <N>', 'seeded random search (engine random): N schedules, uniform random walks unless --pct-depth', positiveInt('--random'))
    .option('--seed <S>', `seed of the random search (default ${DEFAULT_SEED}): the same seed gives the same schedules and counterexample`, (v: string) => seedValue('--seed', v))
    .option('--pct-depth <d>', 'random search with PCT: random thread priorities and d − 1 priority change points', positiveInt('--pct-depth'))
    .option('--no-color', 'plain text even on a terminal')
    // Parallel and sharded runs (issue 11): the logic is in workers.ts, shard.ts and merge.ts.
    .option('--workers <n>', 'specs checked at once, one worker thread each (default: SMPCHECK_WORKERS, else the number of CPUs)', positiveInt('--workers'))
    .option('--shard <i/N>', 'check only the i-th of N shares of the specs (1-based), for CI matrices; merge the blob reports with smpcheck merge', parseShard)
    .option('--timings <file>', "with --shard: balance shards by each spec's time in this JSON report of an earlier run (without --shard: the order workers get specs in)")
    .option('--no-cache', "neither read nor write the timings cache (node_modules/.cache/smpcheck/timings.json), by which workers get the longest specs first")
    .option('--split-spec <regex>', 'with --shard: split each spec whose name matches across all the shards, each checking its part (stateful engine); smpcheck merge combines the parts')
    .action(async (paths: string[], flags: CheckFlags) => {
      try {
        code = await runCheck(paths, flags, io);
      } finally {
        releaseWorkers(); // those started early that no run took (a usage error)
      }
    });

  program
    .command('merge')
    .description("combine the blob reports of 'check --shard i/N' runs into one result and render it; exit codes as 'check'")
    .argument('<files...>', 'blob reports (--reporter blob=FILE), one per shard')
    .addOption(new Option('--reporter <name[=file]>', `output format, repeatable, each to stdout or a file: ${reporterNames.join(', ')}`)
      .argParser((v: string, all: string[]) => [...all, v])
      .default([], 'text; text and github in GitHub Actions'))
    .addOption(new Option('--traces <which>', 'counterexamples to print').choices(['unexpected', 'all']).default('unexpected'))
    .option('--trace-dir <dir>', 'where to write one replayable trace file per failing spec', '.smpcheck/traces')
    .option('--coverage', 'print which steps of each spec ran, never ran or were only blocked')
    .option('--no-color', 'plain text even on a terminal')
    .action(async (files: string[], flags: { reporter: string[]; traces: string; traceDir: string; coverage?: boolean; color: boolean }) => {
      code = await runMerge(files, flags, { ...io, width: terminalWidth(io), version: VERSION });
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

  program
    .command('init')
    .description('create specs/ with an example model and spec (the README tutorial) and a tsconfig.json for spec files; never overwrites a file')
    .action(() => {
      code = runInit(process.cwd(), io.out);
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
