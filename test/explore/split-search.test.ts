import fc from 'fast-check';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Program } from '../../src/model/program.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { exploreSplitInterleaved, splitContext } from '../../src/explore/split-search.ts';
import { explorePart, partCounts } from '../../src/explore/part-search.ts';
import { checkSpec } from '../../src/check/run.ts';
import { expectSameResult } from '../support/same-result.ts';
import { loadSpecs } from '../../src/cli/load.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { describeProgram, programArb, randomModel, symmetricProgramArb, type RandomProgram } from '../support/random-program.ts';

const RUNS = Number(process.env.SMPCHECK_DIFF_RUNS ?? 300);
const SEED = Number(process.env.SMPCHECK_DIFF_SEED ?? 20261201);

const base: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true };

/**
 * The split search, its members interleaved at random on one thread, against the naive
 * explorer, as test/explore/stateful-vs-naive.test.ts has it for one member: the same violated
 * properties (as the members found them: no re-run), terminal and deadlocked states, and exactly
 * naive's number of distinct states, whoever explored which state.
 */
function agree(prog: RandomProgram, members: number, seed: number, extra: Partial<ExploreOptions>): void {
  const naive = exploreNaive(new Program(randomModel, { prog }), { ...base, races: extra.races ?? false });
  const split = exploreSplitInterleaved(new Program(randomModel, { prog }), { symmetry: false, ...base, ...extra }, { members, seed, rerun: false });
  const ctx = `program:\n${describeProgram(prog)}\nmembers ${members}, seed ${seed}, options ${JSON.stringify(extra)}\nnaive: ${JSON.stringify(naive.stats)}\nsplit: ${JSON.stringify(split.stats)}`;
  expect(split.error === undefined, `${ctx}\n${split.error?.error.message}`).toBe(naive.error === undefined);
  if (naive.error !== undefined) return;
  expect(split.cut, ctx).toEqual(naive.cut.filter((c) => c !== 'cycle'));
  expect(new Set(split.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
  expect(split.terminals, ctx).toEqual(naive.terminals);
  expect(split.deadlockStates, ctx).toEqual(naive.deadlockStates);
  expect(split.stats.states, ctx).toBe(naive.stats.states);
  expect(split.stats.executions, ctx).toBe(naive.terminals!.size);
  expect(split.stats.deadlocks, ctx).toBe(naive.deadlockStates!.size);
  expect(split.stats.assumeBlocked, ctx).toBe(naive.stats.assumeBlocked);
}

const members = fc.integer({ min: 2, max: 4 });
const seeds = fc.integer({ min: 1, max: 2 ** 31 - 1 });

describe('a split search agrees with the naive explorer on random programs', () => {
  it('with sleep sets (the default)', () => {
    fc.assert(fc.property(programArb(), members, seeds, (p, m, s) => agree(p, m, s, {})), { numRuns: Math.ceil(RUNS / 2), seed: SEED });
  });

  it('without sleep sets', () => {
    fc.assert(fc.property(programArb(), members, seeds, (p, m, s) => agree(p, m, s, { sleepSets: false })), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 1 });
  });

  it('with cycles, choices and assumptions', () => {
    fc.assert(fc.property(programArb({ cycles: true, choices: true }), members, seeds, (p, m, s) => agree(p, m, s, {})), { numRuns: Math.ceil(RUNS / 2), seed: SEED + 2 });
  });

  it('with threads started by t.spawn and joined', () => {
    fc.assert(fc.property(programArb({ spawns: true }), members, seeds, (p, m, s) => agree(p, m, s, {})), { numRuns: Math.ceil(RUNS / 6), seed: SEED + 9 });
  });

  it('with more threads and data-race detection', () => {
    fc.assert(fc.property(programArb({ threads: [4, 5], steps: 3, locs: [1, 2] }), members, seeds, (p, m, s) => agree(p, m, s, { races: true })), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 3 });
  });
});

