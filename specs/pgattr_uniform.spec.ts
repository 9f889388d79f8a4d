import { spec } from '../src/index.ts';
import { pgattrUniform } from '../models/pgattr_uniform.ts';

/** M8: uniform permissions after set_attr, versus set_attr, faults and remote TLBs (MODELS.md, M8). */
export default [
  spec({
    name: 'pgattr_uniform/8a-U',
    description: 'set_attr(R) and set_attr(RW) without a lock: mixed permissions',
    model: pgattrUniform,
    params: { variant: '8a-U' },
    expect: { fail: 'U1' },
  }),
  spec({
    name: 'pgattr_uniform/8a-L',
    description: 'one PT lock around the whole call, vma->attr store included',
    model: pgattrUniform,
    params: { variant: '8a-L' },
    expect: 'pass',
  }),
  spec({
    name: 'pgattr_uniform/8b',
    description: 'the fault reads vma->attr outside the big lock and installs the old attributes',
    model: pgattrUniform,
    params: { variant: '8b' },
    expect: { fail: 'U1' },
  }),
  spec({
    name: 'pgattr_uniform/8b-fix',
    description: 'VAS rwlock: set_attr writes; the fault reads from vma->attr to the PTE',
    model: pgattrUniform,
    params: { variant: '8b-fix' },
    expect: 'pass',
  }),
  spec({
    name: 'pgattr_uniform/8c',
    description: 'local invlpg only: the other core writes through its stale RW TLB entry',
    model: pgattrUniform,
    params: { variant: '8c' },
    expect: { fail: 'U2' },
  }),
  spec({
    name: 'pgattr_uniform/8c-fix',
    description: 'TLB shootdown: IPI every other core and wait for the acks (flush_tlb_mm_range)',
    model: pgattrUniform,
    params: { variant: '8c-fix' },
    expect: 'pass',
  }),
  spec({
    name: 'pgattr_uniform/8c-irqoff',
    description: 'both cores wait for shootdown acks with IRQs off',
    model: pgattrUniform,
    params: { variant: '8c-irqoff' },
    expect: { fail: 'deadlock' },
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'pgattr_uniform/8b-fix/3cores',
    description: 'VAS rwlock; two cores fault on v2 during set_attr(R)',
    model: pgattrUniform,
    params: { variant: '8b-fix', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgattr_uniform/8c-fix/3cores',
    description: 'shootdown to two cores, each with a stale RW entry (v0, v1)',
    model: pgattrUniform,
    params: { variant: '8c-fix', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgattr_uniform/8b-fix/4cores',
    description: 'VAS rwlock; three cores fault on v2 during set_attr(R)',
    model: pgattrUniform,
    params: { variant: '8b-fix', cores: 4 },
    expect: 'pass',
  }),
];
