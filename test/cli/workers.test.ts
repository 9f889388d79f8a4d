import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { progressLine, progressTotalText } from '../../src/cli/progress.ts';
import { workerCount } from '../../src/cli/workers.ts';
import { cli, cliAsync, tempDir } from '../support/cli.ts';
import { untimed, untimedText } from '../support/untimed.ts';

// test/fixtures/matrix: 8 specs in two files, expected failures and passes and one unexpected
// FAIL (exit 1). Every worker count gives the same rows, counterexamples, counts and exit code.
describe.each(['auto', 'dpor'])('--workers N with --engine %s', (engine) => {
  it('gives the same verdicts, counts, counterexamples and exit code for N = 1, 2, 3, 4, whatever order the specs are handed out in', () => {
    // Recorded times that make the last spec the costliest: the pool hands the specs out in
    // reverse (schedule.ts), and rows, reports and counts must not change.
    const reversed = join(tempDir(), 'reversed.json');
    writeFileSync(reversed, JSON.stringify({ version: 1, specs: MATRIX.map((name, i) => ({ name, durationMs: i + 1 })) }));
    const runs = [[1], [2], [3], [4], [1, reversed], [3, reversed]].map(([n, timings]) => {
      const dir = tempDir();
      const r = cli(['check', 'test/fixtures/matrix', '--engine', engine, '--workers', String(n), '--traces', 'all', '--reporter', 'text', '--reporter', `json=${dir}/r.json`, ...(timings ? ['--timings', String(timings)] : [])], { env: { SMPCHECK_WORKERS: undefined } });
      return { ...r, json: JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) };
    });
    const [one, ...more] = runs;
    expect(one!.code).toBe(1);
    expect(one!.json.specs.map((s: any) => [s.name, s.verdict, s.ok])).toEqual([
      ['matrix/lost-update', 'FAIL', true],
      ['matrix/locked', 'PASS', true],
      ['matrix/locked-3', 'PASS', true],
      ['matrix/lost-update-3', 'FAIL', true],
      ['matrix/wrongly-expected', 'FAIL', false],
      ['matrix/falloc_pop/U', 'FAIL', true],
      ['matrix/falloc_pop/L', 'PASS', true],
      ['matrix/frame_refcount/9a', 'FAIL', true],
    ]);
    const counts = one!.json.specs.map((s: any) => (engine === 'dpor' ? [s.executions, s.traces] : s.states));
    expect(counts).toEqual(engine === 'dpor' ? DPOR_COUNTS : STATEFUL_STATES);
    for (const r of more) {
      expect(r.code).toBe(one!.code);
      expect(untimed(r.json)).toEqual(untimed(one!.json));
      expect(untimedText(r.out)).toBe(untimedText(one!.out));
      expect(r.err).toBe(one!.err);
    }
  }, 120_000);
});

const MATRIX = ['matrix/lost-update', 'matrix/locked', 'matrix/locked-3', 'matrix/lost-update-3', 'matrix/wrongly-expected', 'matrix/falloc_pop/U', 'matrix/falloc_pop/L', 'matrix/frame_refcount/9a'];

// Measured once with --workers 1; the point is that no worker count changes them.
const STATEFUL_STATES = [8, 16, 44, 10, 10, 77, 63, 18];
const DPOR_COUNTS = [[2, null], [2, 2], [6, 6], [2, null], [2, null], [8, null], [10, 10], [2, null]];

describe('how many workers', () => {
  const seen = (r: { err: string }) => new Set([...r.err.matchAll(/loaded in thread (\d+)/g)].map((m) => m[1]).filter((t) => t !== '0')).size;

  it('--workers N starts N (never more than there are specs), SMPCHECK_WORKERS when no flag is given', () => {
    expect(seen(cli(['check', 'test/fixtures/workers-seen', '--workers', '3']))).toBe(3);
    expect(seen(cli(['check', 'test/fixtures/workers-seen', '--workers', '9']))).toBe(5);
    expect(seen(cli(['check', 'test/fixtures/workers-seen'], { env: { SMPCHECK_WORKERS: '2' } }))).toBe(2);
    expect(seen(cli(['check', 'test/fixtures/workers-seen', '--workers', '1'], { env: { SMPCHECK_WORKERS: '4' } }))).toBe(1);
  }, 60_000);

  it('defaults to the CPUs the process may use', () => {
    expect(workerCount(undefined, {})).toBe(availableParallelism());
    expect(workerCount(undefined, { SMPCHECK_WORKERS: '' })).toBe(availableParallelism());
    expect(workerCount(3, { SMPCHECK_WORKERS: '2' })).toBe(3);
  });

  it.each([
    [['--workers', '0'], {}, "smpcheck: --workers must be a positive integer, got '0'\n"],
    [['--workers', 'abc'], {}, "smpcheck: --workers must be a positive integer, got 'abc'\n"],
    [['--workers', '1.5'], {}, "smpcheck: --workers must be a positive integer, got '1.5'\n"],
    [[], { SMPCHECK_WORKERS: '-2' }, "smpcheck: SMPCHECK_WORKERS must be a positive integer, got '-2'\n"],
  ])('refuses %j %j in one line, exit 2, before any spec runs', (args, env, err) => {
    expect(cli(['check', 'test/fixtures/matrix', ...args], { env })).toEqual({ code: 2, out: '', err });
  });
});

