import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineModel, procedure, range, thread } from '../../src/index.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep } from '../../src/model/step.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { stateKey } from '../../src/explore/state-key.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { checkSpec } from '../../src/check/run.ts';
import { spec } from '../../src/check/spec.ts';
import { fallocPop } from '../../models/falloc_pop.ts';
import { rwlockUpgrade } from '../../models/rwlock_upgrade.ts';
import { rwlockWakeupPagefault } from '../../models/rwlock_wakeup_pagefault.ts';
import { fingerprint, hashShared, hashThread } from '../../src/explore/fingerprint.ts';
import { SymmetryReduction } from '../../src/explore/symmetry.ts';
import { describeProgram, randomModel, symmetricProgramArb, type RandomProgram } from '../support/random-program.ts';

/** Every permutation of `xs`. */
function perms<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

/** The orbit of a state under every renaming of the declared groups, as its least key. */
function orbitKey(program: Program): (s: State) => string {
  const sym = program.symmetry!;
  const orders = sym.groups.reduce<number[][][]>((acc, g) => acc.flatMap((o) => perms(g).map((p) => [...o, p])), [[]]);
  return (s) => orders.map((o) => stateKey(sym.apply(s, sym.renaming(o, s.threads.length)))).sort()[0]!;
}

/** All reachable states, by brute force. */
function reachable(program: Program): State[] {
  const seen = new Map<string, State>([[stateKey(program.initial), program.initial]]);
  const todo = [program.initial];
  while (todo.length > 0) {
    const s = todo.pop()!;
    for (const t of program.threads) {
      const o = executeStep(program, s, t.tid);
      if (o.kind !== 'step') continue;
      const k = stateKey(o.state);
      if (!seen.has(k)) (seen.set(k, o.state), todo.push(o.state));
    }
  }
  return [...seen.values()];
}

function agree(prog: RandomProgram, extra: Partial<ExploreOptions>): void {
  const program = new Program(randomModel, { prog });
  fc.pre(program.symmetry !== null);
  const key = orbitKey(program);
  const opts: ExploreOptions = { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true, terminalKey: key };
  const naive = exploreNaive(new Program(randomModel, { prog }), opts);
  const sym = exploreStateful(program, { ...opts, ...extra });
  const ctx = `program:\n${describeProgram(prog)}\nnaive: ${JSON.stringify(naive.stats)}\nsymmetric: ${JSON.stringify(sym.stats)}`;
  expect(sym.error === undefined, `${ctx}\n${sym.error?.error.message}`).toBe(naive.error === undefined);
  if (naive.error !== undefined) return;
  expect(sym.stats.symmetry, ctx).toBe(true);
  expect(sym.cut, ctx).toEqual(naive.cut.filter((c) => c !== 'cycle'));
  expect(new Set(sym.violations.map((v) => v.property)), ctx).toEqual(new Set(naive.violations.map((v) => v.property)));
  expect(sym.terminals, ctx).toEqual(naive.terminals);
  expect(sym.deadlockStates, ctx).toEqual(naive.deadlockStates);
  // One stored state per orbit: every state of an orbit has the same representative.
  const orbits = new Set(reachable(program).map(key)).size;
  expect(sym.stats.states!, ctx).toBe(orbits);
}

describe('symmetry reduction agrees with the naive explorer on random programs with interchangeable threads', () => {
  it.each([
    ['fingerprints and sleep sets', {}],
    ['exact keys', { exactStates: true }],
    ['no sleep sets', { sleepSets: false }],
  ] as const)('%s: same violations, terminal and deadlocked states up to renaming; one stored state per orbit', (_, extra) => {
    fc.assert(fc.property(symmetricProgramArb(), (p) => agree(p, extra)), { numRuns: 80, seed: 4242, maxSkipsPerRun: 100 });
  });

  it('also with cycles', () => {
    fc.assert(fc.property(symmetricProgramArb({ cycles: true }), (p) => agree(p, {})), { numRuns: 80, seed: 4243, maxSkipsPerRun: 100 });
  });
});

/** Every renaming of the program's groups. */
function renamings(program: Program, n: number) {
  const sym = program.symmetry!;
  return sym.groups.reduce<number[][][]>((acc, g) => acc.flatMap((o) => perms(g).map((p) => [...o, p])), [[]]).map((o) => sym.renaming(o, n));
}

/** The reduction's fingerprint of `state` renamed by each renaming, against a full hash of the renamed state built. */
function sameRenamedFingerprints(program: Program, red: SymmetryReduction, state: State): void {
  const shared = hashShared(program.locs, state.shared);
  const stacks = state.threads.map((f) => hashThread(f));
  const concrete = fingerprint(program.locs, state);
  for (const r of renamings(program, state.threads.length)) {
    // Twice: the second answer comes from the memo tables.
    for (let i = 0; i < 2; i++) expect(red.fingerprint(state, r, concrete, shared, stacks)).toEqual(fingerprint(program.locs, program.symmetry!.apply(state, r)));
  }
}

