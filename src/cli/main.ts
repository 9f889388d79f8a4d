import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { checkSpec, type CheckResult } from '../check/run.ts';
import { describeExpectation } from '../check/spec.ts';
import { UsageError } from '../model/errors.ts';
import { defaultEngine, engineNames } from '../explore/engines.ts';
import type { Bounds } from '../explore/types.ts';
import { jsonReport } from '../report/json.ts';
import { renderText } from '../report/text.ts';
import { findSpecFiles, loadSpecs, nameFilter } from './load.ts';
import { runReplay } from './replay.ts';
import { writeTraces } from './traces.ts';

/** Exit codes: the CI gate. */
export const EXIT_OK = 0;
export const EXIT_UNEXPECTED = 1;
export const EXIT_CANNOT_CHECK = 2;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** stdout is a terminal (colour, width). */
  isTTY: boolean;
  columns?: number;
  env?: NodeJS.ProcessEnv;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  columns: process.stdout.columns,
};

/** Columns for swimlanes: the terminal's (within reason), else 120 for logs and files. */
function terminalWidth(io: Io): number {
  return io.isTTY && io.columns ? Math.min(Math.max(io.columns, 80), 200) : 120;
}

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
  reporter: string;
  traces: string;
  traceDir: string;
  maxDepth?: number;
  maxExecutions?: number;
  timeBudget?: number;
  color: boolean;
  minimize: boolean;
}

async function runCheck(paths: string[], flags: CheckFlags, io: Io): Promise<number> {
  if (!engineNames().includes(flags.engine)) {
    throw new UsageError(`unknown engine '${flags.engine}'; choose one of: ${engineNames().join(', ')}`);
  }
  const specs = (await loadSpecs(findSpecFiles(paths.length ? paths : ['specs']))).filter((s) => nameFilter(flags.filter)(s.name));
  if (specs.length === 0) throw new UsageError(`no spec matches '${flags.filter}'; run 'smpcheck list' to see spec names`);
  const bounds: Bounds = {
    ...(flags.maxDepth ? { maxDepth: flags.maxDepth } : {}),
    ...(flags.maxExecutions ? { maxExecutions: flags.maxExecutions } : {}),
    ...(flags.timeBudget ? { timeMs: flags.timeBudget } : {}),
  };
  const t0 = performance.now();
  const results: CheckResult[] = specs.map((s) => checkSpec(s, { engine: flags.engine, bounds, minimize: flags.minimize }));
  const elapsed = performance.now() - t0;
  const traces = writeTraces(results, resolve(flags.traceDir));
  const traceFile = (r: CheckResult) => traces.get(r);
  if (flags.reporter === 'json') {
    io.out(`${JSON.stringify(jsonReport(results, elapsed, { traceFile }), null, 2)}\n`);
  } else {
    const color = flags.color && io.isTTY && !(io.env ?? process.env).NO_COLOR;
    io.out(`${renderText(results, elapsed, { color, allTraces: flags.traces === 'all', width: terminalWidth(io), traceFile })}\n`);
  }
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
    .description('Model checker for SMP kernel synchronization: every interleaving of step-function models, one per Mazurkiewicz trace.')
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
    .addOption(new Option('--reporter <name>', 'output format').choices(['text', 'json']).default('text'))
    .addOption(new Option('--traces <which>', 'counterexamples to print').choices(['unexpected', 'all']).default('unexpected'))
    .option('--trace-dir <dir>', 'where to write one replayable trace file per failing spec', '.smpcheck/traces')
    .option('--no-minimize', 'show counterexamples as the engine found them, not minimised')
    .option('--max-depth <steps>', 'most steps in one execution (INCOMPLETE when hit)', positiveInt('--max-depth'))
    .option('--max-executions <n>', 'most executions to explore (INCOMPLETE when hit)', positiveInt('--max-executions'))
    .option('--time-budget <ms>', 'wall-clock budget per spec (INCOMPLETE when hit)', positiveInt('--time-budget'))
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
