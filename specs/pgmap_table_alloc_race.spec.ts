import { spec } from '../src/index.ts';
import { pgmapTableAllocRace } from '../models/pgmap_table_alloc_race.ts';

/** M6: two cores allocate and publish the same page-table page (MODELS.md, M6). */
export default [
  spec({
    name: 'pgmap_table_alloc_race/U',
    description: 'upstream, no lock: the second table publication overwrites the first',
    model: pgmapTableAllocRace,
    params: { variant: 'U' },
    expect: { fail: 'I-visible' },
  }),
  spec({
    name: 'pgmap_table_alloc_race/LW',
    description: 'lock only around the publication: check-then-act across the lock',
    model: pgmapTableAllocRace,
    params: { variant: 'LW' },
    expect: { fail: 'I-visible' },
  }),
  spec({
    name: 'pgmap_table_alloc_race/L',
    description: 'PT held across the whole pg_page_mapx',
    model: pgmapTableAllocRace,
    params: { variant: 'L' },
    expect: 'pass',
  }),
  spec({
    name: 'pgmap_table_alloc_race/Draft-walk',
    description: 'draft 718a8d7b: PT held for the walk, dropped only around mapx',
    model: pgmapTableAllocRace,
    params: { variant: 'Draft-walk' },
    expect: 'pass',
  }),
  spec({
    name: 'pgmap_table_alloc_race/Split',
    description: 'draft pg_page_split drops PT around its recursive map; both split, one table is lost',
    model: pgmapTableAllocRace,
    params: { variant: 'Split' },
    expect: { fail: 'I-visible' },
  }),
  spec({
    name: 'pgmap_table_alloc_race/Linux',
    description: 'pmd_install: allocate outside the lock, publish if still empty, loser frees',
    model: pgmapTableAllocRace,
    params: { variant: 'Linux' },
    expect: 'pass',
  }),
];

/** Larger configurations: how far exhaustive checking reaches (README, The model catalogue). */
export const larger = [
  spec({
    name: 'pgmap_table_alloc_race/L/3cores',
    description: 'PT held across pg_page_mapx, three cores',
    model: pgmapTableAllocRace,
    params: { variant: 'L', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgmap_table_alloc_race/Draft-walk/3cores',
    description: 'draft walk lock, three cores',
    model: pgmapTableAllocRace,
    params: { variant: 'Draft-walk', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgmap_table_alloc_race/Linux/3cores',
    description: 'pmd_install, three cores: up to two losers free their tables',
    model: pgmapTableAllocRace,
    params: { variant: 'Linux', cores: 3 },
    expect: 'pass',
  }),
  spec({
    name: 'pgmap_table_alloc_race/Linux/4cores',
    description: 'pmd_install, four cores: up to three losers free their tables',
    model: pgmapTableAllocRace,
    params: { variant: 'Linux', cores: 4 },
    expect: 'pass',
  }),
];
