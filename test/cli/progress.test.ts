import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { progressLine, progressText, progressTotalText, wantsProgress } from '../../src/cli/progress.ts';
import { tempDir } from '../support/cli.ts';

describe('the progress line', () => {
  it('shows spec, executions, rate, depth and elapsed time', () => {
    expect(progressText('falloc_pop/L', { executions: 1234, events: 45_300, depth: 34, elapsedMs: 1500 })).toBe('⟳ falloc_pop/L  executions 1234  events 45.3k (30.2k/s)  depth 34  1.5 s');
  });

  it('is redrawn in place, at most every 100 ms, only for specs that take a while, and erased', () => {
    let out = '';
    let now = 0;
    const line = progressLine((s) => (out += s), 40, () => now);
    line.update('quick', { executions: 0, events: 10, depth: 1, elapsedMs: 50 });
    expect(out).toBe(''); // too early to bother
    now = 1000;
    line.update('slow/spec', { executions: 1, events: 2000, depth: 5, elapsedMs: 400 });
    now = 1050;
    line.update('slow/spec', { executions: 2, events: 3000, depth: 5, elapsedMs: 450 });
    expect(out.split('\r\x1b[2K')).toHaveLength(2); // one redraw within 100 ms
    expect(out).toBe('\r\x1b[2K⟳ slow/spec  executions 1  events 2000…'); // cut to fit 40 columns
    line.clear();
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('says when the counterexample is being minimised, and when no figures came yet', () => {
    expect(progressText('m/V1', { executions: 3, events: 900, depth: 40, elapsedMs: 3100, states: 1234, phase: 'minimize' })).toBe('⟳ m/V1  minimising…  states 1234  3.1 s');
    expect(progressText('m/V1', { executions: 0, events: 0, depth: 0, elapsedMs: 400 }, true)).toBe('⟳ m/V1  starting…  0.4 s');
  });

  it("shows the stateful engine's frontier, its threads when split, and their totals over specs", () => {
    expect(progressText('m/V1', { executions: 3, events: 9000, depth: 40, elapsedMs: 1000, states: 12345, frontier: 310 })).toBe('⟳ m/V1  states 12.3k  frontier 310  events 9000 (9000/s)  depth 40  1.0 s');
    expect(progressText('m/V1', { executions: 3, events: 9000, depth: 40, elapsedMs: 1000, states: 12345, frontier: 310, threads: 2 })).toBe('⟳ m/V1  states 12.3k  frontier 310  2 threads  events 9000 (9000/s)  depth 40  1.0 s');
    expect(progressTotalText([
      { spec: 'a', p: { executions: 1, events: 1000, depth: 4, elapsedMs: 1000, states: 100, frontier: 10, threads: 2 } },
      { spec: 'b', p: { executions: 1, events: 1000, depth: 4, elapsedMs: 2000, states: 200, frontier: 5 } },
    ])).toBe('⟳ 2 specs: a +1  states 300  frontier 15  3 threads  events 2000 (1500/s)  2.0 s');
  });

  it('is shown only on a terminal, outside CI, without --quiet', () => {
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: {} })).toBe(true);
    expect(wantsProgress({ errIsTTY: false, quiet: false, env: {} })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: true, env: {} })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: { CI: 'true' } })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: { GITHUB_ACTIONS: 'true' } })).toBe(false);
  });
});

describe('the progress line of smpcheck check', () => {
  it('is drawn by the main thread while a step never returns, from the start of the spec, and erased before each row', async () => {
    let out = '';
    let err = '';
    const dir = tempDir();
    const code = await main(['node', 'smpcheck', 'check', 'test/fixtures/hang', '--trace-dir', dir], { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, errIsTTY: true, columns: 100, env: {} });
    expect(code).toBe(1);
    // The worker is stuck in the step, so no figures ever come: only the time moves.
    const frames = err.split('\r\x1b[2K').filter((f) => f.startsWith('⟳ hang/forever'));
    expect(frames.length).toBeGreaterThan(2);
    for (const f of frames) expect(f).toMatch(/^⟳ hang\/forever {2}starting… {2}\d+\.\d s$/);
    expect(frames.at(-1)).toMatch(/ [1-9]\.\d s$/); // still redrawn a second in
    expect(err.endsWith('\r\x1b[2K')).toBe(true); // erased before the rows and the summary
    expect(out).toMatch(/✗ hang\/forever\s+pass\s+INCOMPLETE \(time\)/);
  }, 60_000);
});
