import { DraftSession } from '../model/draft.ts';
import { ModelError } from '../model/errors.ts';
import type { Loc } from '../model/location.ts';
import type { NamedPredicate, Program } from '../model/program.ts';

export type PredicateKind = 'invariant' | 'final' | 'witness';

/**
 * Evaluates named predicates over shared state through a read-only draft, so that what they
 * read is recorded like any footprint (DESIGN §4: the locations invariants and witnesses read
 * make steps that write them mutually dependent).
 */
export function evaluatePredicates(
  program: Program,
  shared: unknown,
  preds: readonly NamedPredicate[],
  kind: PredicateKind,
  reads?: Loc[],
): string[] {
  const failing: string[] = [];
  for (const p of preds) {
    const draft = new DraftSession(shared as object, program.locs, { readOnly: `${kind} '${p.name}'` });
    let ok: unknown;
    try {
      ok = p.fn(draft.proxy, program.params);
    } catch (e) {
      draft.abandon();
      if (e instanceof ModelError) throw e;
      throw new ModelError(`${kind} '${p.name}' threw: ${e instanceof Error ? e.message : String(e)}`);
    }
    const rec = draft.finish().rec;
    if (reads !== undefined) {
      for (const l of rec.reads) reads.push(l);
      for (const l of rec.navs) reads.push(l);
    }
    if (typeof ok !== 'boolean') {
      throw new ModelError(`${kind} '${p.name}' must return a boolean, but returned ${ok === undefined ? 'undefined' : typeof ok}`);
    }
    // An invariant or final fails when false; a witness "fails" (is reached) when true.
    if (kind === 'witness' ? ok : !ok) failing.push(p.name);
  }
  return failing;
}
