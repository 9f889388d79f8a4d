import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { main } from '../../src/cli/main.ts';
import { writeTraces } from '../../src/cli/traces.ts';
import { counterexampleOf } from '../../src/report/counterexample.ts';
import { renderStory } from '../../src/report/text.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';
import { cli, ROOT, tempDir } from '../support/cli.ts';

/** Runs the CLI in-process (same module instances as the test), capturing its output. */
async function smpcheck(...args: string[]) {
  let out = '';
  let err = '';
  const code = await main(['node', 'smpcheck', ...args], { out: (s) => (out += s), err: (s) => (err += s), isTTY: false });
  return { code, out, err };
}

// The catalogue's sizes: the larger configurations would add half a minute of DPOR search here.
const catalogue = (await loadCatalogue()).catalogue;

describe('smpcheck replay reproduces every catalogue counterexample', () => {
  const failing = catalogue.map((s) => checkSpec(s)).filter((r) => r.verdict === 'FAIL');
  const dir = tempDir();
  const traces = writeTraces(failing, dir);

  it('finds the counterexample of every spec in specs/ that expects a violation', () => {
    expect(failing.map((r) => r.name)).toEqual(catalogue.filter((s) => s.expect !== 'pass').map((s) => s.name));
  });

  it.each(failing.map((r) => [r.name, r] as const))('%s: same story, exit 0', async (_, r) => {
    const file = traces.get(r)!;
    const trace = JSON.parse(readFileSync(file, 'utf8'));
    expect(trace).toMatchObject({ smpcheckTrace: 1, spec: { name: r.name }, model: r.spec.model.name, params: r.params, violation: { property: r.violation!.property, kind: r.violation!.kind } });
    expect(trace.schedule).toHaveLength(r.violation!.schedule.length);
    const res = await smpcheck('replay', file);
    expect(res.err).toBe('');
    expect(res.code).toBe(0);
    const story = renderStory(counterexampleOf(r)!, { cwd: process.cwd() }).filter((l) => !/^\s+minimised:|^\s+minimal:/.test(l)).join('\n');
    expect(res.out).toContain(story);
    expect(res.out).toContain(`✓ reproduced: ${counterexampleOf(r)!.summary}`);
  });
});

