import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assignShards, parseShard } from '../../src/cli/shard.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';
import { untimed, untimedText } from '../support/untimed.ts';

const FIXTURE = 'test/fixtures/matrix';
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** One process of the whole list: what every merge must reproduce. */
function singleRun(dir: string, extra: string[] = []) {
  const r = cli(['check', FIXTURE, '--trace-dir', `${dir}/traces`, '--reporter', 'text', '--reporter', `json=${dir}/single.json`, ...extra]);
  return { ...r, json: json(`${dir}/single.json`) };
}

/** `check --shard i/N --reporter blob=…` for every i, each its own process; returns the blob files. */
function shards(dir: string, n: number, extra: string[] = []): string[] {
  return Array.from({ length: n }, (_, k) => {
    const file = `${dir}/shard-${k + 1}-of-${n}.json`;
    const r = cli(['check', FIXTURE, '--shard', `${k + 1}/${n}`, '--reporter', `blob=${file}`, ...extra]);
    expect(r.err).toBe('');
    return file;
  });
}

function merge(dir: string, blobs: string[], extra: string[] = []) {
  const r = cli(['merge', ...blobs, '--trace-dir', `${dir}/traces`, '--reporter', 'text', '--reporter', `json=${dir}/merged.json`, ...extra]);
  return r;
}

describe('--shard i/N', () => {
  it('takes i/N, 1-based, and refuses anything else in one line', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    expect(() => parseShard('0/4')).toThrow('--shard 0/4: the shard index must be between 1 and 4 (shards are numbered from 1)');
    expect(() => parseShard('5/4')).toThrow('--shard 5/4: the shard index must be between 1 and 4');
    expect(() => parseShard('1/0')).toThrow('--shard 1/0: the number of shards must be at least 1');
    expect(() => parseShard('2')).toThrow('--shard 2: write the shard as i/N, 1-based (e.g. --shard 1/4 for the first of four)');
    expect(cli(['check', FIXTURE, '--shard', 'x/4'])).toEqual({ code: 2, out: '', err: 'smpcheck: --shard x/4: write the shard as i/N, 1-based (e.g. --shard 1/4 for the first of four)\n' });
  });

  const specs = Array.from({ length: 10 }, (_, i) => ({ name: `s/${i}`, file: `specs/f${i % 3}.spec.ts` }));

  it('without timings splits by a stable hash: every spec once, ⌊n/N⌋ or ⌈n/N⌉ each, the same every time', () => {
    for (const n of [1, 2, 3, 4, 11]) {
      const split = assignShards(specs, n);
      expect(split).toEqual(assignShards(specs, n));
      const sizes = Array.from({ length: n }, (_, k) => split.filter((s) => s === k).length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(specs.length);
    }
    // Independent of the list's order: a spec's shard follows from its name and file.
    const reversed = assignShards([...specs].reverse(), 3).reverse();
    expect(reversed).toEqual(assignShards(specs, 3));
  });

  it('with timings puts the longest first onto the least-loaded shard; an unrecorded spec costs the median', () => {
    const ms = new Map([['s/0', 1000], ['s/1', 600], ['s/2', 500], ['s/3', 100], ['s/4', 1]]);
    const split = assignShards(specs.slice(0, 6), 2, (n) => ms.get(n));
    // s/0 1000 → shard 0; s/1 600 → 1; s/5 (unrecorded: the median, 500; before s/2 by hash) → 1
    // (1100); s/2 500 → 0 (1500); s/3 100 → 1 (1200); s/4 1 → 1.
    expect(split).toEqual([0, 1, 0, 1, 1, 1]);
  });
});

