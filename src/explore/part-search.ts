import type { Program } from '../model/program.ts';
import type { Hash2 } from './fingerprint.ts';
import { FingerprintStore } from './state-store.ts';
import { rerunAlone } from './split-search.ts';
import { StatefulSearch, type StateRecorder } from './stateful.ts';
import type { ExploreOptions, ExploreResult } from './types.ts';

/**
 * One shard's part of a spec split across CI jobs (`--split-spec`, issue 11). Every shard runs
 * the same deterministic stateful search up to the split point (PART_PREFIX_STATES states, and
 * at least PART_ITEMS untaken transitions per shard on the stack), so every shard holds the same
 * prefix; then it keeps the untaken transitions whose position on the stack is its index modulo
 * the number of shards, and searches on from those alone (the others are another shard's, as
 * work given away in split-search.ts: nothing sleeps on them).
 *
 * Shards share no table, so a state reachable from two shards' shares is explored by both; for
 * the counts of one run, each part records the fingerprints of the states it stored after the
 * split and of its end states, and the merge counts their union (check/parts.ts). A violation or
 * a model error in any part, or a search that ends before the split point, makes that part the
 * whole one-process search (`whole`), which is what the merge then reports.
 */
export const PART_PREFIX_STATES = 20_000;
export const PART_ITEMS = 4;
/** Transitions between two looks at whether the split point is reached. */
const SLICE = 64;

export interface Part {
  /** 0-based. */
  readonly index: number;
  readonly total: number;
  /** The split point's state count (tests; default PART_PREFIX_STATES). */
  readonly prefixStates?: number;
}

/** What a part keeps for the merge: plain data (fingerprint lists as base64 of lane pairs). */
export interface PartResult extends Part {
  /** This result is the whole spec's (one-process) result, not a part. */
  readonly whole: boolean;
  /** What every shard's prefix holds: states stored, and end states by kind. */
  readonly prefix: { readonly states: number; readonly terminals: number; readonly deadlocks: number; readonly discarded: number };
  readonly states: string;
  readonly terminals: string;
  readonly deadlocks: string;
  readonly discarded: string;
}

/** A growable list of fingerprints as (a, b) lane pairs. */
class FingerprintList {
  private data = new Uint32Array(1024);
  private n = 0;

  push(fp: Hash2): void {
    if (this.n + 2 > this.data.length) {
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.n++] = fp.a;
    this.data[this.n++] = fp.b;
  }

  base64(): string {
    return Buffer.from(this.data.buffer, 0, this.n * 4).toString('base64');
  }
}

/** The fingerprints of a part's list. */
export function fingerprintsOf(base64: string): Hash2[] {
  const bytes = Buffer.from(base64, 'base64');
  const lanes = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const out: Hash2[] = [];
  for (let i = 0; i + 1 < lanes.length; i += 2) out.push({ a: lanes[i]!, b: lanes[i + 1]! });
  return out;
}

class Recorder implements StateRecorder {
  readonly states = new FingerprintList();
  readonly terminal = new FingerprintList();
  readonly deadlock = new FingerprintList();
  readonly discarded = new FingerprintList();

  stored(fp: Hash2): void {
    this.states.push(fp);
  }

  ended(kind: 'terminal' | 'deadlock' | 'discarded', fp: Hash2): void {
    (kind === 'terminal' ? this.terminal : kind === 'deadlock' ? this.deadlock : this.discarded).push(fp);
  }
}

/** A part that is the whole search: what every shard computed alike, or the one-process search. */
export function wholePart(part: Part): PartResult {
  return { index: part.index, total: part.total, whole: true, prefix: { states: 0, terminals: 0, deadlocks: 0, discarded: 0 }, states: '', terminals: '', deadlocks: '', discarded: '' };
}

/**
 * `test`: tests split at fewer untaken transitions (`items`), and with `rerun: false` keep a
 * part's violations as it found them, to compare the parts' union with the naive explorer.
 */
export function explorePart(program: Program, opts: ExploreOptions, part: Part, test: { items?: number; rerun?: boolean } = {}): ExploreResult & { part: PartResult } {
  const { split: _split, ...alone } = opts;
  const s = new StatefulSearch(program, alone);
  const whole = (r: ExploreResult) => ({ ...r, part: wholePart(part) });
  let reached = false;
  try {
    s.start();
    while (s.work(SLICE)) {
      // A violation before the split point: this is the one-process search; it goes on whole.
      if ((s.found.violations.length === 0 || test.rerun === false) && s.store.size >= (part.prefixStates ?? PART_PREFIX_STATES) && s.untaken() >= (test.items ?? PART_ITEMS) * part.total) {
        reached = true;
        break;
      }
    }
  } catch (e) {
    return whole(s.result(s.failure(e)));
  }
  // Ended before the split point: what every shard computed alike, the one-process search itself.
  if (!reached) return whole(s.result(undefined));
  const prefix = { states: s.store.size, terminals: s.terminals, deadlocks: s.deadlocks, discarded: s.assumeBlocked };
  const rec = new Recorder();
  s.partition(part.index, part.total);
  s.recorder = rec;
  try {
    while (s.work(SLICE));
  } catch {
    return whole(rerunAlone(s));
  }
  if (s.found.violations.length > 0 && test.rerun !== false) return whole(rerunAlone(s));
  const r = s.result(undefined);
  return {
    ...r,
    part: { index: part.index, total: part.total, whole: false, prefix, states: rec.states.base64(), terminals: rec.terminal.base64(), deadlocks: rec.deadlock.base64(), discarded: rec.discarded.base64() },
  };
}

/**
 * The counts of one run from the parts of every shard (none `whole`): the prefix's, plus the
 * distinct fingerprints the parts stored or ended in after the split (a union, since two shards
 * may reach one state).
 */
export function partCounts(parts: readonly PartResult[]): { states: number; terminals: number; deadlocks: number; discarded: number } {
  const union = (pick: (p: PartResult) => string) => {
    const set = new FingerprintStore();
    for (const p of parts) for (const fp of fingerprintsOf(pick(p))) set.visit(fp, null as never, 0);
    return set.size;
  };
  const pre = parts[0]!.prefix;
  return {
    states: pre.states + union((p) => p.states),
    terminals: pre.terminals + union((p) => p.terminals),
    deadlocks: pre.deadlocks + union((p) => p.deadlocks),
    discarded: pre.discarded + union((p) => p.discarded),
  };
}
