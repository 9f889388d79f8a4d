import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';

// The larger configurations are pinned in larger.test.ts.
const specs = (await loadCatalogue()).catalogue;

/**
 * Pinned figures of every PASS spec of the catalogue under the naive engine (stateright style): distinct states,
 * complete interleavings and Mazurkiewicz traces. A model edit that changes what a variant does
 * (a step falling through to the wrong label, a lock no longer taken) shows up here even when
 * the verdict stays PASS; a DPOR engine must explore `traces` executions.
 */
const pinned: Record<string, { states: number; executions: number; traces: number }> = {
  'bbuddy_level_locks/Vdiploma': { states: 145, executions: 54803, traces: 27 },
  'falloc_any_vs_specific/RW': { states: 33, executions: 2, traces: 2 },
  'falloc_any_vs_specific/RW/scale': { states: 75, executions: 202, traces: 20 },
  'falloc_merge_inflight/F1': { states: 57, executions: 20, traces: 2 },
  'falloc_merge_inflight/F2': { states: 63, executions: 22, traces: 2 },
  'falloc_pop/L': { states: 124, executions: 1630, traces: 10 },
  'falloc_pop/L/alloc-free': { states: 530, executions: 58034060, traces: 474 },
  'frame_refcount/9d-i': { states: 50, executions: 31, traces: 3 },
  'frame_refcount/9d-ii': { states: 100, executions: 482, traces: 14 },
  'frame_refcount/9e-fix': { states: 70, executions: 78, traces: 3 },
  'pgattr_uniform/8a-L': { states: 33, executions: 2, traces: 2 },
  'pgattr_uniform/8b-fix': { states: 57, executions: 19, traces: 3 },
  'pgattr_uniform/8c-fix': { states: 28, executions: 12, traces: 3 },
  'pgfault_leaf_race/Whole': { states: 82, executions: 356, traces: 16 },
  'pgfault_leaf_race/Linux': { states: 188, executions: 24142, traces: 16 },
  'pgfault_leaf_race/Advise-linux': { states: 142, executions: 13020, traces: 8 },
  'pgmap_table_alloc_race/L': { states: 24, executions: 2, traces: 2 },
  'pgmap_table_alloc_race/Draft-walk': { states: 43, executions: 6, traces: 6 },
  'pgmap_table_alloc_race/Linux': { states: 377, executions: 28790, traces: 30 },
  'rwlock_upgrade/5a-spin': { states: 80, executions: 21, traces: 21 },
  'rwlock_upgrade/5a-fix': { states: 244, executions: 8490, traces: 19 },
  'rwlock_upgrade/5b-fix': { states: 642, executions: 240044, traces: 168 },
  'rwlock_upgrade/5c-fix': { states: 91, executions: 143, traces: 8 },
  'rwlock_wakeup_pagefault/V2': { states: 397, executions: 206288384, traces: 113 },
  'rwlock_wakeup_pagefault/V4': { states: 474, executions: 292608829596, traces: 24 },
  'rwlock_wakeup_pagefault/V5': { states: 595, executions: 4259453696217, traces: 25 },
};

describe('the PASS specs explore what they explored', () => {
  it('pins every PASS spec', () => {
    expect(Object.keys(pinned).sort()).toEqual(specs.filter((s) => s.expect === 'pass').map((s) => s.name).sort());
  });

  it.each(Object.entries(pinned))('%s', (name, want) => {
    const r = checkSpec(specs.find((s) => s.name === name)!, { engine: 'naive' });
    expect({ states: r.stats.states, executions: r.stats.executions, traces: r.stats.traces }).toEqual(want);
  });
});
