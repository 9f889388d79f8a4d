import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../src/check/run.ts';
import { findSpecFiles, loadSpecs } from '../src/cli/load.ts';
import { renderCounterexample } from '../src/report/text.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const specs = await loadSpecs(findSpecFiles([`${ROOT}specs`]));

function between(begin: string, end: string): string {
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  expect(a, begin).toBeGreaterThan(0);
  return readme.slice(a + begin.length, b);
}

/** A trace line without its step number and source column: thread, action, changes. */
function essence(line: string): string {
  return line.trim().replace(/^\d+\s+/, '').replace(/\s+models\/\S+:\d+\s*/, ' | ').replace(/\s+/g, ' ');
}

describe('the README catalogue stays true', () => {
  it('lists every spec of specs/ once, with its expected verdict', () => {
    const rows = between('<!-- catalogue:begin -->', '<!-- catalogue:end -->').split('\n').filter((l) => /^\| .* \| (PASS|FAIL)/.test(l));
    let model = '';
    const listed = rows.map((r) => {
      const cells = r.split(' | ').map((c) => c.replace(/^\| ?/, '').trim());
      if (cells[0] !== '') model = cells[0]!.replace(/^M\d+ `(.*)`$/, '$1');
      return `${model}/${cells[1]} ${cells[3]}`;
    });
    const want = specs.map((s) => `${s.name} ${s.expect === 'pass' ? 'PASS' : `FAIL ${s.expect.fail}`}`);
    expect(listed.sort()).toEqual(want.sort());
  });

  it('shows lines of the real M4 V1 counterexample in the seed-crash walkthrough', () => {
    const block = between('<!-- seed-crash:begin -->', '<!-- seed-crash:end -->');
    const shown = block.split('\n').filter((l) => /^\s+\d+\s+T\d/.test(l)).map(essence);
    const s = specs.find((x) => x.name === 'rwlock_wakeup_pagefault/V1')!;
    const real = renderCounterexample(checkSpec(s, { engine: 'naive' }), { cwd: ROOT }).split('\n').map(essence);
    expect(shown.length).toBeGreaterThan(10);
    let i = 0;
    for (const line of real) if (i < shown.length && line === shown[i]) i++;
    expect(shown.slice(i)).toEqual([]);
  });
});
