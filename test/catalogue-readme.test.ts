import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findSpecFiles, loadSpecs } from '../src/cli/load.ts';
import { loadCatalogue } from '../specs/catalogue.ts';
import { cli } from './support/cli.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const specs = await loadSpecs(findSpecFiles([`${ROOT}specs`]));
const { larger, liveness } = await loadCatalogue();

function between(begin: string, end: string): string {
  const a = readme.indexOf(begin);
  const b = readme.indexOf(end);
  expect(a, begin).toBeGreaterThan(0);
  return readme.slice(a + begin.length, b);
}

describe('the README catalogue stays true', () => {
  it('lists every spec of specs/ once, with its size and expected verdict', () => {
    const rows = between('<!-- catalogue:begin -->', '<!-- catalogue:end -->').split('\n').filter((l) => /^\| .* \| (PASS|FAIL)/.test(l));
    let model = '';
    const listed = rows.map((r) => {
      const cells = r.split(' | ').map((c) => c.replace(/^\| ?/, '').trim());
      if (cells[0] !== '') model = cells[0]!.replace(/^(?:M\d+ )?`(.*)`$/, '$1');
      return `${model}/${cells[1]} ${cells[2] === 'catalogue' || cells[2] === 'liveness' ? cells[2] : 'larger'} ${cells[4]}`;
    });
    const want = specs.map((s) => `${s.name} ${larger.includes(s) ? 'larger' : liveness.includes(s) ? 'liveness' : 'catalogue'} ${s.expect === 'pass' ? 'PASS' : `FAIL ${s.expect.fail}`}`);
    expect(listed.sort()).toEqual(want.sort());
  });

  it('shows lines of the real M4 V1 counterexample in the seed-crash walkthrough, in order', () => {
    // The block is the CLI's output with some steps left out (`…`): every other line, the
    // swimlane rows and their wrapped changes included, is printed as shown, in this order.
    const block = between('<!-- seed-crash:begin -->', '<!-- seed-crash:end -->');
    const shown = block.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '' && !l.startsWith('```') && l.trim() !== '…');
    const r = cli(['check', 'specs/rwlock_wakeup_pagefault.spec.ts', '-t', '^rwlock_wakeup_pagefault/V1$', '--traces', 'all', '--trace-dir', '.smpcheck/traces']);
    expect(r.code).toBe(0);
    const real = r.out.split('\n').map((l) => l.trimEnd());
    expect(shown.length).toBeGreaterThan(30);
    expect(shown.filter((l) => /^\s+\d+\*?\s/.test(l)).length).toBeGreaterThan(15);
    let i = 0;
    for (const line of real) if (i < shown.length && line === shown[i]) i++;
    expect(shown.slice(i)).toEqual([]);
  });
});
