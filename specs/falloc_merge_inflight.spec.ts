import { spec } from '../src/index.ts';
import { fallocMergeInflight } from '../models/falloc_merge_inflight.ts';

/** M3: buddy merge versus an in-flight "any" allocation and the draft's group lock (MODELS.md, M3). */
export default [
  spec({
    name: 'falloc_merge_inflight/U',
    description: 'no group lock: the merge takes a popped, unmarked frame for free',
    model: fallocMergeInflight,
    params: { variant: 'U' },
    expect: { fail: 'I-unlink-member' },
  }),
  spec({
    name: 'falloc_merge_inflight/D1',
    description: 'draft, case-1 free: zone->lock unlocked again by a non-holder',
    model: fallocMergeInflight,
    params: { variant: 'D1' },
    expect: { fail: 'I-lockowner' },
  }),
  spec({
    name: 'falloc_merge_inflight/D1/2ops',
    description: 'draft, two operations each: the extra unlock lets two cores into zone->lock',
    model: fallocMergeInflight,
    params: { variant: 'D1', ops: 2 },
    expect: { fail: 'I-mutex(Z)' },
  }),
  spec({
    name: 'falloc_merge_inflight/D2',
    description: 'draft, partial free: zone->lock held while waiting for n_allocs == 0',
    model: fallocMergeInflight,
    params: { variant: 'D2' },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'falloc_merge_inflight/F1',
    description: 'one allocator spinlock (Linux zone->lock)',
    model: fallocMergeInflight,
    params: { variant: 'F1' },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_merge_inflight/F2',
    description: 'rwlock: allocations read with pop and mark under FLk, frees write',
    model: fallocMergeInflight,
    params: { variant: 'F2' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'falloc_merge_inflight/F1/2ops',
    description: 'one allocator spinlock; two allocations against two frees',
    model: fallocMergeInflight,
    params: { variant: 'F1', ops: 2 },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_merge_inflight/F2/2ops',
    description: 'rwlock fix; two allocations against two frees',
    model: fallocMergeInflight,
    params: { variant: 'F2', ops: 2 },
    expect: 'pass',
  }),
];
