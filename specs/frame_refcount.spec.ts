import { spec } from '../src/index.ts';
import { frameRefcount } from '../models/frame_refcount.ts';

/** M9: frame reference counts versus freeing a frame still mapped elsewhere (MODELS.md, M9). */
export default [
  spec({
    name: 'frame_refcount/9a',
    description: 'upstream, no refcount: unmapping A frees F while B still maps it',
    model: frameRefcount,
    params: { variant: '9a' },
    expect: { fail: 'I-free-unmapped' },
  }),
  spec({
    name: 'frame_refcount/9b-race-put',
    description: 'non-atomic put: both unmaps load 2 and store 1; F leaks',
    model: frameRefcount,
    params: { variant: '9b-race-put' },
    expect: { fail: 'I-noleak' },
  }),
  spec({
    name: 'frame_refcount/9b-race-get',
    description: 'non-atomic get against put: the get stores 2 into a freed frame',
    model: frameRefcount,
    params: { variant: '9b-race-get' },
    expect: { fail: 'I-free-unmapped' },
  }),
  spec({
    name: 'frame_refcount/9c',
    description: 'atomic get/put, unprotected lookup: the count comes back from 0',
    model: frameRefcount,
    params: { variant: '9c' },
    expect: { fail: 'I-free-unmapped' },
  }),
  spec({
    name: 'frame_refcount/9d-i',
    description: 'lookup, get and unmap, put under the page-table lock',
    model: frameRefcount,
    params: { variant: '9d-i' },
    expect: 'pass',
  }),
  spec({
    name: 'frame_refcount/9d-ii',
    description: 'GUP-fast: try-get (fails at 0), re-validate the PTE, retry',
    model: frameRefcount,
    params: { variant: '9d-ii' },
    expect: 'pass',
  }),
  spec({
    name: 'frame_refcount/9e',
    description: 'free after a local flush only: another core still reaches F through its TLB',
    model: frameRefcount,
    params: { variant: '9e' },
    expect: { fail: 'I-free-unmapped' },
  }),
  spec({
    name: 'frame_refcount/9e-fix',
    description: 'free only after the remote TLB shootdown (mmu_gather)',
    model: frameRefcount,
    params: { variant: '9e-fix' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'frame_refcount/9d-i/2sharers',
    description: 'under PT, two cores share F into their own PTEs against the unmap',
    model: frameRefcount,
    params: { variant: '9d-i', sharers: 2 },
    expect: 'pass',
  }),
  spec({
    name: 'frame_refcount/9d-ii/2sharers',
    description: 'GUP-fast try-get and re-validation, two sharers',
    model: frameRefcount,
    params: { variant: '9d-ii', sharers: 2 },
    expect: 'pass',
  }),
  spec({
    name: 'frame_refcount/9d-ii/3sharers',
    description: 'GUP-fast try-get and re-validation, three sharers',
    model: frameRefcount,
    params: { variant: '9d-ii', sharers: 3 },
    expect: 'pass',
  }),
];