describe("a renamed state's fingerprint is computed without building it, and equals the full hash of the built one", () => {
  it('on every reachable state of random programs with interchangeable threads, under every renaming', () => {
    fc.assert(
      fc.property(symmetricProgramArb(), (prog) => {
        const program = new Program(randomModel, { prog });
        fc.pre(program.symmetry !== null);
        const red = new SymmetryReduction(program, program.symmetry!);
        for (const s of reachable(program)) sameRenamedFingerprints(program, red, s);
      }),
      { numRuns: 30, seed: 777, maxSkipsPerRun: 100 },
    );
  });

  it('on random walks of M4 (thread-id locals, prefixed page names, wait queues) and M5 (locks, thread pages)', () => {
    const programs = [
      new Program(rwlockWakeupPagefault, { variant: 'V2', readers: 3 }),
      new Program(rwlockUpgrade, { variant: '5c-fix', faults: [15, 35, 15, 35] }),
    ];
    let seed = 12345;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    let checked = 0;
    for (const program of programs) {
      expect(program.symmetry).not.toBeNull();
      const red = new SymmetryReduction(program, program.symmetry!);
      for (let walk = 0; walk < 30; walk++) {
        let state = program.initial;
        for (let depth = 0; depth < 200; depth++) {
          sameRenamedFingerprints(program, red, state);
          checked++;
          const next = program.threads.map((t) => executeStep(program, state, t.tid)).filter((o) => o.kind === 'step');
          if (next.length === 0) break;
          const o = next[rand(next.length)]!;
          if (o.kind === 'step') state = o.state;
        }
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});

describe('symmetry on the catalogue', () => {
  it('M1 with interchangeable cores stores one state per orbit: fewer states, the same verdicts', () => {
    for (const variant of ['L', 'U', 'L-TAS'] as const) {
      const s = spec({ name: `m1/${variant}`, model: fallocPop, params: { variant, cores: 3, ops: ['alloc', 'free'] }, expect: variant === 'L' ? 'pass' : { fail: 'I-own' } });
      const plain = checkSpec(s, { engine: 'naive' });
      const sym = checkSpec(s, { engine: 'stateful' });
      expect([sym.verdict, sym.ok]).toEqual([plain.verdict, true]);
      if (variant === 'L') {
        expect(plain.stats.states).toBe(17975);
        expect(sym.stats.states).toBe(3104);
      }
    }
  });

  it('M5 with faults at the same address renames threads, locks, wait queues and thread pages, with the same verdicts', () => {
    const s = spec({ name: 'm5', model: rwlockUpgrade, params: { variant: '5c-fix', faults: [15, 35, 15, 35] }, expect: 'pass' });
    const plain = checkSpec(s, { engine: 'stateful', symmetry: false });
    const sym = checkSpec(s, { engine: 'stateful' });
    expect([plain.verdict, plain.stats.states, plain.stats.symmetry]).toEqual(['PASS', 50551, false]);
    expect([sym.verdict, sym.stats.states, sym.stats.symmetry]).toEqual(['PASS', 15168, true]);
    const bug = spec({ name: 'm5/5c', model: rwlockUpgrade, params: { variant: '5c', faults: [15, 15] }, expect: { fail: 'I-uaf' } });
    expect(checkSpec(bug, { engine: 'stateful' }).verdict).toBe('FAIL');
  });

  it('a counterexample found under symmetry is a concrete schedule that replays', () => {
    const s = spec({ name: 'm1/U', model: fallocPop, params: { variant: 'U', cores: 3 }, expect: { fail: 'I-own' } });
    const r = checkSpec(s, { engine: 'stateful', minimize: false });
    const program = r.program!;
    let state = program.initial;
    for (const tid of r.violation!.schedule) {
      const o = executeStep(program, state, tid);
      expect(o.kind).toBe('step');
      if (o.kind === 'step') state = o.state;
    }
    expect(program.invariants.find((i) => i.name === 'I-own')!.fn(state.shared, program.params)).toBe(false);
  });
});

describe('a symmetry declaration is checked, not trusted', () => {
  const worker = procedure<{ irq_on: boolean[]; locks: Record<string, number> }>('worker', {
    off: (s, t) => { s.irq_on[t.core] = false; },
    take: (s, t) => { t.await(s.locks.L === 0); s.locks.L = t.tid + 1; },
    drop: (s) => { s.locks.L = 0; },
    on: (s, t) => { s.irq_on[t.core] = true; },
  });
  const base = {
    name: 'sym',
    params: { n: 3 },
    shared: ({ n }: { n: number }) => ({ irq_on: range(n).map(() => true), locks: { L: 0 } }),
    threads: ({ n }: { n: number }) => range(n).map((c) => thread(`C${c}`, worker)),
  };
  const declared = { keys: ['irq_on.#core'], values: [{ path: 'locks.*', offset: 1 }] };

  it('passes when every place that holds an id is declared', () => {
    const m = defineModel({ ...base, symmetry: ({ n }) => ({ threads: [range(n)], ...declared }) });
    const r = checkSpec(spec({ name: 'ok', model: m, expect: 'pass' }), { engine: 'stateful' });
    expect(r.verdict).toBe('PASS');
    expect(r.stats.symmetry).toBe(true);
  });

  it('a lock word left undeclared is a model error naming the step', () => {
    const m = defineModel({ ...base, symmetry: ({ n }) => ({ threads: [range(n)], keys: ['irq_on.#core'] }) });
    const r = checkSpec(spec({ name: 'undeclared', model: m, expect: 'pass' }), { engine: 'stateful' });
    expect(r.verdict).toBe('ERROR');
    expect(r.error!.message).toMatch(/^model 'sym': threads C1 and C0 are declared interchangeable \(symmetry\), but step worker\.\w+ of C\d does not do what it does for C\d with the ids renamed$/);
  });

  it('an invariant that names one core of a symmetric group is a model error', () => {
    const m = defineModel({ ...base, invariants: { 'C0-irq': (s) => s.irq_on[0]! }, symmetry: ({ n }) => ({ threads: [range(n)], ...declared }) });
    const r = checkSpec(spec({ name: 'names-c0', model: m, expect: { fail: 'C0-irq' } }), { engine: 'stateful' });
    expect(r.verdict).toBe('ERROR');
    expect(r.error!.message).toBe("model 'sym': invariant 'C0-irq' tells threads C1 and C0 apart, but the model declares them interchangeable (symmetry)");
  });

  it('an id held only deep in the search is found there, not only in the first states', () => {
    // Two counters run a shared count up to 1,500; past 1,000 each step leaves its thread id in
    // `last`. The first 200 states never show it; the check on one state in 1,024 does.
    const count = procedure<{ n: number; last: number }, unknown, Record<string, never>>('count', {
      step: (s, t) => {
        if (s.n >= 1500) return;
        s.n += 1;
        if (s.n > 1000) s.last = t.tid;
        t.goto('step');
      },
    });
    const deep = (values: { path: string }[]) => defineModel({
      name: 'deep', params: {}, shared: () => ({ n: 0, last: -1 }), threads: () => [thread('C0', count), thread('C1', count)],
      symmetry: () => ({ threads: [['C0', 'C1']], values }),
    });
    const wrong = checkSpec(spec({ name: 'deep/undeclared', model: deep([]), expect: 'pass' }), { engine: 'stateful' });
    expect(wrong.verdict).toBe('ERROR');
    expect(wrong.error!.message).toMatch(/^model 'deep': threads C1 and C0 are declared interchangeable \(symmetry\), but step count\.step of C\d does not do what it does for C\d with the ids renamed$/);
    const right = checkSpec(spec({ name: 'deep/declared', model: deep([{ path: 'last' }]), expect: 'pass' }), { engine: 'stateful' });
    expect(right.verdict).toBe('PASS');
  });

  it('a local holding a name made of a prefix and a thread id is declared as { name, prefix }', () => {
    // `set` takes a ticket (a shared step), so the local stays in the frame while the other thread runs.
    const named = procedure<{ pages: Record<string, boolean>; tickets: number }, unknown, { page: string }>('named', {
      set: (s, t) => { t.page = `t${t.tid}`; s.tickets += 1; },
      use: (s, t) => { s.pages[t.page] = true; },
    });
    const model = (locals: ({ name: string; prefix: string } | string)[]) => defineModel({
      name: 'named', params: {}, shared: () => ({ pages: { t0: false, t1: false }, tickets: 0 }), threads: () => [thread('C0', named), thread('C1', named)],
      symmetry: () => ({ threads: [['C0', 'C1']], keys: ['pages.t#tid'], locals }),
    });
    const without = checkSpec(spec({ name: 'named/undeclared', model: model([]), expect: 'pass' }), { engine: 'stateful' });
    expect(without.verdict).toBe('ERROR');
    expect(without.error!.message).toBe("model 'named': threads C1 and C0 are declared interchangeable (symmetry), but step named.set of C0 does not do what it does for C1 with the ids renamed");
    const declared = checkSpec(spec({ name: 'named/declared', model: model([{ name: 'page', prefix: 't' }]), expect: 'pass' }), { engine: 'stateful' });
    expect(declared.verdict).toBe('PASS');
    expect(declared.stats.states).toBeLessThan(checkSpec(spec({ name: 'named/plain', model: model([{ name: 'page', prefix: 't' }]), expect: 'pass' }), { engine: 'stateful', symmetry: false }).stats.states!);
  });

  it('threads that start differently cannot be declared interchangeable', () => {
    const m = defineModel({ ...base, threads: () => [thread('C0', worker, { x: 1 }), thread('C1', worker)], params: { n: 2 }, symmetry: () => ({ threads: [['C0', 'C1']] }) });
    expect(() => new Program(m, { n: 2 })).toThrow("model 'sym': threads C0 and C1 are declared interchangeable but start differently (procedure or arguments)");
  });
});
