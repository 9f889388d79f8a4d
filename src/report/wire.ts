import type { CheckResult } from '../check/run.ts';
import type { Spec } from '../check/spec.ts';
import { Program } from '../model/program.ts';

/**
 * A CheckResult as plain data: what crosses from a worker thread to the main thread, and what a
 * shard report (blob.ts) stores. Spec and program are code, not data: whoever reads it back
 * rebuilds them from the spec (`fromWire`); the engine's raw result is left behind.
 */
export type WireResult = Omit<CheckResult, 'spec' | 'program' | 'explore'> & {
  readonly hasProgram: boolean;
  /**
   * The threads `t.spawn` started during the check, in the order they got their ids: the
   * rebuilt program registers them the same way, so the schedules' thread ids mean the same.
   */
  readonly spawned?: readonly { readonly name: string; readonly parent: number; readonly core: number }[];
};

export function toWire(r: CheckResult): WireResult {
  const { spec: _spec, program, explore: _explore, ...rest } = r;
  const spawned = program?.threads.filter((t) => t.parent !== null).map((t) => ({ name: t.name, parent: t.parent!, core: t.core })) ?? [];
  return { ...rest, hasProgram: program !== undefined, ...(spawned.length > 0 ? { spawned } : {}) };
}

/** Rebuilds a CheckResult: the spec it belongs to, and the program for rendering traces. */
export function fromWire(spec: Spec, w: WireResult): CheckResult {
  const { hasProgram, spawned, ...rest } = w;
  let program: Program | undefined;
  if (hasProgram) {
    try {
      program = new Program(spec.model, w.params);
      for (const t of spawned ?? []) program.spawnedThread(t.name, t.parent, t.core);
    } catch {
      // The checker built it; a model that builds only sometimes is caught by replay's checks.
    }
  }
  // The shown violation is one of `violations` (reports tell "also violated" apart by identity):
  // structured clone keeps that, JSON does not, so it is restored here.
  const same = rest.violation && rest.violations.find((v) => JSON.stringify(v) === JSON.stringify(rest.violation));
  return { ...rest, ...(same ? { violation: same } : {}), spec, ...(program ? { program } : {}) };
}

/**
 * JSON for wire data. Structured clone (between threads) keeps what JSON loses: unset bounds
 * are Infinity, which JSON would turn into null. Non-finite numbers are written as
 * `{"$number": "Infinity"}` and read back; everything else in a result is plain JSON already.
 */
const TAG = '$number';

export function wireJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function parseWireJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) return Number((v as Record<string, string>)[TAG]);
    }
    return v;
  });
}