describe('a split search reports what the one-thread search reports', () => {
  it('the same violations, counterexamples and counts: a violation runs the search again on one thread', () => {
    fc.assert(
      fc.property(programArb({ cycles: true }), members, seeds, (prog, m, s) => {
        const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => true };
        const one = exploreStateful(new Program(randomModel, { prog }), opts);
        const split = exploreSplitInterleaved(new Program(randomModel, { prog }), opts, { members: m, seed: s });
        const ctx = `program:\n${describeProgram(prog)}\nmembers ${m}, seed ${s}`;
        expect(split.violations, ctx).toEqual(one.violations);
        expect(split.error?.schedule, ctx).toEqual(one.error?.schedule);
        expect(split.stats.states, ctx).toBe(one.stats.states);
        expect(split.stats.executions, ctx).toBe(one.stats.executions);
        expect(split.stats.deadlocks, ctx).toBe(one.stats.deadlocks);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED + 4 },
    );
  });

  it('under symmetry (threads running the same code): the one-thread counts, since an orbit has one representative', () => {
    let symmetric = 0;
    fc.assert(
      fc.property(symmetricProgramArb({ cycles: true }), members, seeds, (prog, m, s) => {
        const program = new Program(randomModel, { prog });
        fc.pre(program.symmetry !== null);
        symmetric++;
        const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false };
        const one = exploreStateful(program, opts);
        const split = exploreSplitInterleaved(new Program(randomModel, { prog }), opts, { members: m, seed: s, rerun: false });
        const ctx = `program:\n${describeProgram(prog)}\nmembers ${m}, seed ${s}\none: ${JSON.stringify(one.stats)}\nsplit: ${JSON.stringify(split.stats)}`;
        expect(split.error?.error.message, ctx).toBe(one.error?.error.message);
        expect(split.stats.symmetry, ctx).toBe(true);
        expect(new Set(split.violations.map((v) => v.property)), ctx).toEqual(new Set(one.violations.map((v) => v.property)));
        expect(split.stats.states, ctx).toBe(one.stats.states);
        expect(split.stats.executions, ctx).toBe(one.stats.executions);
        expect(split.stats.deadlocks, ctx).toBe(one.stats.deadlocks);
      }),
      { numRuns: Math.ceil(RUNS / 3), seed: SEED + 10, maxSkipsPerRun: 100 },
    );
    expect(symmetric).toBeGreaterThanOrEqual(Math.ceil(RUNS / 3));
  });
});

/**
 * A spec split across shards (`--split-spec`): the parts of every shard together against the
 * naive explorer. Without a violation, the union the merge counts (prefix plus the
 * fingerprints each part stored after the split) is exactly naive's states, end states and
 * deadlocks, and the parts' terminal states together are naive's; with one, some part is the
 * whole one-thread search, violations and counterexamples included.
 */
