import type { State } from '../model/program.ts';
import type { Hash2 } from './fingerprint.ts';
import type { StateStore } from './state-store.ts';

/**
 * The visited-state set shared by the threads of one split search (split-search.ts): 64-bit
 * fingerprints in an open-addressing table with linear probing over a SharedArrayBuffer, with
 * atomic insertion, so that every state is claimed, and so explored, by exactly one thread.
 *
 * A slot is four 32-bit words: its status (EMPTY, WRITING, READY), lanes a and b, and the sleep
 * mask. A thread claims an empty slot by compare-and-swap of the status to WRITING, writes the
 * lanes and the mask, then sets READY; a thread that finds a slot being written waits for READY
 * before comparing. A revisit intersects the stored mask with Atomics.and, which also returns
 * the mask stored before: DESIGN §4a's revisit rule (explore Z \ Z', store Z ∩ Z') in one step.
 *
 * The table does not grow under the threads' feet: once it is half full, `full` is raised and
 * the threads stop at their next tick while one of them copies it into a table twice the size
 * (split-search.ts, resize). The count of stored states lives in `counts[SIZE]`.
 */
export const SIZE = 0;
export const RESIZE = 1;

const WORDS = 4;
const EMPTY = 0;
const READY = 1;
const WRITING = 2;

export class SharedFingerprintStore implements StateStore {
  readonly exact = false;
  private slots!: Int32Array;
  private cap = 0;

  /** `counts`: the shared words SIZE (states stored) and RESIZE (raised at half load). */
  constructor(
    buffer: SharedArrayBuffer,
    private readonly counts: Int32Array,
  ) {
    this.adopt(buffer);
  }

  /** A table of `capacity` slots (a power of two), empty. */
  static allocate(capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(capacity * WORDS * 4);
  }

  /** Uses `buffer` from now on (after a resize by another thread, or this one). */
  adopt(buffer: SharedArrayBuffer): void {
    this.slots = new Int32Array(buffer);
    this.cap = this.slots.length / WORDS;
  }

  get buffer(): SharedArrayBuffer {
    return this.slots.buffer as SharedArrayBuffer;
  }

  get capacity(): number {
    return this.cap;
  }

  get size(): number {
    return Atomics.load(this.counts, SIZE);
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  visit(fp: Hash2, _state: State, mask: number): number {
    const a = fp.a | 0;
    // (0, 0) is stored as (0, 1), as FingerprintStore does, so that its entries copy over as they are.
    return this.insert(a, a === 0 && (fp.b | 0) === 0 ? 1 : fp.b | 0, mask | 0);
  }

  private insert(a: number, b: number, mask: number): number {
    const s = this.slots;
    const m = this.cap - 1;
    let i = a & m;
    for (;;) {
      const j = i * WORDS;
      let status = Atomics.load(s, j);
      if (status === EMPTY) {
        status = Atomics.compareExchange(s, j, EMPTY, WRITING);
        if (status === EMPTY) {
          s[j + 1] = a;
          s[j + 2] = b;
          s[j + 3] = mask;
          Atomics.store(s, j, READY);
          const n = Atomics.add(this.counts, SIZE, 1) + 1;
          if (n * 2 > this.cap) Atomics.store(this.counts, RESIZE, 1);
          if (n * 8 > this.cap * 7) throw new Error('internal: the shared state table is full (a resize did not happen in time)');
          return -1;
        }
      }
      while (status === WRITING) status = Atomics.load(s, j); // its claimer is writing the lanes
      if (s[j + 1] === a && s[j + 2] === b) return Atomics.and(s, j + 3, mask) >>> 0;
      i = (i + 1) & m;
    }
  }

  /**
   * Copies every entry into a new table of twice the capacity; only while no other thread
   * touches the table (split-search.ts parks them first).
   */
  grown(): SharedArrayBuffer {
    const old = this.slots;
    const buffer = SharedFingerprintStore.allocate(this.cap * 2);
    const s = new Int32Array(buffer);
    const m = this.cap * 2 - 1;
    for (let k = 0; k < old.length; k += WORDS) {
      if (old[k] === EMPTY) continue;
      let i = old[k + 1]! & m;
      while (s[i * WORDS] !== EMPTY) i = (i + 1) & m;
      const j = i * WORDS;
      s[j] = READY;
      s[j + 1] = old[k + 1]!;
      s[j + 2] = old[k + 2]!;
      s[j + 3] = old[k + 3]!;
    }
    return buffer;
  }

  /** Copies the entries of a fingerprint store (the search before other threads joined). */
  fill(entries: Iterable<[number, number, number]>): void {
    for (const [a, b, mask] of entries) {
      if (this.insert(a | 0, b | 0, mask | 0) !== -1) throw new Error('internal: a fingerprint store held one state twice');
    }
    Atomics.store(this.counts, RESIZE, 0);
  }

  /** TLC's estimate: n(n−1)/2 pairs, each colliding with probability 2^−64. */
  collisionProbability(): number {
    const n = this.size;
    return Math.min(1, (n * (n - 1)) / 2 / 2 ** 64);
  }
}
