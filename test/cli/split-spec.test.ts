import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.ts';

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));
const FILE = 'specs/pgfault_leaf_race.spec.ts';
const FILTER = 'pgfault_leaf_race/(U|Linux|Linux/4cores)$';

/** What a split must not change in a spec's JSON row (the engine's reason and the order-dependent figures aside). */
const settled = (s: Record<string, unknown>) => ({
  name: s.name, verdict: s.verdict, ok: s.ok, states: s.states, executions: s.executions, deadlocks: s.deadlocks,
  violation: s.violation, violations: s.violations, coverage: s.coverage, cut: s.cut,
});

describe('--split-spec: one spec checked in parts by every shard, merged', () => {
  // pgfault_leaf_race/Linux/4cores: 121,604 states, past the split point.
  it('three shards and the merge, as separate processes, give the one-process verdicts and counts', () => {
    const dir = tempDir();
    const single = cli(['check', FILE, '-t', FILTER, '--workers', '1', '--trace-dir', `${dir}/traces`, '--reporter', `json=${dir}/single.json`]);
    expect(single.code).toBe(0);
    const blobs = [1, 2, 3].map((k) => {
      const file = `${dir}/shard-${k}.json`;
      const r = cli(['check', FILE, '-t', FILTER, '--shard', `${k}/3`, '--split-spec', 'Linux/4cores', '--reporter', `blob=${file}`, '--reporter', `json=${dir}/part-${k}.json`]);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      // Every shard checks its part of the split spec, and its own share of the others.
      const rows = json(`${dir}/part-${k}.json`).specs as Record<string, unknown>[];
      const part = rows.find((s) => s.name === 'pgfault_leaf_race/Linux/4cores')!;
      expect(part.engineWhy).toBe(`stateful; part ${k}/3 of a spec split across shards (--split-spec)`);
      return file;
    });
    const m = cli(['merge', ...blobs, '--trace-dir', `${dir}/traces`, '--reporter', `json=${dir}/merged.json`]);
    expect(m.err).toBe('');
    expect(m.code).toBe(0);
    const merged = json(`${dir}/merged.json`).specs as Record<string, unknown>[];
    const one = json(`${dir}/single.json`).specs as Record<string, unknown>[];
    expect(merged.map(settled)).toEqual(one.map(settled));
    expect(merged.find((s) => s.name === 'pgfault_leaf_race/Linux/4cores')!.engineWhy).toBe('stateful; split across 3 shards (--split-spec), their parts merged');
  }, 180_000);

  it('needs --shard, and a merge refuses shards split differently', () => {
    expect(cli(['check', FILE, '--split-spec', 'L/3cores'])).toEqual({
      code: 2,
      out: '',
      err: "smpcheck: --split-spec 'L/3cores': splits specs across the shards of a CI matrix; give --shard i/N too (each shard checks its part, smpcheck merge combines them)\n",
    });
    expect(cli(['check', FILE, '--shard', '1/2', '--split-spec', '(']).err).toMatch(/^smpcheck: --split-spec '\(': invalid regular expression: .*; escape special characters, e.g. --split-spec '\\\(' to match the text as written\n$/);
    const dir = tempDir();
    const a = `${dir}/a.json`;
    const b = `${dir}/b.json`;
    cli(['check', 'specs/falloc_pop.spec.ts', '-t', 'falloc_pop/(U|L)$', '--shard', '1/2', '--split-spec', 'falloc_pop/L$', '--reporter', `blob=${a}`]);
    cli(['check', 'specs/falloc_pop.spec.ts', '-t', 'falloc_pop/(U|L)$', '--shard', '2/2', '--reporter', `blob=${b}`]);
    const r = cli(['merge', a, b]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`smpcheck: ${b} (shard 2/2) split other specs across the shards than ${a} (shard 1/2) (--split-spec); run every shard with the same --split-spec\n`);
  }, 120_000);
});
