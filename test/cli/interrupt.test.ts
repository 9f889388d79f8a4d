import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { cli, cliAsync, tempDir } from '../support/cli.ts';

/** Every file under `dir`, recursively (temporary files start with a dot). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

// test/fixtures/slow: slow/quick finishes at once, slow/forever (DPOR over ~10^17 traces) never
// does. Each test waits for slow/quick's row, then signals: sized by events, not by time.
describe.each([
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const)('%s while a spec is being checked', (signal, code) => {
  it(`exits ${code}, keeping every finished result on stdout, in every report and trace`, async () => {
    const dir = tempDir();
    const run = cliAsync(['check', 'test/fixtures/slow', '--engine', 'dpor', '--trace-dir', join(dir, 'traces'), '--reporter', 'text', '--reporter', `junit=${dir}/out/r.xml`, '--reporter', `json=${dir}/out/r.json`, '--reporter', `html=${dir}/out/r.html`, '--reporter', `sarif=${dir}/out/r.sarif`]);
    onTestFinished(() => void run.child.kill('SIGKILL')); // never leave the endless search running
    await run.waitFor(/✓ slow\/quick .*\n/);
    expect(run.out).not.toContain('slow/forever'); // the row is streamed before the run ends
    run.child.kill(signal);
    const { code: exit } = await run.exited;
    expect(exit).toBe(code);
    expect(run.out).toMatch(/✓ slow\/quick\s+fail no-lost-update\s+FAIL no-lost-update/);
    expect(run.out).toMatch(/✗ slow\/forever\s+pass\s+INCOMPLETE \(interrupted\)\s+dpor\s+\d+ executions/);
    expect(run.out).toContain('── slow/forever: expected pass, got INCOMPLETE (interrupted)\n  Not finished: the run was interrupted while this spec was being checked;');
    expect(run.out).toContain('2 specs, 1 as expected, 1 not (1 INCOMPLETE)');
    expect(run.err).toBe(`smpcheck: interrupted (${signal}); the reports hold the 2 specs checked or cut short\n`);
    const json = JSON.parse(readFileSync(`${dir}/out/r.json`, 'utf8'));
    expect(json.specs.map((s: any) => [s.name, s.verdict, s.cut])).toEqual([['slow/quick', 'FAIL', []], ['slow/forever', 'INCOMPLETE', ['interrupted']]]);
    expect(json.specs[1].stopped).toBe('the run was interrupted while this spec was being checked');
    const xml = readFileSync(`${dir}/out/r.xml`, 'utf8');
    expect(xml).toMatch(/<testsuite name="test\/fixtures\/slow\/slow\.spec\.ts"[^>]* tests="2" failures="1" errors="0"/);
    expect(readFileSync(`${dir}/out/r.html`, 'utf8')).toContain('INCOMPLETE (interrupted)');
    const sarif = JSON.parse(readFileSync(`${dir}/out/r.sarif`, 'utf8'));
    expect(sarif.runs[0].invocations).toEqual([{ executionSuccessful: false }]);
    expect(sarif.runs[0].results.map((r: any) => [r.ruleId, r.properties.spec])).toEqual([['smpcheck/incomplete', 'slow/forever']]);
    expect(filesUnder(dir).sort()).toEqual(['out/r.html', 'out/r.json', 'out/r.sarif', 'out/r.xml', expect.stringMatching(/^traces\/slow_quick-[0-9a-f]{6}\.json$/)]);
  }, 120_000);
});

describe('a spec whose step never returns', () => {
  it('is stopped after its time budget and a grace, reported INCOMPLETE (time), and the next spec still runs', () => {
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/hang', '--reporter', 'text', '--reporter', `json=${dir}/r.json`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ hang\/forever\s+pass\s+INCOMPLETE \(time\)/);
    expect(r.out).toMatch(/✓ hang\/after\s+pass\s+PASS/);
    expect(r.out).toContain('Not finished: still running 1030 ms after its time budget of 300 ms (a step that never returns?); its worker was stopped');
    const json = JSON.parse(readFileSync(`${dir}/r.json`, 'utf8'));
    expect(json.specs.map((s: any) => [s.name, s.verdict, s.cut])).toEqual([['hang/forever', 'INCOMPLETE', ['time']], ['hang/after', 'PASS', []]]);
  }, 120_000);
});

describe('process.exit in a spec file', () => {
  it('while it loads: exit 2 in one line, no report written', () => {
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/exit-load', '--reporter', `junit=${dir}/r.xml`]);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'smpcheck: test/fixtures/exit-load/exit.spec.ts: spec file called process.exit(0); a spec file must not exit the process\n']);
    expect(existsSync(`${dir}/r.xml`)).toBe(false);
    expect(cli(['list', 'test/fixtures/exit-load']).code).toBe(2);
  });

  it('in a step: that spec is ERROR (exit 2), the others are checked and reported', () => {
    const dir = tempDir();
    const r = cli(['check', 'test/fixtures/exit-step', '--reporter', 'text', '--reporter', `junit=${dir}/r.xml`]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✓ exit\/fine\s+pass\s+PASS/);
    expect(r.out).toMatch(/✗ exit\/quits\s+pass\s+ERROR/);
    expect(r.out).toContain('thread T, step quits.bye threw: process.exit(0) was called; a spec must not exit the process');
    expect(readFileSync(`${dir}/r.xml`, 'utf8')).toMatch(/tests="2" failures="0" errors="1"/);
  });

  it('that ends the worker anyway: ERROR naming the spec and its file, and the next spec still runs', () => {
    const r = cli(['check', 'test/fixtures/exit-hard']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/✗ exit-hard\/quits\s+pass\s+ERROR/);
    expect(r.out).toMatch(/✓ exit-hard\/after\s+pass\s+PASS/);
    expect(r.out).toContain('spec exit-hard/quits (test/fixtures/exit-hard/exit.spec.ts) called process.exit while being checked; a spec must not exit the process');
  });
});

describe('a signal while the reports are written', () => {
  it('waits for the writes to finish: complete files, no temporary file left, exit 130', async () => {
    const dir = tempDir();
    // The row is printed when the spec's result arrives; the traces and the report (megabytes of
    // HTML: the whole state after each step) are rendered and written after it.
    const run = cliAsync(['check', 'test/fixtures/big-report', '--trace-dir', join(dir, 'traces'), '--reporter', 'text', '--reporter', `html=${dir}/r.html`, '--reporter', `json=${dir}/r.json`]);
    onTestFinished(() => void run.child.kill('SIGKILL'));
    await run.waitFor(/✓ big\/lost-update .*\n/);
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(130);
    expect(readFileSync(`${dir}/r.html`, 'utf8').endsWith('</html>\n')).toBe(true);
    expect(JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')).specs.map((s: any) => s.verdict)).toEqual(['FAIL']);
    expect(filesUnder(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(run.out).toContain('1 spec, all as expected');
    expect(run.err).toBe('smpcheck: interrupted (SIGINT) while the reports were written; they are complete\n');
  }, 120_000);
});
