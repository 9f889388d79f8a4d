import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearCoverage, coverageData, coverageOf, takeCoverage, type Coverage } from '../../src/check/coverage.ts';
import { checkSpec } from '../../src/check/run.ts';
import { spec } from '../../src/check/spec.ts';
import { loadSpecs } from '../../src/cli/load.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { defineModel, procedure, thread } from '../../src/index.ts';
import { Program } from '../../src/model/program.ts';
import { cli } from '../support/cli.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';

const FIXTURE = 'test/fixtures/coverage';
const ASK = 'is the model exercising what you think?';

describe('step coverage through the CLI', () => {
  it('warns about a step that can never run after a PASS, and coverage: all makes it VACUOUS (exit 1)', () => {
    const r = cli(['check', FIXTURE, '-q']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/✗ gate\/all\s+pass\s+VACUOUS \(core\.free never ran\)/);
    expect(r.out).toContain("  Every property held, but the spec requires coverage: 'all' and these steps never ran: core.free.");
    const dead = r.out.split('\n').filter((l) => l.startsWith('dead step'));
    expect(dead).toEqual([
      `dead step: gate/dead core.free never ran: ${ASK}`,
      `dead step: gate/parked core.free never ran: ${ASK}`,
      `dead step: gate/parked parked.wait (always blocked) never ran: ${ASK}`,
      `dead step: gate/parked parked.after never ran: ${ASK}`,
    ]);
  });

  it('lists exactly the steps and properties in the JSON report', () => {
    const r = cli(['check', FIXTURE, '-q', '--reporter', 'json']);
    const specs = JSON.parse(r.out).specs as { name: string; verdict: string; coverage: Coverage; stepsMissed?: string[] }[];
    const by = Object.fromEntries(specs.map((s) => [s.name, s]));
    expect(by['gate/dead']!.coverage).toEqual({
      steps: [{ step: 'core.check', ran: true }, { step: 'core.free', ran: false }],
      properties: [{ property: 'n-zero', kind: 'invariant', evaluated: true }],
    });
    expect(by['gate/parked']!.coverage.steps).toEqual([
      { step: 'core.check', ran: true },
      { step: 'core.free', ran: false },
      { step: 'parked.wait', ran: false, blockedOnly: true },
      { step: 'parked.after', ran: false },
    ]);
    expect([by['gate/all']!.verdict, by['gate/all']!.stepsMissed]).toEqual(['VACUOUS', ['core.free']]);
    expect(by['gate/dead']!.stepsMissed).toBeUndefined();
  });

  it('--coverage prints the table of each spec', () => {
    const r = cli(['check', FIXTURE, '-q', '-t', 'parked', '--coverage']);
    expect(r.code).toBe(0);
    expect(r.out).toContain([
      'coverage of gate/parked: 1/4 steps ran, 1/1 properties evaluated',
      '  ran:            core.check',
      '  never ran:      core.free, parked.after',
      '  only blocked:   parked.wait',
      '  evaluated:      invariant n-zero',
      '  not evaluated:  -',
    ].join('\n'));
  });

  it('the HTML report folds the same tables in', () => {
    const r = cli(['check', FIXTURE, '-q', '-t', 'dead', '--reporter', 'html']);
    expect(r.out).toContain(`<details class="coverage"><summary>Step coverage</summary><pre>dead step: gate/dead core.free never ran: ${ASK}\ncoverage of gate/dead: 1/2 steps ran, 1/1 properties evaluated\n`);
  });

  it('does not warn after a FAIL: that search stopped early', () => {
    const r = cli(['check', 'test/fixtures/ok', '-q', '-t', 'lost']);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('dead step');
  });
});

describe("spec({ coverage })", () => {
  it("takes only 'all', with a did-you-mean", async () => {
    const [s] = await loadSpecs([`${FIXTURE}/gate.spec.ts`]);
    expect(() => spec({ name: 'x', model: s!.model, expect: 'pass', coverage: 'al' as 'all' }))
      .toThrow("spec 'x': coverage must be 'all' (every step must run), got 'al' (did you mean 'all'?)");
    expect(() => spec({ name: 'x', model: s!.model, expect: 'pass', covrage: 'all' } as never))
      .toThrow("spec 'x': unknown key 'covrage' (did you mean 'coverage'?)");
  });
});

