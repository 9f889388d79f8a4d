import { appendFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { checkSpec, type CheckResult } from '../check/run.ts';
import { describeExpectation } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import { defaultEngine, engineNames } from '../explore/engines.ts';
import type { Bounds } from '../explore/types.ts';
import type { ReportContext } from '../report/context.ts';
import { githubSummary } from '../report/github.ts';
import { reporterNames, reporters, type ReporterName } from '../report/reporters.ts';
import { findSpecFiles, loadSpecs, nameFilter } from './load.ts';
import { progressLine, wantsProgress } from './progress.ts';
import { runReplay } from './replay.ts';
import { writeTraces } from './traces.ts';
import { writeFileAtomic } from './write-file.ts';

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

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  errIsTTY: Boolean(process.stderr.isTTY),
  columns: process.stdout.columns,
};

/** Columns for swimlanes: the terminal's (within reason), else 120 for logs and files. */
function terminalWidth(io: Io): number {
  return io.isTTY && io.columns ? Math.min(Math.max(io.columns, 80), 200) : 120;
}

const VERSION: string = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;

function positiveInt(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got '${v}'`);
    return n;
  };
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

async function runCheck(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  const env = io.env ?? process.env;
  if (!engineNames().includes(flags.engine)) {
    throw new UsageError(`unknown engine '${flags.engine}'; choose one of: ${engineNames().join(', ')}`);
  }
  const uses = parseReporters(flags.reporter, env);
  const specs = (await loadSpecs(findSpecFiles(paths.length ? paths : ['specs']))).filter((s) => nameFilter(flags.filter)(s.name));
  if (specs.length === 0) throw new UsageError(`no spec matches '${flags.filter}'; run 'smpcheck list' to see spec names`);
  const bounds: Bounds = {
    ...(flags.maxDepth ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.maxExecutions ? { maxExecutions: flags.maxExecutions } : {}),
    ...(flags.timeBudget ? { timeMs: flags.timeBudget } : {}),
    ...(flags.maxStates ? { maxStates: flags.maxStates } : {}),
    ...(flags.maxMemory ? { maxMemoryMB: flags.maxMemory } : {}),
  };
  const progress = wantsProgress({ errIsTTY: io.errIsTTY ?? false, quiet: flags.quiet ?? false, env })
    ? progressLine(io.err, io.columns ?? 80)
    : undefined;
  const startedAt = new Date();
  const t0 = performance.now();
  const results: CheckResult[] = specs.map((s) => {
    const r = checkSpec(s, {
      engine: flags.engine,
      bounds,
      exactStates: flags.exactStates ?? false,
      symmetry: flags.symmetry,
      minimize: flags.minimize,
      ...(progress ? { onProgress: (p) => progress.update(s.name, p) } : {}),
    });
    progress?.clear();
    return r;
  });
  const elapsedMs = performance.now() - t0;
  const traces = writeTraces(results, resolve(flags.traceDir));
  const ctx: Omit<ReportContext, 'color'> = {
    results,
    elapsedMs,
    cwd: process.cwd(),
    width: terminalWidth(io),
    allTraces: flags.traces === 'all',
    traceFile: (r) => traces.get(r),
    startedAt,
    hostname: hostname(),
    version: VERSION,
  };
  let stdout = '';
  for (const u of uses) {
    const color = u.file === undefined && u.name === 'text' && flags.color && io.isTTY && !env.NO_COLOR;
    const text = reporters[u.name].render({ ...ctx, color });
    if (u.file !== undefined) writeFileAtomic(u.file, text);
    else stdout += text;
  }
  if (uses.some((u) => u.name === 'github') && env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(env.GITHUB_STEP_SUMMARY, githubSummary({ ...ctx, color: false }));
    } catch (e) {
      throw new UsageError(`GITHUB_STEP_SUMMARY=${env.GITHUB_STEP_SUMMARY}: cannot append the job summary (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
    }
  }
  io.out(stdout);
  if (results.some((r) => r.verdict === 'ERROR')) return EXIT_CANNOT_CHECK;
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_UNEXPECTED;
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
  const program = new Command()
    .name('smpcheck')
    .description('Model checker for SMP kernel synchronization: every reachable state and interleaving of step-function models.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride()
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
