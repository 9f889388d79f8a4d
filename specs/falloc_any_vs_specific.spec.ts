import { spec } from '../src/index.ts';
import { fallocAnyVsSpecific } from '../models/falloc_any_vs_specific.ts';

/** M2: "any frame" allocations as readers, specific-address allocations as writers (MODELS.md, M2). */
export default [
  spec({
    name: 'falloc_any_vs_specific/Draft',
    description: 'draft 41c68647: bfa_do_alloc (specific) takes no lock; both take F0',
    model: fallocAnyVsSpecific,
    params: { variant: 'Draft' },
    expect: { fail: 'I-own' },
  }),
  spec({
    name: 'falloc_any_vs_specific/RW',
    description: 'any = reader with pop and mark under FL, specific = writer',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW' },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_any_vs_specific/RW/scale',
    description: 'two any-frame readers are inside the read lock at once (W-scale)',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW', cores: ['any', 'any'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_any_vs_specific/RW-noFL',
    description: 'readers rely on the read lock alone: the M1 race inside a shared section',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW-noFL', cores: ['any', 'any'] },
    expect: { fail: 'I-own' },
  }),
  spec({
    name: 'falloc_any_vs_specific/RW-TAS',
    description: 'the writer tests and sets the rw word in two steps; a reader gets in between',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW-TAS' },
    expect: { fail: 'I-excl' },
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'falloc_any_vs_specific/RW/3cores',
    description: 'two any-frame readers and a specific-address writer',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW', cores: ['any', 'any', 'specific'] },
    expect: 'pass',
  }),
  spec({
    name: 'falloc_any_vs_specific/RW/4cores',
    description: 'three "any" readers and one "specific" writer',
    model: fallocAnyVsSpecific,
    params: { variant: 'RW', cores: ['any', 'any', 'any', 'specific'] },
    expect: 'pass',
  }),
  // Out of exhaustive reach (README, "When exhaustive search is out of reach"): the specific
  // allocator, the last of 8 cores, must run inside the first pop's window, which depth-first
  // search reaches only after the interleavings of the other seven cores; the default engine
  // finds no violation in 150 s (25 million states), PCT in its second schedule.
  spec({
    name: 'falloc_any_vs_specific/Draft/8cores',
    description: 'draft lock, seven any-frame allocators and one specific one: PCT finds what exhaustive search does not reach in minutes',
    model: fallocAnyVsSpecific,
    params: { variant: 'Draft', cores: ['any', 'any', 'any', 'any', 'any', 'any', 'any', 'specific'], frames: 8 },
    expect: { fail: 'I-own' },
    random: { schedules: 1000, seed: 1, pctDepth: 3 },
  }),
];
