import fc from 'fast-check';
import { defineModel, procedure, range, thread } from '../../src/index.ts';

/**
 * Random concurrent programs for differential tests (naive vs brute force, DPOR vs naive).
 * Each thread runs a list of instructions, one atomic step each; data lives in `s.m.x[i]`
 * (nested, so prefix paths and container reads are exercised) and lock words in `s.locks`.
 */
export type Instr =
  | { op: 'read'; loc: number; reg: number }
  | { op: 'write'; loc: number; val: number }
  | { op: 'writeReg'; loc: number; reg: number }
  | { op: 'fadd'; loc: number; reg: number }
  | { op: 'cas'; loc: number; expect: number; desired: number; reg: number }
  | { op: 'lock'; lock: number }
  | { op: 'unlock'; lock: number }
  | { op: 'await'; loc: number; val: number; eq: boolean }
  | { op: 'branch'; reg: number; val: number; skip: number }
  | { op: 'readBranch'; loc: number; val: number; other: number }
  | { op: 'assert'; loc: number; not: number; prop: string }
  | { op: 'sum'; reg: number }
  /** This thread's own slot `s.own[tid]` (symmetry: a container indexed by thread id). */
  | { op: 'own'; reg: number }
  /** Jumps `by` instructions back when the register holds `val`: programs with cycles. */
  | { op: 'back'; reg: number; val: number; by: number }
  /** reg := t.choose among 0 .. n-1 (a second choice in the same step when `twice`). */
  | { op: 'choose'; reg: number; n: number; twice: boolean }
  /** x[loc] := a chosen value among 0 .. n-1 (a shared write whose value is chosen). */
  | { op: 'chooseWrite'; loc: number; n: number }
  /** t.assume(x[loc] !== val). */
  | { op: 'assume'; loc: number; val: number }
  /** Starts a thread running `kids[kid]` (its id in local `child`). */
  | { op: 'spawn'; kid: number }
  /** Joins the thread started last, if any. */
  | { op: 'join' };

export interface RandomProgram {
  locs: number;
  locks: number;
  threads: Instr[][];
  /** Code of the threads `spawn` starts (they do not spawn). */
  kids?: Instr[][];
  /** Invariant "inv": not (x[a] == va and x[b] == vb). */
  invariant: { a: number; va: number; b: number; vb: number } | null;
  /** The witnesses read the state (else they read nothing and never hold: no extra dependence for DPOR). */
  watch?: boolean;
}

export function instrArb(locs: number, locks: number, back = false, own = false, choices = false): fc.Arbitrary<Instr> {
  const loc = fc.nat({ max: locs - 1 });
  const reg = fc.nat({ max: 1 });
  const val = fc.nat({ max: 2 });
  const opts: fc.Arbitrary<Instr>[] = [
    fc.record({ op: fc.constant('read' as const), loc, reg }),
    fc.record({ op: fc.constant('write' as const), loc, val }),
    fc.record({ op: fc.constant('writeReg' as const), loc, reg }),
    fc.record({ op: fc.constant('fadd' as const), loc, reg }),
    fc.record({ op: fc.constant('cas' as const), loc, expect: val, desired: val, reg }),
    fc.record({ op: fc.constant('await' as const), loc, val, eq: fc.boolean() }),
    fc.record({ op: fc.constant('branch' as const), reg, val, skip: fc.integer({ min: 1, max: 2 }) }),
    fc.record({ op: fc.constant('readBranch' as const), loc, val, other: loc }),
    fc.record({ op: fc.constant('assert' as const), loc, not: val, prop: fc.constantFrom('A1', 'A2') }),
    fc.record({ op: fc.constant('sum' as const), reg }),
  ];
  if (own) opts.push(fc.record({ op: fc.constant('own' as const), reg }));
  if (choices) {
    const n = fc.integer({ min: 1, max: 3 });
    opts.push(
      fc.record({ op: fc.constant('choose' as const), reg, n, twice: fc.boolean() }),
      fc.record({ op: fc.constant('chooseWrite' as const), loc, n }),
      fc.record({ op: fc.constant('assume' as const), loc, val }),
    );
  }
  if (back) opts.push(fc.record({ op: fc.constant('back' as const), reg, val, by: fc.integer({ min: 1, max: 3 }) }));
  if (locks > 0) {
    const lock = fc.nat({ max: locks - 1 });
    opts.push(fc.record({ op: fc.constant('lock' as const), lock }), fc.record({ op: fc.constant('unlock' as const), lock }));
  }
  return fc.oneof(...opts);
}

