import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** A fresh temporary folder for one test's output files. */
export function tempDir(prefix = 'smpcheck-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const traceDir = tempDir('smpcheck-traces-');

/**
 * Runs the real CLI as a user would (node bin/smpcheck.js ...), in `cwd` (default: the repo).
 * `check` writes its traces to a temporary folder unless the test names one. `CI` is unset
 * (a test passes it in `env` to see CI defaults such as --typecheck). The timings cache is off
 * (SMPCHECK_CACHE=0), so that no test depends on what an earlier run recorded.
 */
export function cli(args: readonly string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const withDir = args[0] === 'check' && !args.includes('--trace-dir') ? [...args, '--trace-dir', traceDir] : args;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, CI: undefined, SMPCHECK_CACHE: '0', ...opts.env };
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/smpcheck.js'), ...withDir], { cwd: opts.cwd ?? ROOT, encoding: 'utf8', env: env as NodeJS.ProcessEnv });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A --filter that leaves out falloc_pop's reach configurations, which take the naive engine a minute each. */
export const NOT_REACH = '^(?!.*(4cores|3cores/))';

/**
 * Starts the real CLI without waiting for it, for tests that act while it runs (signals, pipes):
 * `waitFor` resolves once stdout (or stderr) has matched, `exited` with the exit code.
 */
export function cliAsync(args: readonly string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}) {
  const withDir = args[0] === 'check' && !args.includes('--trace-dir') ? [...args, '--trace-dir', traceDir] : args;
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: undefined, GITHUB_STEP_SUMMARY: undefined, CI: undefined, SMPCHECK_CACHE: '0', ...opts.env };
  const child = spawn(process.execPath, [join(ROOT, 'bin/smpcheck.js'), ...withDir], { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; stream: 'out' | 'err'; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.re.test(w.stream === 'out' ? out : err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; check(); });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; check(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return {
    child,
    get out() { return out; },
    get err() { return err; },
    exited,
    waitFor(re: RegExp, stream: 'out' | 'err' = 'out'): Promise<void> {
      return new Promise((resolve, reject) => {
        waiters.push({ re, stream, resolve });
        check();
        void exited.then(() => setImmediate(() => reject(new Error(`smpcheck exited before ${stream} matched ${re}:\n${out}\n${err}`))));
      });
    },
  };
}
