import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dispatch, specCosts } from '../../src/cli/schedule.ts';
import { readTimingsCache } from '../../src/cli/timings-cache.ts';
import { defineModel, procedure, spec, thread } from '../../src/index.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';

/** Hands out every spec to one worker that keeps what it loaded. */
function order(d: Dispatch, loaded = new Set<string>(), files?: readonly string[]): number[] {
  const out: number[] = [];
  for (let i = d.take(loaded); i !== undefined; i = d.take(loaded)) {
    out.push(i);
    if (files) loaded.add(files[i]!);
  }
  return out;
}

describe('the order workers get specs in', () => {
  it('is longest first, ties in spec order', () => {
    expect(order(new Dispatch(['a', 'a', 'a', 'a'], [1, 5, 3, 5]))).toEqual([1, 3, 2, 0]);
  });

  it('prefers a spec of a file the worker has loaded when it costs at least half the costliest left', () => {
    const files = ['A', 'B', 'A', 'B'];
    const d = new Dispatch(files, [10, 12, 8, 2]);
    const loaded = new Set(['A']);
    expect(d.take(loaded)).toBe(0); // 10 of A, not 12 of B
    expect(d.take(loaded)).toBe(2); // 8 of A: at least 12 / 2
    expect(d.take(loaded)).toBe(1); // no A left
    expect(d.take(loaded)).toBe(3);
    expect(d.take(loaded)).toBeUndefined();
    expect(d.remaining).toBe(0);
    // 5 is less than half of 30: the costliest goes first whatever is loaded.
    expect(order(new Dispatch(['B', 'A'], [30, 5]), new Set(['A']))).toEqual([0, 1]);
  });

  it('with recorded times, also when it is at most the slack (the cost of loading a file) cheaper', () => {
    expect(order(new Dispatch(['B', 'A'], [30, 5], 20), new Set(['A']))).toEqual([0, 1]);
    expect(order(new Dispatch(['B', 'A'], [24, 5], 20), new Set(['A']))).toEqual([1, 0]);
  });

  it('two workers, one spec file each, share a catalogue longest first', () => {
    const files = ['A', 'A', 'B', 'B', 'B'];
    const d = new Dispatch(files, [100, 1, 60, 50, 2]);
    const w1 = new Set<string>();
    const w2 = new Set<string>();
    const take = (w: Set<string>) => {
      const i = d.take(w)!;
      w.add(files[i]!);
      return i;
    };
    expect([take(w1), take(w2)]).toEqual([0, 2]); // the two costliest start at once
    expect(take(w2)).toBe(3); // 50 of B, loaded
    expect(take(w2)).toBe(4); // 2 of B, the costliest left
    expect(take(w1)).toBe(1);
  });

  const store = procedure<{ x: number }>('store', { w: (s) => { s.x = 1; } });
  const model = defineModel({ name: 'n', params: { n: 1 }, shared: () => ({ x: 0 }), threads: ({ n }) => Array.from({ length: n }, (_, k) => thread(`T${k}`, store)) });
  const specs = [1, 3, 2].map((n) => spec({ name: `n/${n}`, model, params: { n }, expect: 'pass' }));

  it('costs a spec its recorded time, a spec not recorded the median, and without any record guesses from its threads', () => {
    expect(specCosts(specs, new Map([['n/1', 40], ['n/3', 10]]))).toEqual({ costs: [40, 10, 40], source: 'recorded' });
    expect(specCosts(specs, new Map([['other', 5]]))).toEqual({ costs: [4, 64, 16], source: 'threads' });
    expect(specCosts(specs)).toEqual({ costs: [4, 64, 16], source: 'threads' });
  });
});

/**
 * A project in a temporary folder (package.json, node_modules/) with two spec files that say on
 * stderr which thread loaded them: a worker with nothing loaded loads the file of the first spec
 * it gets, so the order of the worker's lines is the order the specs were handed out.
 */
