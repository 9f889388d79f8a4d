import { DraftSession } from '../model/draft.ts';
import { ModelError } from '../model/errors.ts';
import type { Loc } from '../model/location.ts';
import type { NamedPredicate, Program } from '../model/program.ts';

export type PredicateKind = 'invariant' | 'final' | 'witness' | 'liveness';

/**
 * Evaluates named predicates over shared state through a read-only draft, so that what they
 * read is recorded like any footprint (DESIGN §4: the locations invariants and witnesses read
 * make steps that write them mutually dependent). Every engine evaluates its predicates here,
 * so a broken predicate (it throws, writes to `s`, returns a non-boolean or a Promise) is a
 * ModelError naming it, whichever engine and whichever state (the initial one included).
 */
export function evaluatePredicates(
  program: Program,
  shared: unknown,
  preds: readonly NamedPredicate[],
  kind: PredicateKind,
  reads?: Loc[],
): string[] {
  const failing: string[] = [];
  for (const p of preds) if (predicateFails(program, shared, p, kind, reads)) failing.push(p.name);
  return failing;
}

/**
 * One predicate of evaluatePredicates: true when it fails (an invariant or final is false, a
 * witness is reached); what it read is appended to `reads`.
 */
export function predicateFails(program: Program, shared: unknown, p: NamedPredicate, kind: PredicateKind, reads?: Loc[]): boolean {
  program.evaluated.add(p);
  const who = `${kind} '${p.name}'`;
  const draft = new DraftSession(shared as object, program.locs, { readOnly: who });
  let ok: unknown;
  try {
    ok = p.fn(draft.proxy, program.params);
  } catch (e) {
    draft.abandon();
    if (e instanceof ModelError) throw e;
    throw new ModelError(`${who} threw: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const rec = draft.finish().rec;
  if (reads !== undefined) {
    for (const l of rec.reads) reads.push(l);
    for (const l of rec.navs) reads.push(l);
  }
  if (ok instanceof Promise) {
    ok.then(undefined, () => {}); // its rejection, if any, must not surface later as a crash
    throw new ModelError(`${who} returned a Promise: predicates must be synchronous functions (remove async/await)`);
  }
  if (typeof ok !== 'boolean') throw new ModelError(`${who} returned ${returned(ok)}, not a boolean`);
  // An invariant or final fails when false; a witness "fails" (is reached) when true.
  return kind === 'witness' ? ok : !ok;
}

function returned(v: unknown): string {
  if (v === undefined) return 'undefined (a missing return?)';
  if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'bigint') return typeof v === 'string' ? JSON.stringify(v) : String(v);
  if (typeof v === 'function') return 'a function';
  return Array.isArray(v) ? 'an array' : 'an object';
}
