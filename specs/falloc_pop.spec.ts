import { spec } from '../src/index.ts';
import { fallocPop } from '../models/falloc_pop.ts';

/** M1: two cores pop "any frame" from a 4-frame free list (MODELS.md, M1). */
export default [
  spec({
    name: 'falloc_pop/U',
    description: 'upstream: no lock; two cores pop the same frame',
    model: fallocPop,
    params: { variant: 'U' },
    expect: { fail: 'I-own' },
  }),
  spec({
    name: 'falloc_pop/L',
    description: 'draft 41c68647: free_list_lock around pop and accounting',
    model: fallocPop,
    params: { variant: 'L' },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L-TAS',
    description: 'free_list_lock taken with a separate load and store',
    model: fallocPop,
    params: { variant: 'L-TAS' },
    expect: { fail: 'I-own' },
  }),
  spec({
    name: 'falloc_pop/L/alloc-free',
    description: 'draft lock, each core allocates then frees',
    model: fallocPop,
    params: { variant: 'L', ops: ['alloc', 'free'] },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'falloc_pop/L/3cores',
    description: 'draft lock, three cores pop',
    model: fallocPop,
    params: { variant: 'L', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L/3ops',
    description: 'draft lock, each core allocates, frees, and allocates again',
    model: fallocPop,
    params: { variant: 'L', ops: ['alloc', 'free', 'alloc'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L/3cores/2ops',
    description: 'draft lock, three cores each allocate then free',
    model: fallocPop,
    params: { variant: 'L', cores: 3, ops: ['alloc', 'free'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L/3cores/3ops',
    description: 'draft lock, three cores each allocate, free and allocate again',
    model: fallocPop,
    params: { variant: 'L', cores: 3, ops: ['alloc', 'free', 'alloc'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L/4cores/2ops',
    description: 'draft lock, four cores each allocate then free',
    model: fallocPop,
    params: { variant: 'L', cores: 4, ops: ['alloc', 'free'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_pop/L/4cores',
    description: 'draft lock, four cores pop',
    model: fallocPop,
    params: { variant: 'L', cores: 4 },
    expect: 'pass',
  }),
];
