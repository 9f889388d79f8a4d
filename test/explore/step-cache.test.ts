import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineModel, procedure, range, thread } from '../../src/index.ts';
import { Program, type State } from '../../src/model/program.ts';
import { executeStep, plainEqual, type Outcome } from '../../src/model/step.ts';
import { StepCache } from '../../src/explore/step-cache.ts';
import { stateKey } from '../../src/explore/state-key.ts';
import { fallocPop } from '../../models/falloc_pop.ts';
import { programArb, randomModel } from '../support/random-program.ts';

const RUNS = Number(process.env.SMPCHECK_DIFF_RUNS ?? 300);
const SEED = Number(process.env.SMPCHECK_DIFF_SEED ?? 20261201);

/** What an outcome is, for comparing a rebuilt one with a real run (frames compared by content). */
function view(o: Outcome): unknown {
  if (o.kind === 'done') return o;
  const rec = { reads: o.rec.reads.map((l) => l.path), navs: o.rec.navs.map((l) => l.path), writes: o.rec.writes.map((l) => l.path) };
  if (o.kind === 'blocked') return { kind: o.kind, tid: o.tid, proc: o.proc, label: o.label, why: o.why, rec };
  return { kind: o.kind, tid: o.tid, proc: o.proc, label: o.label, caller: o.caller, via: o.via, failures: o.failures, rec, shared: o.state.shared, threads: o.state.threads };
}

/**
 * Every reachable state of `program` (breadth first), each thread run at each: a remembered
 * outcome the cache hands out equals the step's real outcome there. Returns how many it handed out.
 */
function cacheAgrees(program: Program, cache: StepCache, limit = 4000): number {
  const seen = new Set<string>();
  const queue: State[] = [program.initial];
  let hits = 0;
  while (queue.length > 0 && seen.size < limit) {
    const state = queue.shift()!;
    const key = stateKey(state);
    if (seen.has(key)) continue;
    seen.add(key);
    for (let tid = 0; tid < program.threads.length; tid++) {
      let real: Outcome;
      try {
        real = executeStep(program, state, tid);
      } catch {
        continue; // a broken step (a local loop in a random program) is not remembered
      }
      const cached = cache.lookup(state, tid);
      if (cached === undefined) cache.store(state, tid, real);
      else {
        hits++;
        expect(plainEqual(view(cached), view(real)), `thread ${tid} at ${key}`).toBe(true);
      }
      if (real.kind === 'step') queue.push(real.state);
    }
  }
  return hits;
}

/**
 * Navigation without reading: `'k' in m`, a missing key, an array's length, a container
 * replaced by a scalar, an array by an object; and a local that holds an array. A step's
 * outcome depends on what it navigated, not only on what it read.
 */
type Bag = { bag: Record<string, unknown>; arr: number[]; box: { v: number } | number; kind: unknown[] | Record<string, unknown> };
const poke = procedure<Bag>('poke', {
  probe: (s, t) => { t.seen = 'a' in s.bag ? 1 : 0; t.isArr = Array.isArray(s.kind) ? 1 : 0; },
  toggle: (s, t) => { if (t.seen === 1) delete s.bag.a; else s.bag.a = t.tid; },
  flip: (s) => { s.kind = Array.isArray(s.kind) ? {} : []; },
  grow: (s, t) => { if (s.arr.length < 3) s.arr.push(t.tid); else s.arr.length = 1; },
  shape: (s, t) => { if (typeof s.box === 'object') s.box = t.tid; else s.box = { v: t.tid }; },
  look: (s, t) => { t.r = typeof s.box === 'object' && 'v' in s.box ? 1 : 0; t.b = s.bag.b === undefined ? 0 : 1; s.bag.b = t.tid; t.keys = Object.keys(s.bag).sort(); },
  again: (s, t) => { if (t.r === 1 && t.keys.length < 3) t.goto('probe'); else if (t.keys.length === 2) s.bag.c = t.tid; },
});
const bagModel = defineModel({
  name: 'bag',
  params: {},
  shared: (): Bag => ({ bag: {}, arr: [], box: { v: 0 }, kind: [] }),
  threads: () => range(3).map((i) => thread(`T${i}`, poke)),
});

const withCache = (p: Program, bits: number): [Program, StepCache] => [p, new StepCache(p, bits)];

describe('the step cache (step-cache.ts) hands out what the step would do', () => {
  for (const [what, bits] of [['hashed buckets', 30], ['one bucket: only the exact comparisons tell entries apart', 0]] as const) {
    it(`on random programs, ${what}`, () => {
      let hits = 0;
      fc.assert(fc.property(programArb({ cycles: true }), (prog) => {
        hits += cacheAgrees(...withCache(new Program(randomModel, { prog }), bits));
      }), { numRuns: Math.ceil(RUNS / 3), seed: SEED + 11 });
      expect(hits).toBeGreaterThan(RUNS / 3);
    });

    it(`on a model that navigates without reading, ${what}`, () => {
      expect(cacheAgrees(...withCache(new Program(bagModel, {}), bits))).toBeGreaterThan(100);
    });

    it(`on M1 (falloc_pop L, 2 cores), ${what}`, () => {
      expect(cacheAgrees(...withCache(new Program(fallocPop, { variant: 'L', cores: 2, frames: 3, ops: ['alloc', 'free'] }, { freeze: true }), bits))).toBeGreaterThan(bits === 0 ? 30 : 100);
    });
  }
});
