import { spec } from '../src/index.ts';
import { pgfaultLeafRace } from '../models/pgfault_leaf_race.ts';

/** M7: two cores fault on the same page; the leaf PTE check and write (MODELS.md, M7). */
export default [
  spec({
    name: 'pgfault_leaf_race/U',
    description: 'upstream, no lock: both install a frame; the first store and frame are lost',
    model: pgfaultLeafRace,
    params: { variant: 'U' },
    expect: { fail: 'I-no-overwrite' },
  }),
  spec({
    name: 'pgfault_leaf_race/Draft',
    description: 'draft 718a8d7b: PT dropped around the mapx callback',
    model: pgfaultLeafRace,
    params: { variant: 'Draft' },
    expect: { fail: 'I-no-overwrite' },
  }),
  spec({
    name: 'pgfault_leaf_race/Whole-lockingcb',
    description: 'PT held across a callback that takes PT (vmem_mapx_advise): one core self-deadlocks',
    model: pgfaultLeafRace,
    params: { variant: 'Whole-lockingcb' },
    expect: { fail: 'deadlock' },
  }),
  spec({
    name: 'pgfault_leaf_race/Whole',
    description: 'PT held across a lock-free callback: check and write in one critical section',
    model: pgfaultLeafRace,
    params: { variant: 'Whole' },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Linux',
    description: 'do_anonymous_page: allocate outside PT, re-check under PT, the loser frees',
    model: pgfaultLeafRace,
    params: { variant: 'Linux' },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Advise-draft',
    description: 'uk_vma_advise (WILLNEED) on one core, a fault on the other, draft locking',
    model: pgfaultLeafRace,
    params: { variant: 'Advise-draft' },
    expect: { fail: 'I-no-overwrite' },
  }),
  spec({
    name: 'pgfault_leaf_race/Advise-linux',
    description: 'advise versus fault with the Linux re-check',
    model: pgfaultLeafRace,
    params: { variant: 'Advise-linux' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'pgfault_leaf_race/Whole/3cores',
    description: 'whole-call PT lock, three cores fault on the same page',
    model: pgfaultLeafRace,
    params: { variant: 'Whole', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Linux/3cores',
    description: 'do_anonymous_page re-check, three cores fault on the same page',
    model: pgfaultLeafRace,
    params: { variant: 'Linux', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Advise-linux/3cores',
    description: 'advise against two faults, Linux re-check',
    model: pgfaultLeafRace,
    params: { variant: 'Advise-linux', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Linux/4cores',
    description: 'Linux-style PTE lock, four cores fault on the same page',
    model: pgfaultLeafRace,
    params: { variant: 'Linux', cores: 4 },
    expect: 'pass',
  }),
  spec({
    name: 'pgfault_leaf_race/Whole/4cores',
    description: 'whole-call PT lock, four cores fault on the same page',
    model: pgfaultLeafRace,
    params: { variant: 'Whole', cores: 4 },
    expect: 'pass',
  }),
];
