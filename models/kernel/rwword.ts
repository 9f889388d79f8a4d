import { procedure } from '../../src/index.ts';

/**
 * An rwlock abstracted as one atomic word (MODELS.md M2: "abstract it as one rw word"):
 * 0 free, -1 a writer, k > 0 readers. Every operation is one atomic step (a CAS loop whose
 * failed iterations change nothing), except the broken writer of `RW-TAS`, which tests and sets
 * in two steps. The meeting's rwlock for the frame allocator (M2, M3-F2) and the VAS lock of
 * M8b-fix are this lock; M4/M5/M10 need the real `uk_rwlock` with its `sl` and wait queues
 * (rwlock.ts).
 *
 * Ghost: `rd` / `wr` count the threads inside as readers / writers (updated in the step that
 * changes the word), for I-excl and the W-scale witness.
 */
export interface RwWord {
  v: number;
  rd: number;
  wr: number;
}

export interface RwWordState {
  rwl: Record<string, RwWord>;
}

export function rwWords(names: readonly string[]): Record<string, RwWord> {
  return Object.fromEntries(names.map((n) => [n, { v: 0, rd: 0, wr: 0 }]));
}

export const rw_read_lock = procedure<RwWordState, unknown, { rw: string }>('rw_read_lock', {
  cas_inc: (s, t) => {
    const l = s.rwl[t.rw]!;
    t.await(l.v >= 0, `${t.rw} is write-held`);
    l.v += 1;
    l.rd += 1;
  },
});

export const rw_read_unlock = procedure<RwWordState, unknown, { rw: string }>('rw_read_unlock', {
  fetch_dec: (s, t) => {
    const l = s.rwl[t.rw]!;
    l.v -= 1;
    l.rd -= 1;
  },
});

export const rw_write_lock = procedure<RwWordState, unknown, { rw: string }>('rw_write_lock', {
  cas_set: (s, t) => {
    const l = s.rwl[t.rw]!;
    t.await(l.v === 0, `${t.rw} is held`);
    l.v = -1;
    l.wr += 1;
  },
});

/** The broken writer: `if (rw == 0)` and `rw = -1` are two steps, so a reader can enter between them. */
export const rw_write_lock_tas = procedure<RwWordState, unknown, { rw: string }>('rw_write_lock_tas', {
  test: (s, t) => { t.await(s.rwl[t.rw]!.v === 0, `${t.rw} is held`); },
  set: (s, t) => {
    const l = s.rwl[t.rw]!;
    l.v = -1;
    l.wr += 1;
  },
});

export const rw_write_unlock = procedure<RwWordState, unknown, { rw: string }>('rw_write_unlock', {
  store_zero: (s, t) => {
    const l = s.rwl[t.rw]!;
    l.v = 0;
    l.wr -= 1;
  },
});

/** I-excl: a writer inside excludes every reader and every other writer. */
export function exclusive(l: RwWord): boolean {
  return l.wr === 0 || (l.wr === 1 && l.rd === 0);
}
