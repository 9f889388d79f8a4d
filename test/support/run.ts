import type { Model } from '../../src/model/define.ts';
import { Program } from '../../src/model/program.ts';
import { engines } from '../../src/explore/engines.ts';
import { resolveBounds, type ExploreResult } from '../../src/explore/types.ts';

/** Explores a model exhaustively with one engine, collecting every violation (no early stop). */
export function explore(engine: string, model: Model, params: Record<string, unknown> = {}, extra: { collectTerminals?: boolean; stopOnAny?: boolean } = {}): ExploreResult {
  const program = new Program(model, { ...model.params, ...params });
  return engines[engine]!(program, {
    bounds: resolveBounds({ maxDepth: 500 }),
    deadlockIsViolation: true,
    stopOn: () => extra.stopOnAny ?? false,
    collectTerminals: extra.collectTerminals ?? false,
  });
}