let unions = 0;
function partsAgree(prog: RandomProgram, total: number, prefixStates: number): void {
  const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true, symmetry: false };
  const naive = exploreNaive(new Program(randomModel, { prog }), opts);
  const ctx = (what: unknown) => `program:\n${describeProgram(prog)}\nshards ${total}, split at ${prefixStates} states\nnaive: ${JSON.stringify(naive.stats)}\n${JSON.stringify(what)}`;
  // As the parts find them (no re-run): the union against naive.
  const raw = Array.from({ length: total }, (_, index) => explorePart(new Program(randomModel, { prog }), opts, { index, total, prefixStates }, { items: 1, rerun: false }));
  expect(raw.some((p) => p.error !== undefined), ctx(raw.map((p) => p.error?.error.message))).toBe(naive.error !== undefined);
  if (naive.error !== undefined) return;
  if (!raw[0]!.part.whole) {
    unions++;
    expect(raw.every((p) => !p.part.whole), ctx('whole')).toBe(true);
    const counts = partCounts(raw.map((p) => p.part));
    const c = ctx({ counts, parts: raw.map((p) => p.stats) });
    expect(counts.states, c).toBe(naive.stats.states);
    expect(counts.terminals, c).toBe(naive.terminals!.size);
    expect(counts.deadlocks, c).toBe(naive.deadlockStates!.size);
    expect(counts.discarded, c).toBe(naive.stats.assumeBlocked ?? 0);
    expect(new Set(raw.flatMap((p) => [...p.terminals!])), c).toEqual(naive.terminals);
    expect(new Set(raw.flatMap((p) => p.violations.map((v) => v.property))), c).toEqual(new Set(naive.violations.map((v) => v.property)));
    expect([...new Set(raw.flatMap((p) => p.cut))].filter((x) => x !== 'stopped'), c).toEqual(naive.cut.filter((x) => x !== 'cycle'));
  }
  // As a shard reports them: a violation anywhere makes that part the whole one-thread search.
  const one = exploreStateful(new Program(randomModel, { prog }), opts);
  const parts = Array.from({ length: total }, (_, index) => explorePart(new Program(randomModel, { prog }), opts, { index, total, prefixStates }, { items: 1 }));
  const wholes = parts.filter((p) => p.part.whole);
  if (one.violations.length > 0) {
    expect(wholes.length, ctx('no whole part')).toBeGreaterThan(0);
    expect(wholes[0]!.violations, ctx('violations')).toEqual(one.violations);
    expect(wholes[0]!.stats, ctx('stats')).toEqual(one.stats);
  } else {
    expect(parts.flatMap((p) => p.violations), ctx('violations')).toEqual([]);
    if (wholes.length > 0) expect(wholes.length, ctx('some whole')).toBe(total); // ended before the split point: every shard alike
  }
}

describe('a spec split across shards agrees with the naive explorer on random programs', () => {
  const shards = fc.integer({ min: 2, max: 4 });
  const at = fc.integer({ min: 1, max: 8 });
  it('straight-line programs', () => {
    unions = 0;
    fc.assert(fc.property(programArb(), shards, at, (p, n, k) => partsAgree(p, n, k)), { numRuns: Math.ceil(RUNS / 2), seed: SEED + 6 });
    expect(unions).toBeGreaterThan(RUNS / 4); // most programs reach the split point
  });
  it('with cycles, choices and assumptions', () => {
    fc.assert(fc.property(programArb({ cycles: true, choices: true }), shards, at, (p, n, k) => partsAgree(p, n, k)), { numRuns: Math.ceil(RUNS / 4), seed: SEED + 7 });
  });
  it('with more threads', () => {
    fc.assert(fc.property(programArb({ threads: [4, 5], steps: 3, locs: [1, 2] }), shards, at, (p, n, k) => partsAgree(p, n, k)), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 8 });
  });
  it('under symmetry: the union of the parts is the one-thread count of orbits', () => {
    let split = 0;
    fc.assert(
      fc.property(symmetricProgramArb({ cycles: true }), shards, at, (prog, total, prefixStates) => {
        const program = new Program(randomModel, { prog });
        fc.pre(program.symmetry !== null);
        const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false };
        const one = exploreStateful(program, opts);
        const raw = Array.from({ length: total }, (_, index) => explorePart(new Program(randomModel, { prog }), opts, { index, total, prefixStates }, { items: 1, rerun: false }));
        const ctx = `program:\n${describeProgram(prog)}\nshards ${total}, split at ${prefixStates}\none: ${JSON.stringify(one.stats)}`;
        expect(raw.some((p) => p.error !== undefined), ctx).toBe(one.error !== undefined);
        if (one.error !== undefined || raw[0]!.part.whole) return;
        split++;
        const counts = partCounts(raw.map((p) => p.part));
        expect(counts.states, ctx).toBe(one.stats.states);
        expect(counts.terminals, ctx).toBe(one.stats.executions);
        expect(counts.deadlocks, ctx).toBe(one.stats.deadlocks);
        expect(new Set(raw.flatMap((p) => p.violations.map((v) => v.property))), ctx).toEqual(new Set(one.violations.map((v) => v.property)));
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: SEED + 11, maxSkipsPerRun: 100 },
    );
    expect(split).toBeGreaterThan(RUNS / 16);
  });
});

