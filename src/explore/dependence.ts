import { footprintsConflict, writesAny, type Footprint } from '../model/footprint.ts';
import type { Loc } from '../model/location.ts';

/** An executed (or would-be) step as the reduction sees it. */
export interface EventInfo {
  readonly tid: number;
  /**
   * Which alternative of a choosing step (step.ts moveOf; absent or 0 when it chose nothing):
   * two alternatives of one step are two events of one thread, so dependent.
   */
  readonly alt?: number;
  /**
   * The step chose (it has alternatives): its thread's next event is not unique, so it is
   * never taken for a weak initial of a sequence it has no event in (wakeup-tree.ts).
   */
  readonly branching?: boolean;
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
