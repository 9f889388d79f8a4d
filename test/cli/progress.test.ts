import { describe, expect, it } from 'vitest';
import { progressLine, progressText, wantsProgress } from '../../src/cli/progress.ts';

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

  it('is shown only on a terminal, outside CI, without --quiet', () => {
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: {} })).toBe(true);
    expect(wantsProgress({ errIsTTY: false, quiet: false, env: {} })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: true, env: {} })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: { CI: 'true' } })).toBe(false);
    expect(wantsProgress({ errIsTTY: true, quiet: false, env: { GITHUB_ACTIONS: 'true' } })).toBe(false);
  });
});
