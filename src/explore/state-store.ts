import type { State } from '../model/program.ts';
import type { Hash2 } from './fingerprint.ts';
import { stateKey } from './state-key.ts';

/**
 * The visited-state set of the stateful engine, behind one small interface (TLC's FPSet idea):
 * the search never knows how states are stored. Each entry keeps the sleep mask the state was
 * stored with (DESIGN §4a: on a revisit with sleep set Z' of a state stored with Z, the
 * transitions in Z \ Z' are explored and Z ∩ Z' stored).
 */
export interface StateStore {
  /**
   * Marks a state visited with sleep mask `mask`. Returns -1 when it is new (stored with
   * `mask`); else the mask it was stored with, and the stored mask becomes the intersection.
   */
  visit(fp: Hash2, state: State, mask: number): number;
  /** Distinct states stored. */
  readonly size: number;
  /** Bytes the store holds (typed arrays; estimated for the exact store). */
  readonly bytes: number;
  /** Probability that a fingerprint collision merged two distinct states (0 when exact). */
  collisionProbability(): number;
  readonly exact: boolean;
}

const EMPTY = 0;
const LOAD_NUM = 1; // grow when size > capacity × 1/2: linear probing stays short
const LOAD_DEN = 2;

/**
 * 64-bit fingerprints in an open-addressing table with linear probing, in one Uint32Array of
 * (lane a, lane b, sleep mask) triples: 12 bytes a slot, 24–48 bytes a state. A fingerprint of
 * (0, 0) is stored as (0, 1), since (0, 0) marks an empty slot.
 */
export class FingerprintStore implements StateStore {
  readonly exact = false;
  private slots: Uint32Array;
  private cap: number;
  size = 0;

  constructor(initialCapacity = 1 << 14) {
    this.cap = initialCapacity;
    this.slots = new Uint32Array(this.cap * 3);
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  visit(fp: Hash2, _state: State, mask: number): number {
    const a = fp.a;
    const b = a === EMPTY && fp.b === EMPTY ? 1 : fp.b;
    const s = this.slots;
    const m = this.cap - 1;
    let i = a & m;
    for (;;) {
      const j = i * 3;
      const sa = s[j]!;
      const sb = s[j + 1]!;
      if (sa === EMPTY && sb === EMPTY) {
        s[j] = a;
        s[j + 1] = b;
        s[j + 2] = mask;
        if (++this.size * LOAD_DEN > this.cap * LOAD_NUM) this.grow();
        return -1;
      }
      if (sa === a && sb === b) {
        const old = s[j + 2]!;
        s[j + 2] = old & mask;
        return old;
      }
      i = (i + 1) & m;
    }
  }

  private grow(): void {
    const old = this.slots;
    const oldCap = this.cap;
    this.cap *= 2;
    this.slots = new Uint32Array(this.cap * 3);
    const s = this.slots;
    const m = this.cap - 1;
    for (let k = 0; k < oldCap; k++) {
      const a = old[k * 3]!;
      const b = old[k * 3 + 1]!;
      if (a === EMPTY && b === EMPTY) continue;
      let i = a & m;
      while (s[i * 3] !== EMPTY || s[i * 3 + 1] !== EMPTY) i = (i + 1) & m;
      s[i * 3] = a;
      s[i * 3 + 1] = b;
      s[i * 3 + 2] = old[k * 3 + 2]!;
    }
  }

  /** TLC's estimate: n(n−1)/2 pairs, each colliding with probability 2^−64. */
  collisionProbability(): number {
    return Math.min(1, (this.size * (this.size - 1)) / 2 / 2 ** 64);
  }

  /** Every stored (lane a, lane b, sleep mask), for a copy into a shared store (shared-store.ts). */
  *entries(): IterableIterator<[number, number, number]> {
    const s = this.slots;
    for (let j = 0; j < s.length; j += 3) if (s[j] !== EMPTY || s[j + 1] !== EMPTY) yield [s[j]!, s[j + 1]!, s[j + 2]!];
  }
}

/** Full canonical keys (`--exact-states`): no probabilistic step, at several KB a state. */
export class ExactStore implements StateStore {
  readonly exact = true;
  private readonly map = new Map<string, number>();
  private keyChars = 0;

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.keyChars * 2 + this.map.size * 40;
  }

  visit(_fp: Hash2, state: State, mask: number): number {
    const key = stateKey(state);
    const old = this.map.get(key);
    if (old === undefined) {
      this.map.set(key, mask);
      this.keyChars += key.length;
      return -1;
    }
    this.map.set(key, old & mask);
    return old;
  }

  collisionProbability(): number {
    return 0;
  }
}
