import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir, NOT_REACH } from '../support/cli.ts';
import { tool } from '../support/tools.ts';

const xmllint = tool('xmllint', 'libxml2-utils');

describe.runIf(xmllint.run)('the junit reporter', () => {
  const dir = tempDir();
  const file = join(dir, 'out', 'junit.xml');
  // Expected verdicts, an unexpected FAIL and a model ERROR, from three spec files.
  const r = cli(['check', 'specs/falloc_pop.spec.ts', 'test/fixtures/unexpected', 'test/fixtures/model-error', '--engine', 'naive', '-t', NOT_REACH, '--reporter', `junit=${file}`, '--reporter', 'text']);
  const xml = readFileSync(file, 'utf8');

  it('runs with xmllint available', () => {
    expect(xmllint.available, xmllint.missing).toBe(true);
  });

  it.each(['JUnit.xsd', 'jenkins-junit.xsd'])('validates against %s with xmllint', (xsd) => {
    const v = spawnSync('xmllint', ['--noout', '--schema', join(ROOT, 'test/schemas', xsd), file], { encoding: 'utf8' });
    expect(v.stderr.trim(), v.stderr).toBe(`${file} validates`);
    expect(v.status).toBe(0);
  });

  it('has one testsuite per spec file and one testcase per spec', () => {
    expect(r.code).toBe(2); // the model error
    expect(r.out).toContain('✗ falloc_pop/lock-dropped'); // text still on stdout
    const suites = [...xml.matchAll(/<testsuite name="([^"]+)"[^>]* tests="(\d+)" failures="(\d+)" errors="(\d+)"/g)].map((m) => m.slice(1));
    expect(suites).toEqual([
      ['specs/falloc_pop.spec.ts', '6', '0', '0'],
      ['test/fixtures/unexpected/falloc_unlocked.spec.ts', '1', '1', '0'],
      ['test/fixtures/model-error/throws.spec.ts', '1', '0', '1'],
    ]);
    expect(xml.match(/<testcase /g)).toHaveLength(8);
  });

  it('fails unexpected verdicts with the rendered trace, and errors model errors', () => {
    const failure = /<testcase name="falloc_pop\/lock-dropped"[^>]*>\s*<failure message="expected pass, got FAIL I-count" type="FAIL">([\s\S]*?)<\/failure>/.exec(xml);
    expect(failure).not.toBeNull();
    expect(failure![1]).toContain('final property I-count is false when every thread has finished');
    expect(failure![1]).toContain('bfa_do_alloc_any.A6_store_free');
    expect(failure![1]).toContain('Replay: smpcheck replay');
    expect(xml).toMatch(/<testcase name="throws"[^>]*>\s*<error message="expected pass, got ERROR" type="ERROR">[^<]*step bad\.oops threw/);
    expect(xml).toMatch(/<testcase name="falloc_pop\/U" classname="specs\.falloc_pop" time="[\d.]+"\/>/);
  });

  it('records engine, bounds and counts as properties', () => {
    expect(xml).toContain('<property name="engine" value="naive"/>');
    expect(xml).toMatch(/<property name="falloc_pop\/L: bounds" value="maxDepth=2000 maxExecutions=Infinity timeMs=Infinity maxStates=Infinity maxMemoryMB=\d+"\/>/);
    expect(xml).toContain('<property name="falloc_pop/L: states" value="124"/>');
    expect(xml).toContain('<property name="falloc_pop/L: executions" value="1630"/>');
  });
});
