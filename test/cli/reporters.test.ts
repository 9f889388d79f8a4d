import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/cli/write-file.ts';
import { cli, tempDir } from '../support/cli.ts';

describe('--reporter NAME[=FILE]', () => {
  it('takes several reporters, each to stdout or a file, and keeps stdout clean', () => {
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/ok', 'test/fixtures/unexpected', '--reporter', 'json', '--reporter', `junit=${dir}/out/junit.xml`, '--reporter', `html=${dir}/out/report.html`, '--reporter', `text=${dir}/report.txt`]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).summary).toMatchObject({ total: 3, failed: 1 }); // nothing but the JSON
    expect(r.err).toBe('');
    expect(readFileSync(`${dir}/out/junit.xml`, 'utf8')).toMatch(/^<\?xml/);
    expect(readFileSync(`${dir}/out/report.html`, 'utf8')).toMatch(/^<!DOCTYPE html>/);
    expect(readFileSync(`${dir}/report.txt`, 'utf8')).toContain('3 specs, 2 as expected, 1 not (1 FAIL)');
    expect(readdirSync(`${dir}/out`).sort()).toEqual(['junit.xml', 'report.html']); // no temporary files left
  });

  it('refuses, in one line, two reporters that both need stdout, unknown names and shared files', () => {
    const two = cli(['check', 'test/fixtures/ok', '--reporter', 'json', '--reporter', 'text']);
    expect([two.code, two.out, two.err]).toEqual([2, '', 'smpcheck: --reporter json and --reporter text both write to stdout, and json needs it to itself; send one to a file, e.g. --reporter json=smpcheck-report.json\n']);
    const unknown = cli(['check', 'test/fixtures/ok', '--reporter', 'xml']);
    expect([unknown.code, unknown.err]).toEqual([2, 'smpcheck: --reporter xml: unknown reporter \'xml\'; choose one of text, json, junit, sarif, github, html, blob, optionally with =FILE (e.g. --reporter junit=out/junit.xml)\n']);
    const same = cli(['check', 'test/fixtures/ok', '--reporter', 'junit=a.xml', '--reporter', 'html=a.xml']);
    expect(same.code).toBe(2);
    expect(same.err).toMatch(/^smpcheck: --reporter: two reporters write to \S+a\.xml; give each its own file\n$/);
  });

  it('never leaves a half-written output file', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocker'), 'a file where a folder should be');
    const r = cli(['check', 'test/fixtures/ok', '--reporter', `junit=${dir}/blocker/junit.xml`]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^smpcheck: \S+blocker\/junit\.xml: cannot write this file \((EEXIST|ENOTDIR): a part of its path is a file, not a folder\); choose another path\n$/);
    expect(readFileSync(join(dir, 'blocker'), 'utf8')).toBe('a file where a folder should be');
    const traces = cli(['check', 'test/fixtures/unexpected', '--trace-dir', `${dir}/blocker/traces`]);
    expect([traces.code, traces.out]).toEqual([2, '']);
    // Found before any checking: a run must not end by losing its traces.
    expect(traces.err).toMatch(/^smpcheck: --trace-dir \S+blocker\/traces: cannot write traces there \((EEXIST|ENOTDIR): [^)]*\); choose another folder with --trace-dir\n$/);
    // Replacing a file is atomic: the old content until the new one is complete.
    writeFileAtomic(join(dir, 'f.txt'), 'old');
    writeFileAtomic(join(dir, 'f.txt'), 'new');
    expect(readFileSync(join(dir, 'f.txt'), 'utf8')).toBe('new');
    expect(readdirSync(dir).sort()).toEqual(['blocker', 'f.txt']);
  });
});

describe('the github reporter', () => {
  it('is chosen with text in GitHub Actions: annotations on stdout, a Markdown summary appended', () => {
    const dir = tempDir();
    const summary = join(dir, 'summary.md');
    writeFileSync(summary, '# earlier step\n');
    const r = cli(['check', 'test/fixtures/ok', 'test/fixtures/unexpected'], { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ falloc_pop/lock-dropped'); // the text table
    const ann = r.out.split('\n').filter((l) => l.startsWith('::'));
    expect(ann).toHaveLength(1);
    expect(ann[0]).toMatch(/^::error file=models\/falloc_pop\.ts,line=\d+,title=falloc_pop\/lock-dropped%3A expected pass%2C got FAIL I-count::── falloc_pop\/lock-dropped: expected pass, got FAIL I-count%0A {2}step .*%0A {2}final property I-count is false when every thread has finished%0A/);
    const md = readFileSync(summary, 'utf8');
    expect(md.startsWith('# earlier step\n## smpcheck\n')).toBe(true);
    expect(md).toContain('| ❌ | `falloc_pop/lock-dropped` | pass | FAIL I-count | ');
    expect(md).toContain('| ✅ | `counter/locked` | pass | PASS |');
    expect(md).toContain('<details><summary><code>falloc_pop/lock-dropped</code>: expected pass, got FAIL I-count</summary>');
  });

  it('prints nothing when everything is as expected, and is not chosen outside GitHub Actions', () => {
    const gh = cli(['check', 'test/fixtures/ok', '--reporter', 'github']);
    expect([gh.code, gh.out]).toEqual([0, '']);
    const plain = cli(['check', 'test/fixtures/unexpected']);
    expect(plain.out).not.toContain('::error');
    expect(existsSync(join(tempDir(), 'summary.md'))).toBe(false);
  });
});
