import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Program, type State } from '../../src/model/program.ts';
import { exploreDpor } from '../../src/explore/dpor.ts';
import { exploreNaive } from '../../src/explore/naive.ts';
import { exploreStateful } from '../../src/explore/stateful.ts';
import { canonical } from '../../src/explore/state-key.ts';
import { resolveBounds, type ExploreOptions } from '../../src/explore/types.ts';
import { checkSpec } from '../../src/index.ts';
import { counterexampleOf } from '../../src/report/counterexample.ts';
import { parseTrace, traceOf } from '../../src/report/trace-file.ts';
import { reproduce } from '../../src/check/reproduce.ts';
import { describeProgram, programArb, randomModel, type RandomProgram } from '../support/random-program.ts';
import forkJoin from '../../examples/modelling/fork-join.spec.ts';

/** A state with its threads by name: thread ids of spawned threads are numbered in the order a search first met them. */
const byName = (p: Program) => (s: State) => canonical({ shared: s.shared, threads: Object.fromEntries(s.threads.map((f, tid) => [p.threadName(tid), f])) });

function agree(prog: RandomProgram): void {
  const run = (engine: typeof exploreNaive, extra: Partial<ExploreOptions> = {}) => {
    const p = new Program(randomModel, { prog });
    const r = engine(p, { bounds: resolveBounds({ maxDepth: 500 }), deadlockIsViolation: true, stopOn: () => false, collectTerminals: true, terminalKey: byName(p), ...extra });
    return { r, names: p.threads.map((t) => t.name) };
  };
  const naive = run(exploreNaive);
  fc.pre((naive.r.stats.traces ?? 0) + naive.r.stats.deadlocks <= 3000);
  const ctx = `program:\n${describeProgram(prog)}\nnaive: ${JSON.stringify(naive.r.stats)}`;
  for (const [name, other] of [['stateful', run(exploreStateful, { symmetry: false })], ['dpor', run(exploreDpor)]] as const) {
    const c = `${ctx}\n${name}: ${JSON.stringify(other.r.stats)}`;
    expect(other.r.error, c).toBeUndefined();
    expect(new Set(other.names), c).toEqual(new Set(naive.names));
    expect(new Set(other.r.violations.map((v) => v.property)), c).toEqual(new Set(naive.r.violations.map((v) => v.property)));
    expect(other.r.terminals, c).toEqual(naive.r.terminals);
    expect(other.r.deadlockStates, c).toEqual(naive.r.deadlockStates);
    if (name === 'stateful') expect(other.r.stats.states, c).toBe(naive.r.stats.states);
    if (name === 'dpor') expect(other.r.stats.executions, c).toBe(naive.r.stats.traces);
  }
}

describe('threads that start and join threads (t.spawn, t.join)', () => {
  it('the three engines agree on random programs that spawn and join', () => {
    fc.assert(fc.property(programArb({ spawns: true, threads: [1, 3] }), agree), { numRuns: Number(process.env.SMPCHECK_DIFF_RUNS ?? 300), seed: 20261203, maxSkipsPerRun: 10 });
  });

  it('fork/join: joins order the workers before the read; names are parent/proc<k>; counts pinned', () => {
    const [all, early] = forkJoin;
    for (const engine of ['naive', 'stateful', 'dpor']) {
      expect(checkSpec(all!, { engine }).verdict, engine).toBe('PASS');
      expect(checkSpec(early!, { engine }).violation?.property, engine).toBe('joined-all');
    }
    const r = checkSpec(all!, { engine: 'dpor' });
    expect(r.stats.executions).toBe(6); // the three fetch-adds in every order; nothing else races
    expect(r.program!.threads.map((t) => t.name)).toEqual(['main', 'main/worker0', 'main/worker1', 'main/worker2']);
    expect(checkSpec(all!, { engine: 'stateful' }).stats.states).toBe(17);
  });

  it('a counterexample through spawned threads names them, and its trace replays on a fresh program', () => {
    const [, early] = forkJoin;
    const r = checkSpec(early!);
    const cx = counterexampleOf(r)!;
    expect(cx.story.steps.map((s) => `${s.thread}:${s.proc}.${s.label}`)).toEqual([
      'main:main.fork', 'main:main.fork', 'main:main.fork', 'main/worker0:worker.add', 'main/worker1:worker.add', 'main:main.join', 'main:main.read', 'main/worker2:worker.add',
    ]);
    const trace = parseTrace(JSON.stringify(traceOf(r, cx, '/tmp/fj.json')), 'fj.json');
    const fresh = new Program(early!.model, { ...early!.model.params, ...early!.params });
    expect(fresh.threads).toHaveLength(1);
    expect(reproduce(fresh, { target: trace.violation, schedule: trace.schedule, steps: trace.steps }).kind).toBe('reproduced');
  });
});