export function programArb(o: { threads?: [number, number]; steps?: number; locs?: [number, number]; cycles?: boolean; choices?: boolean; spawns?: boolean } = {}): fc.Arbitrary<RandomProgram> {
  const [tmin, tmax] = o.threads ?? [2, 4];
  const [lmin, lmax] = o.locs ?? [1, 4];
  return fc
    .record({ locs: fc.integer({ min: lmin, max: lmax }), locks: fc.integer({ min: 0, max: 1 }), n: fc.integer({ min: tmin, max: tmax }) })
    .chain(({ locs, locks, n }) =>
      fc.record({
        locs: fc.constant(locs),
        locks: fc.constant(locks),
        threads: o.spawns
          ? fc.array(fc.array(fc.oneof({ arbitrary: instrArb(locs, locks, false, false, o.choices ?? false), weight: 3 }, fc.record({ op: fc.constant('spawn' as const), kid: fc.nat({ max: 1 }) }), fc.constant({ op: 'join' as const })), { minLength: 1, maxLength: o.steps ?? 5 }), { minLength: n, maxLength: n })
          : fc.array(fc.array(instrArb(locs, locks, o.cycles ?? false, false, o.choices ?? false), { minLength: 1, maxLength: o.steps ?? 6 }), { minLength: n, maxLength: n }),
        ...(o.spawns ? { kids: fc.array(fc.array(instrArb(locs, locks), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 2 }) } : {}),
        invariant: fc.option(
          fc.record({ a: fc.nat({ max: locs - 1 }), va: fc.integer({ min: 1, max: 2 }), b: fc.nat({ max: locs - 1 }), vb: fc.integer({ min: 1, max: 2 }) }),
          { freq: 3 },
        ),
      }),
    );
}

type Shared = { m: { x: number[] }; locks: number[]; own: number[] };

const exec = procedure<Shared, { prog: RandomProgram }>('exec', {
  step: (s, t, p) => {
    const code = t.kid === undefined ? p.prog.threads[t.tid]! : p.prog.kids![t.kid]!;
    const ins = code[t.pc]!;
    let next = t.pc + 1;
    switch (ins.op) {
      case 'read': t[`r${ins.reg}`] = s.m.x[ins.loc]; break;
      case 'write': s.m.x[ins.loc] = ins.val; break;
      case 'writeReg': s.m.x[ins.loc] = (t[`r${ins.reg}`] ?? 0) % 3; break;
      case 'fadd': t[`r${ins.reg}`] = s.m.x[ins.loc]; s.m.x[ins.loc] = (s.m.x[ins.loc]! + 1) % 3; break;
      case 'cas':
        if (s.m.x[ins.loc] === ins.expect) { s.m.x[ins.loc] = ins.desired; t[`r${ins.reg}`] = 1; }
        else t[`r${ins.reg}`] = 0;
        break;
      case 'lock': t.await(s.locks[ins.lock] === 0, 'lock held'); s.locks[ins.lock] = t.tid + 1; break;
      case 'unlock': s.locks[ins.lock] = 0; break;
      case 'await': t.await(ins.eq ? s.m.x[ins.loc] === ins.val : s.m.x[ins.loc] !== ins.val, 'await'); break;
      case 'branch': if ((t[`r${ins.reg}`] ?? 0) === ins.val) next += ins.skip; break;
      case 'readBranch': if (s.m.x[ins.loc] === ins.val) t.r0 = s.m.x[ins.other]; break;
      case 'assert': t.assert(s.m.x[ins.loc] !== ins.not, ins.prop); break;
      case 'sum': t[`r${ins.reg}`] = s.m.x.reduce((a, b) => a + b, 0) % 3; break;
      case 'own': t[`r${ins.reg}`] = s.own[t.tid]; s.own[t.tid] = (s.own[t.tid]! + 1) % 3; s.m.x[0] = (s.m.x[0]! + s.own[t.tid]!) % 3; break;
      case 'back': if ((t[`r${ins.reg}`] ?? 0) === ins.val) next = Math.max(0, t.pc - ins.by); break;
      case 'choose': {
        const values = range(ins.n);
        t[`r${ins.reg}`] = ins.twice ? (t.choose('a', values) + t.choose('b', values.slice(0, 2))) % 3 : t.choose('a', values);
        break;
      }
      case 'chooseWrite': s.m.x[ins.loc] = t.choose('w', range(ins.n)); break;
      case 'assume': t.assume(s.m.x[ins.loc] !== ins.val, 'assume'); break;
      case 'spawn': t.child = t.spawn(exec, { pc: 0, kid: ins.kid }); break;
      case 'join': if (t.child !== undefined) t.join(t.child); break;
    }
    t.pc = next;
    if (next < code.length) t.goto('step');
  },
});

