import { isPrefix, overlaps, type Loc } from './location.ts';

/**
 * What one step (or one guard evaluation) did to shared state, as recorded by the draft.
 *
 * - `reads`: values and whole containers read (`x`, `a.length`, `Object.keys(m)` reads `m`);
 *   a read conflicts with any overlapping write.
 * - `navs`: objects only navigated through or tested for existence (`'k' in m`, `s.frames[3]`
 *   followed by nothing else); a nav of P conflicts only with a write of P or of an ancestor of
 *   P, which are the only writes that can replace or remove the object.
 * - `writes`: locations stored, deleted or (for arrays) resized.
 */
export interface Footprint {
  readonly reads: readonly Loc[];
  readonly navs: readonly Loc[];
  readonly writes: readonly Loc[];
}

function writeHits(w: Loc, other: Footprint): boolean {
  for (const x of other.writes) if (overlaps(w, x)) return true;
  for (const r of other.reads) if (overlaps(w, r)) return true;
  for (const n of other.navs) if (isPrefix(w, n)) return true;
  return false;
}

/** The conflict rule of DESIGN §2: overlapping paths, at least one access a write. */
export function footprintsConflict(a: Footprint, b: Footprint): boolean {
  for (const w of a.writes) if (writeHits(w, b)) return true;
  for (const w of b.writes) {
    for (const r of a.reads) if (overlaps(w, r)) return true;
    for (const n of a.navs) if (isPrefix(w, n)) return true;
  }
  return false;
}

/** True when `fp` writes a location that overlaps one of `locs` (or replaces an ancestor of it). */
export function writesAny(fp: Footprint, locs: Iterable<Loc>): boolean {
  for (const w of fp.writes) for (const l of locs) if (overlaps(w, l)) return true;
  return false;
}

/** True when some write of `writer` can change what `reader` read or navigated. */
export function writesWhatIsRead(writer: Footprint, reader: Footprint): boolean {
  for (const w of writer.writes) {
    for (const r of reader.reads) if (overlaps(w, r)) return true;
    for (const n of reader.navs) if (isPrefix(w, n)) return true;
  }
  return false;
}
