import { footprintsConflict, writesAny, type Footprint } from '../model/footprint.ts';
import type { Loc } from '../model/location.ts';

/** An executed (or would-be) step as the reduction sees it. */
export interface EventInfo {
  readonly tid: number;
  readonly fp: Footprint;
  /** Writes a location that an invariant or witness reads (DESIGN §4, "visible"). */
  readonly obs: boolean;
}

/**
 * The one dependence relation shared by every engine and by trace counting: same thread, or
 * conflicting footprints, or both write what invariants and witnesses observe (as if each such
 * step also wrote one shared "observer" location).
 */
export class Dependence {
  constructor(readonly observed: readonly Loc[]) {}

  observes(fp: Footprint): boolean {
    return this.observed.length > 0 && writesAny(fp, this.observed);
  }

  dependent(a: EventInfo, b: EventInfo): boolean {
    return a.tid === b.tid || (a.obs && b.obs) || footprintsConflict(a.fp, b.fp);
  }
}
