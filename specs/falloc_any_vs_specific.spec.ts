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
];
