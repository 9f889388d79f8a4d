import { pathToFileURL } from 'node:url';
import type { Spec } from '../src/check/spec.ts';
import { findSpecFiles } from '../src/cli/load.ts';

/**
 * The model catalogue, split by size. Each spec file's default export holds the variants at the
 * catalogue's sizes (MODELS.md section 3); its `larger` export holds larger configurations of
 * some of them (3 cores, more operations), which show how far exhaustive checking reaches; its
 * `liveness` export holds specs of liveness properties (README, Liveness), checked on the whole
 * state graph.
 * `smpcheck check specs` runs both; tests and scripts/catalogue-table.ts tell them apart here.
 */
export async function loadCatalogue(dir: string = new URL('.', import.meta.url).pathname): Promise<{ catalogue: Spec[]; larger: Spec[]; liveness: Spec[] }> {
  const catalogue: Spec[] = [];
  const larger: Spec[] = [];
  const liveness: Spec[] = [];
  for (const file of findSpecFiles([dir])) {
    const mod = (await import(pathToFileURL(file).href)) as { default: Spec[]; larger?: Spec[]; liveness?: Spec[] };
    catalogue.push(...mod.default);
    larger.push(...(mod.larger ?? []));
    liveness.push(...(mod.liveness ?? []));
  }
  return { catalogue, larger, liveness };
}
