import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.ts';
import { unshared, untimed } from '../support/untimed.ts';

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

// The whole catalogue (specs/, about 10 s of checking per full run), split into 2, 3 and 4
// shards, each shard its own process: the merge must equal one process's JSON report, timings
// aside. `npm run test:long`; test/cli/shard.test.ts does the same on a small fixture in `npm test`.
describe.skipIf(!process.env.SMPCHECK_LONG)('the catalogue in shards', () => {
  const dir = tempDir();
  const single = cli(['check', 'specs', '--trace-dir', `${dir}/traces`, '--reporter', `json=${dir}/single.json`]);

  it('is one process: exit 0, every spec as expected', () => {
    expect(single.code).toBe(0);
    expect(json(`${dir}/single.json`).summary.failed).toBe(0);
  });

  it.each([2, 3, 4])('merged from %i shards equals the single process', (n) => {
    const blobs = Array.from({ length: n }, (_, k) => {
      const file = `${dir}/shard-${k + 1}-of-${n}.json`;
      const r = cli(['check', 'specs', '--shard', `${k + 1}/${n}`, '--reporter', `blob=${file}`]);
      expect([r.code, r.err]).toEqual([0, '']);
      return file;
    });
    const merged = cli(['merge', ...blobs, '--trace-dir', `${dir}/traces`, '--reporter', `json=${dir}/merged-${n}.json`]);
    expect([merged.code, merged.err]).toEqual([0, '']);
    // Spare workers may join a large spec's search in one run and not in another (README, CI:
    // workers and shards): what they change is left out.
    expect(unshared(untimed(json(`${dir}/merged-${n}.json`)))).toEqual(unshared(untimed(json(`${dir}/single.json`))));
  }, 600_000);
});
