import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { spec } from '../../src/check/spec.ts';
import { defineModel, procedure, thread } from '../../src/model/define.ts';
import type { Progress } from '../../src/explore/types.ts';
import { spin_lock, spin_unlock } from '../../models/kernel/spinlock.ts';

/**
 * Issue 9: the time budget covers the whole spec (search and minimisation), and progress comes
 * at a wall-clock cadence whatever an event costs. Every test drives an injected clock, so no
 * outcome depends on the machine's speed.
 */

type S = { x: number; locks: { L: number } };
const lockedInc = procedure<S>('locked_inc', {
  lock: (s, t) => { t.call(spin_lock, { lock: 'L' }); },
  load: (s, t) => { t.r = s.x; },
  store: (s, t) => { s.x = t.r + 1; },
  unlock: (s, t) => { t.call(spin_unlock, { lock: 'L' }); },
});
const inc = procedure<S>('inc', { load: (s, t) => { t.r = s.x; }, store: (s, t) => { s.x = t.r + 1; } });
/** n threads contending for one lock (or, unlocked, losing updates). */
const contended = defineModel({
  name: 'contended',
  params: { n: 50, locked: true },
  shared: (): S => ({ x: 0, locks: { L: 0 } }),
  threads: ({ n, locked }) => Array.from({ length: n }, (_, i) => thread(`T${i}`, locked ? lockedInc : inc)),
  invariants: { bounded: (s, p) => s.x <= p.n },
  finals: { 'no-lost-update': (s, p) => s.x === p.n },
});
const many = spec({ name: 'contended/50', model: contended, expect: 'pass' });
const ENGINES = ['auto', 'stateful', 'dpor', 'naive'];

describe('the engines read the clock on every event', () => {
  it.each(ENGINES)('%s: a budget spent after the first event cuts the search at the next one', (engine) => {
    let now = 0;
    const seen: Progress[] = [];
    const r = checkSpec(many, {
      engine,
      bounds: { timeMs: 1000 },
      clock: () => now,
      onProgress: (p) => {
        seen.push(p);
        now += 5000; // the first event took five seconds
      },
    });
    expect([r.verdict, r.cut]).toEqual(['INCOMPLETE', ['time']]);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.phase).toBe('search');
    expect(seen[0]!.elapsedMs).toBe(0); // from the very first event
    expect(r.stats.maxDepth).toBeLessThanOrEqual(1);
    expect(r.durationMs).toBe(5000);
  });

  it.each(ENGINES)('%s: consults the clock at least once per event', (engine) => {
    let reads = 0;
    const r = checkSpec(spec({ name: 'contended/3', model: contended, params: { n: 3 }, expect: 'pass' }), { engine, clock: () => reads++ });
    expect(r.verdict).toBe('PASS');
    // DPOR counts steps taken, the others every enabled step of every state entered.
    const perEvent = engine === 'dpor' ? r.stats.events : r.stats.states!;
    expect(reads).toBeGreaterThanOrEqual(perEvent);
  });
});

describe('progress at a wall-clock cadence', () => {
  it.each(ENGINES)('%s: every 200 ms of search, however slow each event is', (engine) => {
    let now = 0;
    const seen: Progress[] = [];
    // Each clock read is 60 ms later: a slow event, as with 1000 contending threads.
    checkSpec(many, { engine, bounds: { timeMs: 3000 }, clock: () => (now += 60), onProgress: (p) => seen.push(p) });
    expect(seen.length).toBeGreaterThanOrEqual(3000 / 200 / 2);
    expect(seen[0]!.elapsedMs).toBeLessThanOrEqual(200);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.elapsedMs - seen[i - 1]!.elapsedMs).toBeLessThanOrEqual(200 + 4 * 60);
  });
});

describe('minimisation is inside the time budget', () => {
  const lost = spec({ name: 'contended/lost', model: contended, params: { n: 3, locked: false }, expect: { fail: 'no-lost-update' } });

  it('reports progress as phase minimize, and shows the trace as found when the budget runs out', () => {
    let now = 0;
    const phases: string[] = [];
    const r = checkSpec(lost, {
      bounds: { timeMs: 100_000 },
      clock: () => now,
      onProgress: (p) => {
        phases.push(p.phase ?? 'search');
        if (p.phase === 'minimize') now += 200_000;
      },
    });
    expect([r.verdict, r.ok]).toEqual(['FAIL', true]);
    expect(phases).toContain('minimize');
    expect(r.minimization?.status).toBe('as-found');
    expect(r.minimization?.note).toMatch(/^minimisation ran out of the time budget after \d+ states; showing the trace as found$/);
    expect(r.violation?.schedule).toEqual(r.explore?.violations.find((v) => v.property === 'no-lost-update')?.schedule);
  });

  it('with time to spare, minimises as before', () => {
    let now = 0;
    const r = checkSpec(lost, { bounds: { timeMs: 100_000 }, clock: () => (now += 1) });
    expect(r.minimization?.status).toBe('minimal');
    expect(r.violation?.schedule.length).toBe(6); // every thread must finish for a final property
  });
});