describe('smpcheck replay of an edited model', () => {
  /** A copy of the tutorial spec in a folder of its own, its trace recorded by smpcheck check. */
  function recorded() {
    const dir = tempDir('smpcheck-edit-');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const source = readFileSync(join(ROOT, 'examples/refcount.spec.ts'), 'utf8').replace("from 'smpcheck'", `from '${join(ROOT, 'src/index.ts')}'`);
    const spec = join(dir, 'refcount.spec.ts');
    writeFileSync(spec, source);
    const r = cli(['check', 'refcount.spec.ts', '--trace-dir', 'traces'], { cwd: dir });
    expect(r.code).toBe(1);
    const trace = /Replay: smpcheck replay (\S+)/.exec(r.out)![1]!;
    const edit = (from: string, to: string) => writeFileSync(spec, source.replace(from, to));
    return { dir, trace, edit, replay: () => cli(['replay', trace], { cwd: dir }) };
  }

  it('reproduces while the model is unchanged', () => {
    const t = recorded();
    const r = t.replay();
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('✓ reproduced: final property no-lost-get is false when every thread has finished');
  });

  it('says at which step and why when a step was added', () => {
    const t = recorded();
    t.edit('store: (s, t) => {', 'check: (s, t) => { t.seen = s.ref; },\n  store: (s, t) => {');
    const r = t.replay();
    expect(r.code).toBe(1);
    expect(r.out).toContain('the trace no longer applies at step 3: expected C1 to run refcount_get.store, but its next step is refcount_get.check');
    expect(r.out).toContain('✗ not reproduced');
    expect(r.out).not.toContain('final property no-lost-get is false'); // no wrong story
    // The steps that still apply are shown.
    expect(r.out).toMatch(/\n\s+2\*?\s+refcount_get\.load/);
  });

  it('says so when a thread was renamed', () => {
    const t = recorded();
    t.edit("thread('C1', get)", "thread('CPU1', get)");
    const r = t.replay();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/the trace no longer applies at step \d: the model has no thread named 'C1' \(its threads: C0, CPU1\)/);
  });

  it('says so when every step still runs but the property now holds (the bug was fixed)', () => {
    const t = recorded();
    t.edit("finals: { 'no-lost-get': (s) => s.ref === 3 }", "finals: { 'no-lost-get': (s) => s.ref >= 2 }");
    const r = t.replay();
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ every step replays as recorded, but no-lost-get is no longer violated at the end: it holds, or not every thread has finished');
  });

  it('refuses a nondeterministic step (exit 2)', () => {
    const t = recorded();
    t.edit('s.ref = t.old + 1;', 's.ref = t.old + Math.random();');
    const r = t.replay();
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/the trace no longer applies at step 3: step refcount_get\.store of thread C1 is not deterministic: run twice from the same state it wrote ref = [\d.]+, then ref = [\d.]+; steps must be functions of the state \(no Math\.random, Date\.now, or outside variables\)/);
    expect(r.out).toContain('✗ cannot replay: step 3 is not deterministic');
  });

  it('explains in one line (exit 2) a trace it cannot use', () => {
    const t = recorded();
    const bad = (name: string, text: string) => {
      writeFileSync(join(t.dir, name), text);
      return cli(['replay', name], { cwd: t.dir });
    };
    expect(bad('a.json', '{ nope')).toMatchObject({ code: 2, out: '' });
    expect(bad('a.json', '{ nope').err).toMatch(/^smpcheck: a\.json: not a JSON file \(.*\); give a trace written by 'smpcheck check' \(in \.smpcheck\/traces\/ by default\)\n$/);
    expect(bad('b.json', '{"smpcheckTrace": 9}').err).toBe("smpcheck: b.json: trace version 9 is not supported (this smpcheck reads version 1); run 'smpcheck check' again to write a new trace\n");
    const trace = JSON.parse(readFileSync(join(t.dir, t.trace), 'utf8'));
    expect(bad('c.json', JSON.stringify({ ...trace, steps: [] })).err).toBe("smpcheck: c.json: damaged trace: schedule has 4 entries but steps has 0; run 'smpcheck check' again to write a new trace\n");
    expect(bad('traces/d.json', JSON.stringify({ ...trace, spec: { ...trace.spec, name: 'gone' } })).err).toBe("smpcheck: traces/d.json: refcount.spec.ts has no spec named 'gone' any more; run 'smpcheck check' to record a new trace\n");
    copyFileSync(join(t.dir, t.trace), join(t.dir, 'elsewhere.json')); // the spec path is relative to the trace
    expect(cli(['replay', 'elsewhere.json'], { cwd: t.dir }).err).toMatch(/^smpcheck: elsewhere\.json: the spec file it was recorded from, \S+refcount\.spec\.ts, does not exist; restore it or run 'smpcheck check' to record a new trace\n$/);
    expect(cli(['replay', 'missing.json'], { cwd: t.dir })).toMatchObject({ code: 2, err: "smpcheck: missing.json: no such trace file; 'smpcheck check' writes one per failing spec in .smpcheck/traces/\n" });
  });

  it('writes trace files atomically, one per spec, replaced on each run', () => {
    const t = recorded();
    const again = cli(['check', 'refcount.spec.ts', '--trace-dir', 'traces'], { cwd: t.dir });
    expect(again.out).toContain(`Replay: smpcheck replay ${t.trace}`);
    const files = readFileSync(join(t.dir, t.trace), 'utf8');
    expect(JSON.parse(files).spec).toEqual({ name: 'refcount/get', file: '../refcount.spec.ts' });
  });
});