export const randomModel = defineModel({
  name: 'random',
  params: { prog: { locs: 1, locks: 0, threads: [[{ op: 'read', loc: 0, reg: 0 }]], invariant: null } as RandomProgram },
  shared: ({ prog }): Shared => ({ m: { x: range(prog.locs).map(() => 0) }, locks: range(prog.locks).map(() => 0), own: prog.threads.map(() => 0) }),
  threads: ({ prog }) => prog.threads.map((_, i) => thread(`T${i}`, exec, { pc: 0 })),
  // For data-race detection: lock words and x[0] are accessed atomically, the rest plainly.
  atomics: ['locks', 'm.x.0'],
  // Threads with the same code are interchangeable: a lock word holds tid + 1, own[] is per thread.
  symmetry: ({ prog }) => (prog.kids ? undefined : { threads: codeGroups(prog), values: [{ path: 'locks.*', offset: 1 }], keys: ['own.#tid'] }),
  invariants: {
    inv: (s, { prog }) => {
      const i = prog.invariant;
      return i === null || !(s.m.x[i.a] === i.va && s.m.x[i.b] === i.vb);
    },
  },
  // Witnesses reading different parts of the state, so that an engine that skips a property
  // whose reads the step did not write (stateful.ts checkState) is checked property by property.
  // Only with `watch`: they would make DPOR's random programs larger (the observation rule).
  witnesses: {
    'x0-is-2': (s, { prog }) => prog.watch === true && s.m.x[0] === 2,
    'last-is-1-unlocked': (s, { prog }) => prog.watch === true && s.m.x[prog.locs - 1] === 1 && s.locks.every((l) => l === 0),
  },
});

/** Groups of threads that run the same code. */
export function codeGroups(prog: RandomProgram): number[][] {
  const by = new Map<string, number[]>();
  prog.threads.forEach((code, tid) => {
    const k = JSON.stringify(code);
    by.set(k, [...(by.get(k) ?? []), tid]);
  });
  return [...by.values()].filter((g) => g.length > 1);
}

/**
 * Programs whose threads come in groups running the same code (symmetry tests): `groups`
 * distinct codes, each run by 1–3 threads.
 */
export function symmetricProgramArb(o: { steps?: number; cycles?: boolean } = {}): fc.Arbitrary<RandomProgram> {
  return fc
    .record({ locs: fc.integer({ min: 1, max: 3 }), locks: fc.integer({ min: 0, max: 1 }), sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }) })
    .filter(({ sizes }) => sizes.reduce((a, b) => a + b, 0) >= 2 && sizes.reduce((a, b) => a + b, 0) <= 4)
    .chain(({ locs, locks, sizes }) =>
      fc.record({
        locs: fc.constant(locs),
        locks: fc.constant(locks),
        threads: fc.tuple(...sizes.map((n) => fc.array(instrArb(locs, locks, o.cycles ?? false, true), { minLength: 1, maxLength: o.steps ?? 5 }).map((code) => Array.from({ length: n }, () => code)))).map((gs) => gs.flat()),
        invariant: fc.option(
          fc.record({ a: fc.nat({ max: locs - 1 }), va: fc.integer({ min: 1, max: 2 }), b: fc.nat({ max: locs - 1 }), vb: fc.integer({ min: 1, max: 2 }) }),
          { freq: 3 },
        ),
      }),
    );
}

/** A readable listing of a random program, printed when a differential test fails. */
export function describeProgram(p: RandomProgram): string {
  const inv = p.invariant ? `invariant inv: !(x${p.invariant.a}==${p.invariant.va} && x${p.invariant.b}==${p.invariant.vb})` : 'no invariant';
  const kids = (p.kids ?? []).map((code, i) => `kid${i}: ${code.map((c) => JSON.stringify(c)).join(' ; ')}`);
  return [`locs=${p.locs} locks=${p.locks} ${inv}`, ...p.threads.map((code, i) => `T${i}: ${code.map((c) => JSON.stringify(c)).join(' ; ')}`), ...kids].join('\n');
}