describe('a pool of workers', () => {
  it('prints rows in spec order: a spec that finished early waits for the one before it', () => {
    // hang/forever's step never returns (stopped after 1.3 s); hang/after, on the second worker, is done at once.
    const one = cli(['check', 'test/fixtures/hang', '--workers', '1']);
    const two = cli(['check', 'test/fixtures/hang', '--workers', '2']);
    expect(two.code).toBe(1);
    expect(two.out).toMatch(/✗ hang\/forever\s+pass\s+INCOMPLETE \(time\)[^\n]*\n✓ hang\/after\s+pass\s+PASS/);
    expect(untimedText(two.out)).toBe(untimedText(one.out));
  }, 60_000);

  it('on SIGINT stops every worker: each spec being checked is INCOMPLETE (interrupted), the rest not checked', async () => {
    const dir = tempDir();
    // Two workers: pool/quick and pool/forever-a start; quick's result hands forever-b to its worker.
    const run = cliAsync(['check', 'test/fixtures/slow-pool', '--engine', 'dpor', '--workers', '2', '--reporter', 'text', '--reporter', `json=${dir}/r.json`]);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await run.waitFor(/✓ pool\/quick .*\n/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(run.out).toMatch(/✗ pool\/forever-a\s+pass\s+INCOMPLETE \(interrupted\)\s+dpor\s+\d+ executions/);
    expect(run.out).toMatch(/✗ pool\/forever-b\s+pass\s+INCOMPLETE \(interrupted\)\s+dpor\s+\d+ executions/);
    expect(run.out).not.toContain('pool/after');
    expect(run.err).toBe('smpcheck: interrupted (SIGINT); the reports hold the 3 specs checked or cut short, 1 not checked\n');
    const json = JSON.parse(readFileSync(`${dir}/r.json`, 'utf8'));
    expect(json.specs.map((s: any) => [s.name, s.verdict, s.cut])).toEqual([['pool/quick', 'FAIL', []], ['pool/forever-a', 'INCOMPLETE', ['interrupted']], ['pool/forever-b', 'INCOMPLETE', ['interrupted']]]);
  }, 120_000);
});

describe('the progress line over several workers', () => {
  it('shows the totals of the specs being checked, the first by spec order, the longest time', () => {
    expect(progressTotalText([
      { spec: 'a/1', p: { executions: 100, events: 2000, depth: 5, elapsedMs: 1000 } },
      { spec: 'b/2', p: { executions: 3, events: 9000, depth: 7, elapsedMs: 3000, states: 1500 } },
      { spec: 'c/3', p: { executions: 0, events: 0, depth: 0, elapsedMs: 200 }, waiting: true },
    ])).toBe('⟳ 3 specs: a/1 +2  states 1500  executions 100  events 11.0k (5000/s)  3.0 s');
    expect(progressTotalText([{ spec: 'a/1', p: { executions: 7, events: 10, depth: 2, elapsedMs: 500 } }])).toBe('⟳ a/1  executions 7  events 10 (20/s)  depth 2  0.5 s');
  });

  it('is drawn once the longest-running spec has run a while', () => {
    let out = '';
    const line = progressLine((s) => (out += s), 200, () => 1000);
    line.show([{ spec: 'a', p: { executions: 1, events: 1, depth: 1, elapsedMs: 100 } }, { spec: 'b', p: { executions: 1, events: 1, depth: 1, elapsedMs: 200 } }]);
    expect(out).toBe('');
    line.show([{ spec: 'a', p: { executions: 1, events: 10, depth: 1, elapsedMs: 100 } }, { spec: 'b', p: { executions: 2, events: 20, depth: 1, elapsedMs: 400 } }]);
    expect(out).toBe('\r\x1b[2K⟳ 2 specs: a +1  executions 3  events 30 (150/s)  0.4 s');
  });
});
