import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluatePredicates } from '../../src/check/evaluate.ts';
import { countPreemptions } from '../../src/check/minimize.ts';
import { isPreemption } from '../../src/check/preemption.ts';
import { checkSpec } from '../../src/check/run.ts';
import { expectsLiveness } from '../../src/check/search-mode.ts';
import { violates } from '../../src/check/violates.ts';
import { spec } from '../../src/check/spec.ts';
import { exploreBounded } from '../../src/explore/preemption-bounded.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { stateKey } from '../../src/explore/state-key.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { Program, type State } from '../../src/model/program.ts';
import { alternatives, executeStep, type Stepped } from '../../src/model/step.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';

const RUNS = Number(process.env.SMPCHECK_DIFF_RUNS ?? 200);
const SEED = Number(process.env.SMPCHECK_DIFF_SEED ?? 20261201);

const base: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true };
const program = (prog: RandomProgram) => new Program(randomModel, { prog });
const bounded = (prog: RandomProgram, k: number | 'auto', extra: Partial<ExploreOptions> = {}) => exploreBounded(program(prog), { ...base, preemptions: k, ...extra });

/**
 * The oracle for a bound: every schedule with at most K preemptions, one by one (no store, no
 * rounds), with the violations, end states and deadlocks they show. Only for programs without
 * cycles, and small ones.
 */
function schedulesUpTo(prog: Program, k: number, limit = 300_000) {
  const violated = new Set<string>();
  const terminals = new Set<string>();
  const deadlocks = new Set<string>();
  let runs = 0;
  const visit = (state: State, last: number | null, used: number) => {
    for (const v of evaluatePredicates(prog, state.shared, prog.invariants, 'invariant')) violated.add(v);
    const alts = prog.threads.map((t) => alternatives(prog, state, t.tid, (m) => executeStep(prog, state, m)));
    const enabled = alts.flatMap((a) => a.steps);
    if (enabled.length === 0) {
      if (++runs > limit) throw new Error('too many schedules for a test');
      if (alts.every((a) => a.done)) {
        terminals.add(stateKey(state));
        for (const v of evaluatePredicates(prog, state.shared, prog.finals, 'final')) violated.add(v);
      } else if (alts.some((a) => a.held?.assumed)) {
        // discarded (t.assume)
      } else {
        deadlocks.add(stateKey(state));
        violated.add('deadlock');
      }
      return;
    }
    const lastEnabled = last !== null && alts[last]!.steps.length > 0;
    for (const o of enabled) {
      const p = used + (isPreemption(last, o.tid, lastEnabled) ? 1 : 0);
      if (p > k) continue;
      for (const f of o.failures ?? []) violated.add(f.property);
      visit(o.state, o.tid, p);
    }
  };
  visit(prog.initial, null, 0);
  return { violated, terminals, deadlocks };
}

function replays(prog: Program, v: { property: string; kind: string; schedule: readonly number[] }): boolean {
  let state = prog.initial;
  let last: Stepped | null = null;
  for (const move of v.schedule) {
    const o = executeStep(prog, state, move);
    if (o.kind !== 'step') return false;
    last = o;
    state = o.state;
  }
  return violates(prog, v as Parameters<typeof violates>[1], last?.failures, state);
}

