import { describe, expect, it } from 'vitest';
import { cli as run } from '../support/cli.ts';

const cli = (...args: string[]) => run(args);

describe('smpcheck check is a CI gate', () => {
  it('exits 0 when every spec gets its expected verdict', () => {
    const r = cli('check', 'test/fixtures/ok');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/✓ counter\/lost-update\s+fail no-lost-update\s+FAIL no-lost-update/);
    expect(r.out).toMatch(/✓ counter\/locked\s+pass\s+PASS/);
    expect(r.out).toMatch(/2 specs, all as expected/);
  });

  it('exits 1 with a counterexample when a fixed variant loses its lock', () => {
    const r = cli('check', 'test/fixtures/unexpected', '--engine', 'naive');
    expect(r.code).toBe(1);
    // Without its lock the pop loses the free_memory update (and hands a frame out twice).
    expect(r.out).toMatch(/✗ falloc_pop\/lock-dropped\s+pass\s+FAIL I-count/);
    expect(r.out).toContain('final property I-count is false when every thread has finished');
    // The lost update: C0 stores the free_memory it loaded before C1's pop, in C0's lane.
    expect(r.out).toMatch(/\n\s+\d+\s{3}bfa_do_alloc_any\.A6_store_free\s+(models\/kernel\/)?freelist\.ts:\d+\s+free_memory: 3 → 3\n/);
    expect(r.out).toContain('I-count read: free_memory = 3, head = 2, next = [1,2,3,-1]');
    expect(r.out).toMatch(/Replay: smpcheck replay \S+falloc_pop_lock-dropped-[0-9a-f]{6}\.json/);
    expect(r.out).toContain("Re-check: smpcheck check test/fixtures/unexpected/falloc_unlocked.spec.ts -t '^falloc_pop/lock-dropped$'");
  });

  it('exits 2 with one line naming the file when a spec file does not load', () => {
    const r = cli('check', 'test/fixtures/broken');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.trim().split('\n')).toEqual([
      'smpcheck: test/fixtures/broken/broken.spec.ts: cannot load this spec file: this spec file is broken on purpose (run with --debug for the stack)',
    ]);
  });

  it('exits 2 for bad arguments, missing paths, files without specs and unmatched filters', () => {
    expect(cli('check', '--engine', 'nope', 'test/fixtures/ok').code).toBe(2);
    const missing = cli('check', 'no/such/dir');
    expect([missing.code, missing.err.trim()]).toEqual([2, 'smpcheck: no/such/dir: no such file or folder; give spec files or folders (default: specs/)']);
    const empty = cli('check', 'test/fixtures/empty');
    expect([empty.code, empty.err.trim()]).toEqual([2, 'smpcheck: test/fixtures/empty/nothing.spec.ts: exports no spec; export spec({...}) objects (default or named, or arrays of them)']);
    const unmatched = cli('check', 'test/fixtures/ok', '-t', 'zzz');
    expect(unmatched.code).toBe(2);
    expect(unmatched.err).toContain("no spec matches 'zzz'");
  });

  it('exits 2 with the step and the cause when a model breaks (verdict ERROR), without a stack', () => {
    const r = cli('check', 'test/fixtures/model-error');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✗ throws\s+pass\s+ERROR/);
    expect(r.out).toContain('thread T, step bad.oops threw: Cannot set properties of undefined');
    expect(r.out).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });

  it('filters specs by name', () => {
    const r = cli('check', 'test/fixtures/ok', '-t', 'locked$');
    expect(r.code).toBe(0);
    expect(r.out).toContain('counter/locked');
    expect(r.out).not.toContain('counter/lost-update');
  });

  it('writes the documented JSON shape on stdout and nothing else', () => {
    const r = cli('check', 'test/fixtures/ok', 'test/fixtures/unexpected', '--reporter', 'json', '--engine', 'naive');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.version).toBe(1);
    expect(j.summary).toMatchObject({ total: 3, ok: 2, failed: 1, errors: 0 });
    const bad = j.specs.find((s: any) => s.name === 'falloc_pop/lock-dropped');
    expect(bad).toMatchObject({ file: 'test/fixtures/unexpected/falloc_unlocked.spec.ts', expected: 'pass', verdict: 'FAIL', ok: false });
    for (const k of ['executions', 'traces', 'events', 'durationMs']) expect(bad).toHaveProperty(k);
    expect(bad.violation.property).toBe('I-count');
    expect(bad.violation.kind).toBe('final');
    expect(bad.violations).toEqual(['I-count']); // a spec expecting pass stops at its first violation
    expect(bad.violation.schedule.every((t: string) => t === 'C0' || t === 'C1')).toBe(true);
    expect(bad.violation.steps.length).toBe(bad.violation.schedule.length);
    expect(bad.violation.steps.at(-1)).toMatchObject({ thread: expect.any(String), step: 'core.dispatch', source: expect.stringMatching(/^models\/falloc_pop\.ts:\d+$/) });
  });

  it('lists specs, and answers --help', () => {
    const list = cli('list', 'test/fixtures/ok');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/counter\/lost-update\s+fail no-lost-update/);
    const help = cli('check', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('--filter <pattern>');
  });
});