describe('smpcheck merge', () => {
  it.each([2, 3])('of %i shards, each its own process, equals one process: JSON, text, exit code', (n) => {
    const dir = tempDir();
    const single = singleRun(dir);
    expect(single.code).toBe(1);
    const r = merge(dir, shards(dir, n));
    expect(r.err).toBe('');
    expect(r.code).toBe(single.code);
    expect(untimed(json(`${dir}/merged.json`))).toEqual(untimed(single.json));
    expect(untimedText(r.out)).toBe(untimedText(single.out));
  }, 120_000);

  it('of the modelling examples (threads started by t.spawn, choices) equals one process', () => {
    const dir = tempDir();
    const single = cli(['check', 'examples/modelling', '--trace-dir', `${dir}/traces`, '--traces', 'all', '--reporter', 'text', '--reporter', `json=${dir}/single.json`]);
    const blobs = [1, 2].map((k) => {
      const file = `${dir}/b${k}.json`;
      expect(cli(['check', 'examples/modelling', '--shard', `${k}/2`, '--reporter', `blob=${file}`]).err).toBe('');
      return file;
    });
    const r = merge(dir, blobs, ['--traces', 'all']);
    expect([r.code, r.err]).toEqual([single.code, '']);
    expect(untimed(json(`${dir}/merged.json`))).toEqual(untimed(json(`${dir}/single.json`)));
    expect(untimedText(r.out)).toBe(untimedText(single.out));
  }, 120_000);

  it('runs the 4-job matrix of examples/ci/github-sharded.yml and its merge job, as separate processes', () => {
    const workflow = readFileSync(join(ROOT, 'examples/ci/github-sharded.yml'), 'utf8');
    // The two `run: >-` blocks (folded: their lines joined by spaces), with the spec folder and
    // the output folders moved to the fixture and a temporary folder.
    const runs = [...workflow.matchAll(/run: >-\n((?: {10}.*\n)+)/g)].map((m) => m[1]!.trim().split(/\s*\n\s*/).join(' '));
    expect(runs).toHaveLength(2);
    const dir = tempDir();
    const args = (cmd: string) => cmd.replace(/^node bin\/smpcheck\.js /, '').replaceAll(' specs ', ` ${FIXTURE} `).replaceAll('blobs/', `${dir}/blobs/`).replaceAll('reports/', `${dir}/reports/`).split(' ');
    for (const shard of [1, 2, 3, 4]) {
      const r = cli(args(runs[0]!.replaceAll('${{ matrix.shard }}', String(shard))));
      // Each shard is a gate of its own share: exit 1 only in the shard with the unexpected verdict.
      const mine = json(`${dir}/blobs/shard-${shard}.json`).results.map((e: any) => e.result.name);
      expect([r.code, r.err]).toEqual([mine.includes('matrix/wrongly-expected') ? 1 : 0, '']);
    }
    const single = singleRun(dir, ['--reporter', 'github', '--reporter', `junit=${dir}/single.xml`]);
    const merged = cli([...args(runs[1]!), '--reporter', `json=${dir}/merged.json`, '--trace-dir', `${dir}/traces`]);
    expect(merged.code).toBe(1);
    expect(merged.err).toBe('');
    expect(untimed(json(`${dir}/merged.json`))).toEqual(untimed(single.json));
    expect(untimedText(merged.out)).toBe(untimedText(single.out)); // the table, the trace, the summary and the annotations
    expect(merged.out).toContain('::error file=test/fixtures/matrix/counters.spec.ts');
    // JUnit without times: the attributes, and the text table's time column in system-out.
    const junit = (f: string) => readFileSync(f, 'utf8').replace(/ (timestamp|time)="[^"]*"/g, '').replace(/ +\d+(\.\d)? (ms|s)(?=<|$)/gm, '');
    expect(junit(`${dir}/reports/junit.xml`)).toBe(junit(`${dir}/single.xml`));
    expect(junit(`${dir}/single.xml`)).toMatch(/tests="5" failures="1" errors="0"/);
    expect(readFileSync(`${dir}/reports/smpcheck.html`, 'utf8')).toContain('matrix/wrongly-expected');
  }, 120_000);

  it('is shown in the README exactly as examples/ci/github-sharded.yml has it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('`examples/ci/github-sharded.yml`'));
    expect(/```yaml\n([\s\S]*?)```\n/.exec(section)?.[1]).toBe(readFileSync(join(ROOT, 'examples/ci/github-sharded.yml'), 'utf8'));
  });

  it('balances by --timings from an earlier JSON report, and the shards still merge into the single run', () => {
    const dir = tempDir();
    const single = singleRun(dir);
    // Make one spec look as if it took the whole run: it gets a shard of its own.
    const doc = structuredClone(single.json);
    for (const s of doc.specs) s.durationMs = s.name === 'matrix/falloc_pop/U' ? 10_000 : 1;
    writeFileSync(`${dir}/timings.json`, JSON.stringify(doc));
    const blobs = shards(dir, 2, ['--timings', `${dir}/timings.json`]);
    expect(json(blobs[0]!).results.map((e: any) => e.result.name)).toEqual(['matrix/falloc_pop/U']);
    expect(json(blobs[1]!).results).toHaveLength(7);
    const r = merge(dir, blobs);
    expect(r.code).toBe(1);
    expect(untimed(json(`${dir}/merged.json`))).toEqual(untimed(single.json));
  }, 120_000);

  it('refuses a timings file that is not a JSON report, in one line', () => {
    const dir = tempDir();
    writeFileSync(`${dir}/t.json`, '{"specs": 3}');
    expect(cli(['check', FIXTURE, '--shard', '1/2', '--timings', `${dir}/t.json`])).toEqual({ code: 2, out: '', err: `smpcheck: --timings ${dir}/t.json: not an smpcheck JSON report (version 1); give the JSON report of an earlier run (smpcheck check --reporter json=${dir}/t.json, or smpcheck merge ... --reporter json=${dir}/t.json)\n` });
    expect(cli(['check', FIXTURE, '--timings', `${dir}/none.json`]).err).toBe(`smpcheck: --timings ${dir}/none.json: cannot read it (ENOENT); give the JSON report of an earlier run (smpcheck check --reporter json=${dir}/none.json, or smpcheck merge ... --reporter json=${dir}/none.json)\n`);
  });

  describe('refuses shards that do not make one run, naming the shard, exit 2', () => {
    const dir = tempDir();
    const blobs = shards(dir, 3);
    const edited = (k: number, f: (b: any) => void) => {
      const b = json(blobs[k]!);
      f(b);
      const file = `${dir}/edited-${Math.random().toString(36).slice(2)}.json`;
      writeFileSync(file, JSON.stringify(b));
      return file;
    };
    const refused = (files: string[], err: string) => {
      const r = cli(['merge', ...files, '--reporter', `json=${dir}/never.json`]);
      expect(r).toEqual({ code: 2, out: '', err: `smpcheck: ${err}\n` });
    };
    const [a, b, c] = blobs as [string, string, string];

    it('a missing shard', () => refused([a, c], `shard 2/3 missing: got ${a} (shard 1/3), ${c} (shard 3/3); give every shard's blob report (a shard that failed to start wrote none: see its log)`));
    it('a shard given twice', () => refused([a, b, b, c], `${b} and ${b} are both shard 2/3; give each shard's report once`));
    it('a shard of another split', () => {
      const other = shards(tempDir(), 2)[1]!;
      refused([a, b, other], `${other} (shard 2/2) is one of 2 shards, but ${a} (shard 1/3) one of 3; merge the shards of one run (the same --shard i/N count)`);
    });
    it('a shard run with other options', () => {
      const d = tempDir();
      const other = cli(['check', FIXTURE, '--shard', '3/3', '--max-depth', '500', '--engine', 'dpor', '--reporter', `blob=${d}/b.json`]);
      expect(other.err).toBe('');
      refused([a, b, `${d}/b.json`], `${d}/b.json (shard 3/3) was run with other options than ${a} (shard 1/3): check.bounds.maxDepth 500 vs (unset); check.engine "dpor" vs "auto"; run every shard with the same flags and SMPCHECK_* variables`);
    });
    it('a shard run with other SMPCHECK_* bounds', () => {
      const d = tempDir();
      cli(['check', FIXTURE, '--shard', '3/3', '--reporter', `blob=${d}/b.json`], { env: { SMPCHECK_MAX_STATES: '100000' } });
      refused([a, b, `${d}/b.json`], `${d}/b.json (shard 3/3) was run with other options than ${a} (shard 1/3): env.SMPCHECK_MAX_STATES "100000" vs (unset); run every shard with the same flags and SMPCHECK_* variables`);
    });
    it('a shard of another spec list', () => {
      const d = tempDir();
      cli(['check', FIXTURE, '-t', 'lost', '--shard', '3/3', '--reporter', `blob=${d}/b.json`]);
      refused([a, b, `${d}/b.json`], `${d}/b.json (shard 3/3) checked another spec list than ${a} (shard 1/3): 2 specs vs 8, spec 2 is matrix/lost-update-3 (test/fixtures/matrix/counters.spec.ts) vs matrix/locked (test/fixtures/matrix/counters.spec.ts); run every shard on the same commit with the same paths and --filter`);
    });
    it('a shard of another smpcheck version', () => {
      const f = edited(2, (x) => (x.version = '0.0.1'));
      refused([a, b, f], `${f}: written by smpcheck 0.0.1, but this is smpcheck ${json(a).version}; run every shard and the merge with the same smpcheck`);
    });
    it('spec files that changed since the shards ran', () => {
      const patch = (x: any) => (x.specs = x.specs.map((s: any) => (s.file.endsWith('counters.spec.ts') ? { ...s, sha256: '0'.repeat(64) } : s)));
      const first = edited(0, patch);
      refused([first, edited(1, patch), edited(2, patch)], `${FIXTURE}/counters.spec.ts: differs from the file the shards checked (${first} (shard 1/3)); run smpcheck merge on the commit the shards ran on`);
    });
    it('a file that is not a shard report, or is cut short', () => {
      const d = tempDir();
      writeFileSync(`${d}/half.json`, readFileSync(a, 'utf8').slice(0, 100));
      refused([`${d}/half.json`, b, c], `${d}/half.json: not JSON, so not a shard report (was it cut short?); run that shard again`);
      writeFileSync(`${d}/report.json`, '{"version": 1, "specs": []}');
      refused([`${d}/report.json`], `${d}/report.json: not a shard report (no 'smpcheckBlob' field); give the files written by --reporter blob=FILE`);
      refused([`${d}/none.json`], `${d}/none.json: cannot read this shard report (ENOENT); give the files written by 'smpcheck check --shard i/N --reporter blob=FILE'`);
    });
  });

  it('reports the specs an interrupted shard never got to as INCOMPLETE (interrupted), never PASS, exit 1', () => {
    const dir = tempDir();
    const blobs = shards(dir, 2);
    const b = json(blobs[1]!);
    const dropped = b.results.pop().result.name;
    writeFileSync(blobs[1]!, JSON.stringify(b));
    const r = merge(dir, blobs);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`smpcheck: ${blobs[1]} (shard 2/2) was interrupted: 1 spec not checked, reported INCOMPLETE (interrupted)\n`);
    const spec = json(`${dir}/merged.json`).specs.find((s: any) => s.name === dropped);
    expect([spec.verdict, spec.cut, spec.stopped]).toEqual(['INCOMPLETE', ['interrupted'], `${blobs[1]} (shard 2/2) ended before it checked this spec`]);
  }, 60_000);
});