describe('preemption-bounded search against the naive explorer on random programs', () => {
  it('with a bound no schedule reaches (auto, or K = 50), it finds exactly what naive finds and is not cut', () => {
    fc.assert(
      fc.property(programArb({ cycles: true }), fc.constantFrom<number | 'auto'>('auto', 50), (prog, k) => {
        const naive = exploreNaive(program(prog), base);
        const b = bounded(prog, k);
        const ctx = `${describeProgram(prog)}\nK=${k}\nnaive: ${JSON.stringify(naive.stats)} ${naive.cut}\nbounded: ${JSON.stringify(b.stats)} ${b.cut}`;
        expect(b.error === undefined, ctx).toBe(naive.error === undefined);
        if (naive.error !== undefined) return;
        expect(b.cut, ctx).toEqual(naive.cut.filter((c) => c !== 'cycle'));
        expect(new Set(b.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
        expect(b.terminals, ctx).toEqual(naive.terminals);
        expect(b.deadlockStates, ctx).toEqual(naive.deadlockStates);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('with choices (t.choose), assumptions and data races: a bound no schedule reaches finds exactly what naive finds; K = 0..3 matches brute force', () => {
    fc.assert(
      fc.property(programArb({ choices: true, threads: [2, 3], steps: 4 }), fc.nat({ max: 3 }), (prog, k) => {
        const opts = { ...base, races: true };
        const naive = exploreNaive(program(prog), opts);
        const all = bounded(prog, 'auto', { races: true });
        const ctx = `${describeProgram(prog)}\nK=${k}\nnaive: ${JSON.stringify(naive.stats)}\nbounded: ${JSON.stringify(all.stats)}`;
        expect(all.error, ctx).toBeUndefined();
        expect(new Set(all.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
        expect(all.terminals, ctx).toEqual(naive.terminals);
        expect(all.deadlockStates, ctx).toEqual(naive.deadlockStates);
        const p = program(prog);
        const b = exploreBounded(p, { ...base, preemptions: k });
        const oracle = schedulesUpTo(p, k);
        expect(new Set(b.violations.map((v) => v.property)), ctx).toEqual(oracle.violated);
        expect(b.terminals, ctx).toEqual(oracle.terminals);
        for (const v of b.violations) expect(replays(p, v), `${ctx}\n${JSON.stringify(v)}`).toBe(true);
      }),
      { numRuns: RUNS, seed: SEED + 7 },
    );
  });

  it('for K = 0..3, every violation it reports replays from the initial state with at most K preemptions', () => {
    fc.assert(
      fc.property(programArb({ cycles: true }), fc.nat({ max: 3 }), (prog, k) => {
        const p = program(prog);
        const b = exploreBounded(p, { ...base, preemptions: k });
        for (const v of b.violations) {
          const ctx = `${describeProgram(prog)}\nK=${k} ${JSON.stringify(v)}`;
          expect(replays(p, v), ctx).toBe(true);
          expect(countPreemptions(p, v.schedule), ctx).toBeLessThanOrEqual(k);
        }
        // Not stopped (stopOn is never true here): every round up to K finished.
        if (b.error === undefined) expect(b.preemptions).toEqual({ bound: k, complete: k });
      }),
      { numRuns: RUNS, seed: SEED + 1 },
    );
  });

  it('for K = 0..3 it finds a violation iff some schedule with at most K preemptions shows one, and the same end states (brute force)', () => {
    fc.assert(
      fc.property(programArb({ threads: [2, 3], steps: 4 }), fc.nat({ max: 3 }), (prog, k) => {
        const p = program(prog);
        const b = exploreBounded(p, { ...base, preemptions: k });
        if (b.error !== undefined) return;
        const oracle = schedulesUpTo(p, k);
        const ctx = `${describeProgram(prog)}\nK=${k}`;
        expect(new Set(b.violations.map((v) => v.property)), ctx).toEqual(oracle.violated);
        expect(b.terminals, ctx).toEqual(oracle.terminals);
        expect(b.deadlockStates, ctx).toEqual(oracle.deadlocks);
      }),
      { numRuns: RUNS, seed: SEED + 2 },
    );
  });

  it("is not cut only when the bound changed nothing: then naive's violations and end states, whatever K", () => {
    let uncut = 0;
    let cut = 0;
    fc.assert(
      fc.property(programArb(), fc.nat({ max: 2 }), (prog, k) => {
        const b = bounded(prog, k);
        const naive = exploreNaive(program(prog), base);
        if (b.error !== undefined || naive.error !== undefined) return;
        const ctx = `${describeProgram(prog)}\nK=${k}`;
        if (b.cut.includes('preemptions')) {
          cut++;
          return;
        }
        uncut++;
        expect(new Set(b.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
        expect(b.terminals, ctx).toEqual(naive.terminals);
        expect(b.deadlockStates, ctx).toEqual(naive.deadlockStates);
      }),
      { numRuns: RUNS, seed: SEED + 3 },
    );
    // Both cases occur in the sample, so the test says something about each.
    expect(uncut).toBeGreaterThan(10);
    expect(cut).toBeGreaterThan(10);
  });

  it('exact keys and fingerprints give the same search', () => {
    fc.assert(
      fc.property(programArb(), fc.nat({ max: 2 }), (prog, k) => {
        const a = bounded(prog, k);
        const e = bounded(prog, k, { exactStates: true });
        expect(e.stats.states).toBe(a.stats.states);
        expect(e.violations).toEqual(a.violations);
        expect(e.cut).toEqual(a.cut);
      }),
      { numRuns: 100, seed: SEED + 4 },
    );
  });
});

describe('preemption-bounded verdicts', () => {
  it('a bug that needs one preemption: INCOMPLETE at K = 0 (cut preemptions, what was covered), FAIL at K = 1 with a schedule of one preemption', async () => {
    const { fallocPop } = await import('../../models/falloc_pop.ts');
    const s = spec({ name: 'falloc_pop/U', model: fallocPop, params: { variant: 'U' }, expect: { fail: 'I-own' } });
    const r0 = checkSpec(s, { preemptions: 0 });
    expect([r0.verdict, r0.engine, r0.cut]).toEqual(['INCOMPLETE', 'bounded', ['preemptions']]);
    expect(r0.search).toEqual({ preemptions: { bound: 0, complete: 0 } });
    expect(r0.engineWhy).toBe('--preemptions 0: preemption-bounded search over (state, last thread), every schedule with at most 0 preemptions, fewest first');
    const r1 = checkSpec(s, { preemptions: 1, minimize: false });
    expect([r1.verdict, r1.ok]).toEqual(['FAIL', true]);
    expect(countPreemptions(r1.program!, r1.violation!.schedule)).toBe(1);
    // auto goes round by round and stops at the first violation: the same one as K = 1.
    const ra = checkSpec(s, { preemptions: 'auto', minimize: false });
    expect(ra.violation).toEqual(r1.violation);
  });

  it('a spec can ask for it; --engine stateful still runs the exhaustive search', async () => {
    const { fallocPop } = await import('../../models/falloc_pop.ts');
    const s = spec({ name: 'p', model: fallocPop, params: { variant: 'U' }, expect: { fail: 'I-own' }, preemptions: 0 });
    expect(checkSpec(s).engine).toBe('bounded');
    expect(checkSpec(s).engineWhy).toMatch(/^spec preemptions: 0: /);
    expect(checkSpec(s, { engine: 'stateful' }).engine).toBe('stateful');
    expect(() => checkSpec(s, { engine: 'dpor', preemptions: 1 })).toThrow('--preemptions runs the bounded engine, but --engine dpor was asked for; drop one of the two');
    expect(() => spec({ name: 'q', model: fallocPop, expect: 'pass', preemptions: -1 })).toThrow("spec 'q': preemptions must be a number of preemptions (0, 1, 2, …) or 'auto', got '-1'");
    expect(() => spec({ name: 'q', model: fallocPop, expect: 'pass', preemptions: 'aut' as 'auto' })).toThrow("(did you mean 'auto'?)");
  });

  it('a PASS spec whose every schedule needs few preemptions PASSes once the bound covers them, and is INCOMPLETE below', async () => {
    const { fallocPop } = await import('../../models/falloc_pop.ts');
    const s = spec({ name: 'falloc_pop/L', model: fallocPop, params: { variant: 'L' }, expect: 'pass' });
    const low = checkSpec(s, { preemptions: 1 });
    expect([low.verdict, low.cut]).toEqual(['INCOMPLETE', ['preemptions']]);
    const all = checkSpec(s, { preemptions: 'auto' });
    expect([all.verdict, all.cut]).toEqual(['PASS', []]);
    const k = all.search!.preemptions!.complete!;
    // The rounds that ran: one per number of preemptions some node needed.
    expect(checkSpec(s, { preemptions: k }).verdict).toBe('PASS');
    expect(checkSpec(s, { preemptions: k - 1 }).verdict).toBe('INCOMPLETE');
  });
});

describe('the catalogue: every FAIL spec is found with at most 2 preemptions (issue 13 target)', async () => {
  const { catalogue, larger } = await loadCatalogue();
  // Liveness violations (lassos) need the whole state graph: not a target of a bounded search.
  const fails = [...catalogue, ...larger].filter((s) => s.expect !== 'pass' && s.preemptions === undefined && s.random === undefined && !expectsLiveness(s, new Program(s.model, { ...s.model.params, ...(s.params ?? {}) })));
  it.each(fails.map((s) => [s.name, s] as const))('%s', (_, s) => {
    const r = checkSpec(s, { preemptions: 2, minimize: false });
    expect([r.verdict, r.ok, r.engine]).toEqual(['FAIL', true, 'bounded']);
    expect(countPreemptions(r.program!, r.violation!.schedule)).toBeLessThanOrEqual(2);
  });
});

describe('threads started during a run (t.spawn)', () => {
  it('the search starts again with every thread known: PASS where the bound cut nothing, FAIL where a join is missing', async () => {
    const { default: specs } = await import('../../examples/modelling/fork-join.spec.ts');
    const [joinAll, early] = specs;
    expect([checkSpec(joinAll!, { preemptions: 'auto' }).verdict, checkSpec(early!, { preemptions: 'auto' }).verdict]).toEqual(['PASS', 'FAIL']);
    const r = checkSpec(early!, { preemptions: 0, minimize: false });
    expect([r.verdict, r.ok]).toEqual(['FAIL', true]);
  });
});

describe('steps that choose (t.choose)', () => {
  it('every alternative is a transition: the ENOMEM leak is found and the fixed probe PASSes once the bound covers every schedule', async () => {
    const { default: specs } = await import('../../examples/modelling/enomem.spec.ts');
    const [leak, fixed] = specs;
    const r = checkSpec(leak!, { preemptions: 'auto' });
    expect([r.verdict, r.violation?.property]).toEqual(['FAIL', 'no-leak']);
    expect(r.violation!.schedule.some((m) => m >= 4096)).toBe(true); // a move that picked -ENOMEM
    expect(checkSpec(fixed!, { preemptions: 'auto' }).verdict).toBe('PASS');
    expect(checkSpec(fixed!, { preemptions: 0 }).verdict).toBe('INCOMPLETE');
  });
});