/**
 * Soundness of coverage: a complete search of any engine runs every reachable step, so the
 * steps that ran and the properties evaluated are the same whichever engine searched.
 * (Blocked-only can differ: DPOR need not try a blocked step in every state where it is blocked.)
 */
function ranAndEvaluated(c: Coverage) {
  return { ran: c.steps.filter((s) => s.ran).map((s) => s.step), properties: c.properties };
}

describe('every engine runs every reachable step', () => {
  it('on catalogue specs: naive, dpor and stateful give the same coverage', async () => {
    const specs = (await loadSpecs(['specs/falloc_pop.spec.ts', 'specs/rwlock_upgrade.spec.ts', 'specs/frame_refcount.spec.ts', `${FIXTURE}/gate.spec.ts`]))
      .filter((s) => ['falloc_pop/L', 'falloc_pop/U', 'rwlock_upgrade/5a-fix', 'frame_refcount/9d-i', 'gate/parked'].includes(s.name));
    expect(specs.length).toBe(5);
    for (const s of specs) {
      const by = ['naive', 'dpor', 'stateful'].map((engine) => checkSpec(s, { engine, exhaustive: true, minimize: false }));
      for (const r of by) expect([s.name, r.verdict === 'INCOMPLETE' || r.verdict === 'ERROR']).toEqual([s.name, false]);
      const [naive, ...others] = by.map((r) => ranAndEvaluated(r.coverage!));
      for (const o of others) expect(o, s.name).toEqual(naive);
      // The naive and stateful engines try every thread in every state: the same blocked steps too.
      expect(by[2]!.coverage, s.name).toEqual(by[0]!.coverage);
    }
    const dead = checkSpec(specs.find((s) => s.name === 'falloc_pop/L')!, { engine: 'dpor' });
    expect(dead.coverage!.steps.filter((x) => !x.ran).map((x) => x.step)).toEqual(['bfa_do_alloc_any.fail']);
  });

  // The random model has one step function (exec.step), so this checks little more than that
  // every engine runs it and evaluates the same predicates; small programs keep it cheap.
  it('on random programs', () => {
    const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: false, stopOn: () => false };
    const coverage = (engine: typeof exploreNaive, prog: RandomProgram) => {
      const program = new Program(randomModel, { prog });
      const r = engine(program, { ...opts, symmetry: false });
      return { complete: r.cut.length === 0 && r.error === undefined, coverage: coverageOf(program) };
    };
    fc.assert(fc.property(programArb({ threads: [2, 3], steps: 4, locs: [1, 3] }), (prog) => {
      const naive = coverage(exploreNaive, prog);
      if (!naive.complete) return;
      const ctx = `program:\n${describeProgram(prog)}`;
      for (const engine of [exploreDpor, exploreStateful]) {
        const other = coverage(engine, prog);
        expect(other.complete, ctx).toBe(true);
        expect(ranAndEvaluated(other.coverage), ctx).toEqual(ranAndEvaluated(naive.coverage));
      }
    }), { numRuns: 100, seed: 20261201 });
  });
});

describe('coverage taken in from another thread of a split search', () => {
  it('lists the steps of a procedure only that thread met (called in some interleavings only)', () => {
    type S = { x: number };
    const handler = procedure<S>('handler', { h1: (s) => { s.x = 2; }, h2: () => {} });
    const reader = procedure<S>('reader', { r: (s, t) => { if (s.x === 1) t.call(handler, {}); } });
    const writer = procedure<S>('writer', { w: (s) => { s.x = 1; } });
    const m = defineModel({ name: 'late-call', params: {}, shared: (): S => ({ x: 0 }), threads: () => [thread('R', reader), thread('W', writer)] });
    const there = new Program(m, {});
    exploreDpor(there, { bounds: resolveBounds({}), deadlockIsViolation: true, stopOn: () => false });
    const here = new Program(m, {});
    expect(here.procedures().map((p) => p.name)).not.toContain('handler');
    takeCoverage(here, coverageData(there));
    expect(coverageOf(here)).toEqual(coverageOf(there));
    expect(coverageOf(here).steps.map((x) => x.step)).toEqual(['handler.h1', 'handler.h2', 'reader.r', 'writer.w']);
    clearCoverage(here);
    expect(coverageOf(here).steps.map((x) => x.step)).toEqual(['reader.r', 'writer.w']);
  });
});