describe('a split search on threads', () => {
  const ENTRY = new URL('../../src/cli/split-entry.js', import.meta.url);
  const specOf = async (file: string, name: string) => (await loadSpecs([resolve(file)])).find((s) => s.name === name)!;
  /** Helpers join before the first thread goes on, so that every one of them takes part. */
  const threaded = (file: string, name: string, helpers: number, minStates: number) => {
    const spare = new Int32Array(new SharedArrayBuffer(4));
    spare[0] = helpers;
    return { spare, split: splitContext(spare, ENTRY, { file: resolve(file), name }, { minStates, waitForHelpers: true }) };
  };

  it.each([1, 3])('with %i helper thread(s), a complete search has the counts and coverage of one thread; the table grows under them', async (helpers) => {
    const file = 'specs/pgfault_leaf_race.spec.ts';
    const spec = await specOf(file, 'pgfault_leaf_race/Linux/4cores');
    const one = checkSpec(spec, { engine: 'stateful' });
    const { spare, split } = threaded(file, spec.name, helpers, 2000);
    const r = checkSpec(spec, { engine: 'stateful', split });
    expect(r.verdict).toBe('PASS');
    expect(r.stats.threads).toBe(1 + helpers);
    expectSameResult(r, one);
    // 121,604 states: the shared table of 65,536 slots was grown (at half load) while all ran.
    expect(r.stats.storeBytes).toBeGreaterThan(65536 * 16);
    expect(spare[0]).toBe(helpers); // the CPUs are given back
  }, 120_000);

  it('a violation found by any thread is reported as one thread finds it: the search runs again alone', async () => {
    const file = 'specs/rwlock_wakeup_pagefault.spec.ts';
    const spec = await specOf(file, 'rwlock_wakeup_pagefault/V5/2readers');
    const one = checkSpec(spec, { engine: 'stateful', exhaustive: true });
    const { split } = threaded(file, spec.name, 2, 100);
    const r = checkSpec(spec, { engine: 'stateful', exhaustive: true, split });
    expect(r.verdict).toBe('FAIL');
    expectSameResult(r, one);
    expect(r.violations).toEqual(one.violations);
    expect(r.stats).toEqual(one.stats);
  }, 120_000);

  it('a state budget shared by the threads cuts the search: INCOMPLETE', async () => {
    const spec = await specOf('specs/falloc_pop.spec.ts', 'falloc_pop/L/3cores/3ops');
    const { split } = threaded('specs/falloc_pop.spec.ts', spec.name, 1, 2000);
    const r = checkSpec(spec, { engine: 'stateful', symmetry: false, bounds: { maxStates: 20_000 }, split });
    expect(r.verdict).toBe('INCOMPLETE');
    expect(r.cut).toContain('states');
    expect(r.stats.states).toBeGreaterThan(20_000);
  }, 120_000);

  it('a search under symmetry is split too, with the one-thread counts (one representative per orbit)', async () => {
    const spec = await specOf('specs/falloc_pop.spec.ts', 'falloc_pop/L/3cores/3ops');
    const one = checkSpec(spec, { engine: 'stateful' });
    const { spare, split } = threaded('specs/falloc_pop.spec.ts', spec.name, 1, 2000);
    const r = checkSpec(spec, { engine: 'stateful', split });
    expect(r.stats.symmetry).toBe(true);
    expect(r.stats.threads).toBe(2);
    expect(r.stats.states).toBe(57770);
    expectSameResult(r, one);
    expect(spare[0]).toBe(1);
  }, 120_000);
});