function project(opts: { modules?: boolean } = {}): string {
  const dir = tempDir('smpcheck-cache-');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  if (opts.modules !== false) mkdirSync(join(dir, 'node_modules'));
  mkdirSync(join(dir, 'specs'));
  for (const f of ['a', 'b']) {
    writeFileSync(join(dir, 'specs', `${f}.spec.ts`), `import { threadId } from 'node:worker_threads';
import { defineModel, procedure, spec, thread } from '${join(ROOT, 'src/index.ts')}';
if (threadId !== 0) console.log('${f} loaded by a worker');
const store = procedure<{ x: number }>('store', { w: (s) => { s.x = 1; } });
const model = defineModel({ name: '${f}', params: {}, shared: () => ({ x: 0 }), threads: () => [thread('T', store)] });
export default [spec({ name: '${f}/1', model, expect: 'pass' })];
`);
  }
  return dir;
}

const CACHE = 'node_modules/.cache/smpcheck/timings.json';
const run = (dir: string, args: string[] = [], env: Record<string, string> = { SMPCHECK_CACHE: '1' }) => {
  const r = cli(['check', 'specs', '--workers', '1', ...args], { cwd: dir, env });
  return { ...r, loads: [...r.err.matchAll(/^(\w) loaded by a worker$/gm)].map((m) => m[1]) };
};
function record(dir: string, ms: Record<string, number>): void {
  mkdirSync(join(dir, 'node_modules/.cache/smpcheck'), { recursive: true });
  writeFileSync(join(dir, CACHE), JSON.stringify({ version: 1, specs: Object.entries(ms).map(([name, durationMs]) => ({ name, file: 'x', durationMs })) }));
}

describe('the timings cache (node_modules/.cache/smpcheck/timings.json)', () => {
  it('is written after a run, and the next run hands out the longest recorded spec first', () => {
    const dir = project();
    const first = run(dir);
    expect(first.code).toBe(0);
    expect(first.loads).toEqual(['a', 'b']); // no record, the same threads: spec order
    const cache = JSON.parse(readFileSync(join(dir, CACHE), 'utf8'));
    expect(cache.version).toBe(1);
    expect(cache.specs.map((s: { name: string; file: string }) => [s.name, s.file]).sort()).toEqual([['a/1', 'specs/a.spec.ts'], ['b/1', 'specs/b.spec.ts']]);
    expect(readTimingsCache(join(dir, CACHE)).size).toBe(2);
    record(dir, { 'a/1': 1, 'b/1': 1000 });
    const second = run(dir);
    expect(second.loads).toEqual(['b', 'a']);
    expect(second.out).toMatch(/a\/1[^\n]*\n[^\n]*b\/1/); // rows still in spec order
    expect(readTimingsCache(join(dir, CACHE)).get('b/1')).toBeLessThan(1000); // this run's time
  }, 60_000);

  it('keeps the entries of specs this run did not check, and ignores a cache it cannot read', () => {
    const dir = project();
    record(dir, { 'b/1': 1000, 'gone/1': 7 });
    expect(run(dir, ['-t', '^a/']).code).toBe(0);
    expect([...readTimingsCache(join(dir, CACHE)).keys()].sort()).toEqual(['a/1', 'b/1', 'gone/1']);
    writeFileSync(join(dir, CACHE), '{ not json');
    const r = run(dir);
    expect({ code: r.code, loads: r.loads }).toEqual({ code: 0, loads: ['a', 'b'] });
    expect(readTimingsCache(join(dir, CACHE)).size).toBe(2);
  }, 60_000);

  it('--no-cache and SMPCHECK_CACHE=0 neither read nor write it; a project without node_modules has none', () => {
    const dir = project();
    record(dir, { 'a/1': 1, 'b/1': 1000 });
    const before = readFileSync(join(dir, CACHE), 'utf8');
    expect(run(dir, ['--no-cache']).loads).toEqual(['a', 'b']);
    expect(run(dir, [], { SMPCHECK_CACHE: '0' }).loads).toEqual(['a', 'b']);
    expect(readFileSync(join(dir, CACHE), 'utf8')).toBe(before);
    const bare = project({ modules: false });
    expect(run(bare).code).toBe(0);
    expect(existsSync(join(bare, 'node_modules'))).toBe(false);
  }, 60_000);

  it('SMPCHECK_CACHE takes 0 or 1, anything else is one line and exit 2', () => {
    expect(cli(['check', 'test/fixtures/matrix'], { env: { SMPCHECK_CACHE: 'maybe' } })).toEqual({ code: 2, out: '', err: "smpcheck: SMPCHECK_CACHE must be 0 or 1 (the timings cache off or on), got 'maybe'\n" });
  });
});
