import { evaluatePredicates } from '../../src/check/evaluate.ts';
import type { Program, State } from '../../src/model/program.ts';
import { executeStep, type Stepped } from '../../src/model/step.ts';
import { Dependence, type EventInfo } from '../../src/explore/dependence.ts';
import { stateKey } from '../../src/explore/state-key.ts';

/**
 * The oracle of the oracle: lists every interleaving one by one (no memo, no reduction) and
 * computes each complete execution's lexicographic normal form directly from its events. Only
 * for small programs; the naive explorer must agree with it exactly.
 */
export interface BruteForce {
  executions: number;
  traces: number;
  deadlocks: number;
  deadlockTraces: number;
  terminals: Set<string>;
  deadlockStates: Set<string>;
  violated: Set<string>;
  witnesses: Set<string>;
}

/** Lexicographic normal form: repeatedly emit the lowest thread among events with no pending dependency. */
export function normalForm(events: readonly EventInfo[], dep: Dependence): string {
  const n = events.length;
  const preds: number[][] = events.map(() => []);
  for (let j = 0; j < n; j++) for (let i = 0; i < j; i++) if (dep.dependent(events[i]!, events[j]!)) preds[j]!.push(i);
  const done = new Array<boolean>(n).fill(false);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let j = 0; j < n; j++) {
      if (done[j] || !preds[j]!.every((i) => done[i])) continue;
      if (best === -1 || events[j]!.tid < events[best]!.tid) best = j;
    }
    done[best] = true;
    out.push(events[best]!.tid);
  }
  return out.join(',');
}

export function bruteForce(program: Program, limit = 200_000): BruteForce {
  const r: BruteForce = {
    executions: 0, traces: 0, deadlocks: 0, deadlockTraces: 0,
    terminals: new Set(), deadlockStates: new Set(), violated: new Set(), witnesses: new Set(),
  };
  const runs: { events: EventInfo[]; deadlock: boolean }[] = [];
  const observed = new Set<import('../../src/model/location.ts').Loc>();
  const visit = (state: State, events: { tid: number; rec: Stepped['rec'] }[]) => {
    const reads: import('../../src/model/location.ts').Loc[] = [];
    for (const v of evaluatePredicates(program, state.shared, program.invariants, 'invariant', reads)) r.violated.add(v);
    for (const w of evaluatePredicates(program, state.shared, program.witnesses, 'witness', reads)) r.witnesses.add(w);
    reads.forEach((l) => observed.add(l));
    let any = false;
    let allDone = true;
    for (let tid = 0; tid < program.threads.length; tid++) {
      const o = executeStep(program, state, tid);
      if (o.kind !== 'done') allDone = false;
      if (o.kind !== 'step') continue;
      any = true;
      for (const f of o.failures ?? []) r.violated.add(f.property);
      visit(o.state, [...events, { tid, rec: o.rec }]);
      if (runs.length > limit) throw new Error('brute force: too many interleavings for a test');
    }
    if (any) return;
    if (allDone) {
      r.executions++;
      r.terminals.add(stateKey(state));
      for (const v of evaluatePredicates(program, state.shared, program.finals, 'final')) r.violated.add(v);
    } else {
      r.deadlocks++;
      r.deadlockStates.add(stateKey(state));
      r.violated.add('deadlock');
    }
    runs.push({ events: events.map((e) => ({ tid: e.tid, fp: e.rec, obs: false })), deadlock: !allDone });
  };
  visit(program.initial, []);
  const dep = new Dependence([...observed]);
  const complete = new Set<string>();
  const dead = new Set<string>();
  for (const run of runs) {
    const evs = run.events.map((e) => ({ ...e, obs: dep.observes(e.fp) }));
    (run.deadlock ? dead : complete).add(normalForm(evs, dep));
  }
  r.traces = complete.size;
  r.deadlockTraces = dead.size;
  return r;
}
