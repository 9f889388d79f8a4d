import { ModelError, UsageError } from '../model/errors.ts';
import { DEFAULT_SCHEDULES, DEFAULT_SEED } from '../explore/random-walk.ts';
import type { ExploreResult, RandomSearch } from '../explore/types.ts';
import { positiveInteger } from './bound-values.ts';
import { didYouMean } from './suggest.ts';
import { countPreemptions } from './minimize.ts';
import type { CheckResult } from './run.ts';

/**
 * The searches for when exhaustive search is out of reach (README, "When exhaustive search is
 * out of reach"): a preemption bound (engine `bounded`) or seeded random schedules (engine
 * `random`). A spec may ask for one (`preemptions: 2`, `random: { schedules, seed, pctDepth }`);
 * the CLI's `--preemptions` / `--random` / `--seed` / `--pct-depth` override it for every spec.
 */
export interface SearchModeOptions {
  /** `--preemptions K` or `auto`. */
  preemptions?: number | 'auto';
  /** `--random N`, `--seed S`, `--pct-depth d` (any of them selects random search). */
  random?: { readonly schedules?: number; readonly seed?: number; readonly pctDepth?: number };
}

/** What a spec file may say about it (the same two keys). */
export interface SpecSearchMode {
  preemptions?: number | 'auto';
  random?: { schedules?: number; seed?: number; pctDepth?: number };
}

export const RANDOM_KEYS = ['schedules', 'seed', 'pctDepth'] as const;

/** A preemption bound as typed: a non-negative integer, or `auto`. */
export function preemptionBound(source: string, raw: unknown): number | 'auto' {
  if (raw === 'auto') return 'auto';
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new UsageError(`${source} must be a number of preemptions (0, 1, 2, …) or 'auto', got '${String(raw)}'${typeof raw === 'string' ? didYouMean(raw, ['auto']) : ''}`);
  }
  return n;
}

/** A seed: an integer 0 ≤ S < 2^32. */
export function seedValue(source: string, raw: unknown): number {
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new UsageError(`${source} must be an integer from 0 to 4294967295, got '${String(raw)}'`);
  }
  return n;
}

/** Validates a spec's `preemptions` and `random` (spec.ts calls it; unknown keys get a did-you-mean). */
export function checkSpecSearchMode(where: string, def: SpecSearchMode): void {
  if (def.preemptions !== undefined) {
    try {
      preemptionBound(`${where}: preemptions`, def.preemptions);
    } catch (e) {
      throw new ModelError((e as Error).message);
    }
  }
  if (def.random !== undefined) {
    const r = def.random as unknown;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new ModelError(`${where}: random must be an object, e.g. { schedules: 1000, seed: 1, pctDepth: 3 }`);
    }
    for (const k of Object.keys(r)) {
      if (!(RANDOM_KEYS as readonly string[]).includes(k)) {
        throw new ModelError(`${where}: unknown key 'random.${k}'${didYouMean(k, RANDOM_KEYS)}; random takes: ${RANDOM_KEYS.join(', ')}`);
      }
    }
    const { schedules, seed, pctDepth } = r as SpecSearchMode['random'] & object;
    try {
      if (schedules !== undefined) positiveInteger(`${where}: random.schedules`, typeof schedules === 'number' ? schedules : String(schedules));
      if (seed !== undefined) seedValue(`${where}: random.seed`, typeof seed === 'number' ? seed : NaN);
      if (pctDepth !== undefined) positiveInteger(`${where}: random.pctDepth`, typeof pctDepth === 'number' ? pctDepth : String(pctDepth));
    } catch (e) {
      throw new ModelError((e as Error).message);
    }
  }
  if (def.preemptions !== undefined && def.random !== undefined) {
    throw new ModelError(`${where}: preemptions and random are two different searches; give one of them`);
  }
}

/**
 * What a bounded or random search covered (CheckResult.search; plain data, so it crosses to
 * and from worker threads and shard reports with the rest of a result).
 */
export interface SearchInfo {
  readonly preemptions?: NonNullable<ExploreResult['preemptions']>;
  readonly random?: NonNullable<ExploreResult['random']>;
}

/** The search info of an engine result, or undefined for the exhaustive engines. */
export function searchInfo(explore: ExploreResult): SearchInfo | undefined {
  if (explore.preemptions !== undefined) return { preemptions: explore.preemptions };
  if (explore.random !== undefined) return { random: explore.random };
  return undefined;
}

/** What the report helpers below read of a result. */
type Searched = Pick<CheckResult, 'search' | 'violations' | 'cut'>;

/** The engine a spec runs with, the options that engine takes, and why (CheckResult.engineWhy). */
export interface ResolvedSearch {
  readonly engine: string;
  readonly why: string | undefined;
  readonly preemptions?: number | 'auto';
  readonly random?: RandomSearch;
}

/**
 * Which engine runs: the CLI's search flags, else the spec's own `preemptions` / `random` when
 * the engine asked for is `auto` (an explicit `--engine stateful` runs the exhaustive search),
 * else the engine asked for. `--engine bounded` / `--engine random` alone take the spec's
 * settings or the defaults (auto bound; 1,000 uniform schedules, seed 42).
 */
export function resolveSearch(spec: SpecSearchMode, requested: string, cli: SearchModeOptions): ResolvedSearch {
  if (cli.preemptions !== undefined && cli.random !== undefined) {
    throw new UsageError('--preemptions and --random/--seed/--pct-depth are two different searches; give one of them');
  }
  const fromCli = cli.preemptions !== undefined ? 'bounded' : cli.random !== undefined ? 'random' : null;
  if (fromCli !== null && requested !== 'auto' && requested !== fromCli) {
    const flag = fromCli === 'bounded' ? '--preemptions' : '--random';
    throw new UsageError(`${flag} runs the ${fromCli} engine, but --engine ${requested} was asked for; drop one of the two`);
  }
  const fromSpec = requested === 'auto' ? (spec.preemptions !== undefined ? 'bounded' : spec.random !== undefined ? 'random' : null) : null;
  const engine = fromCli ?? fromSpec ?? requested;
  if (engine === 'bounded') {
    const k = cli.preemptions ?? spec.preemptions ?? 'auto';
    const by = cli.preemptions !== undefined ? `--preemptions ${k}` : spec.preemptions !== undefined ? `spec preemptions: ${k}` : '--engine bounded';
    const what = k === 'auto' ? 'every schedule with 0, 1, 2, … preemptions until the time budget' : `every schedule with at most ${k} preemption${k === 1 ? '' : 's'}`;
    return { engine, why: `${by}: preemption-bounded search over (state, last thread), ${what}, fewest first`, preemptions: k };
  }
  if (engine === 'random') {
    const r = { ...(spec.random ?? {}), ...definedOnly(cli.random ?? {}) };
    const random: RandomSearch = {
      schedules: r.schedules ?? DEFAULT_SCHEDULES,
      seed: r.seed ?? DEFAULT_SEED,
      ...(r.pctDepth !== undefined ? { pctDepth: r.pctDepth } : {}),
    };
    const by = fromCli !== null ? 'flags' : fromSpec !== null ? 'spec random' : '--engine random';
    return { engine, why: `${by}: ${randomText(random)}`, random };
  }
  return { engine, why: undefined };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** `PCT depth 3, 1,000 schedules, seed 42` or `uniform random walk, …`. */
export function randomText(r: RandomSearch): string {
  const kind = r.pctDepth !== undefined ? `PCT depth ${r.pctDepth}` : 'uniform random walk';
  return `${kind}, ${r.schedules.toLocaleString('en-US')} schedules, seed ${r.seed}`;
}

/** The flags that rerun a result's search: `--preemptions 2`, `--random 1000 --seed 42 --pct-depth 3`, or ''. */
export function searchFlags(res: Pick<CheckResult, 'search'>): string {
  if (res.search?.preemptions !== undefined) return ` --preemptions ${res.search.preemptions.bound ?? 'auto'}`;
  const r = res.search?.random;
  if (r !== undefined) return ` --random ${r.schedules} --seed ${r.seed}${r.pctDepth !== undefined ? ` --pct-depth ${r.pctDepth}` : ''}`;
  return '';
}

/**
 * What a bounded or random search covered, for INCOMPLETE verdicts and reports:
 * `no violation with ≤ 2 preemptions; 3 not explored`,
 * `no violation in 1,000 schedules (PCT depth 3, seed 42)`. Undefined for other engines.
 */
export function coveredText(res: Searched): string | undefined {
  if (res.search === undefined || res.violations.length > 0) return undefined;
  const p = res.search.preemptions;
  if (p !== undefined) {
    if (p.complete === null) return 'not even every schedule with 0 preemptions was explored';
    const next = res.cut.some((c) => c !== 'preemptions' && c !== 'stopped') ? 'not fully explored' : 'not explored';
    return `no violation with ≤ ${p.complete} preemption${p.complete === 1 ? '' : 's'}; ${p.complete + 1} ${next}`;
  }
  const r = res.search.random;
  if (r !== undefined) {
    const kind = r.pctDepth !== undefined ? `PCT depth ${r.pctDepth}` : 'uniform random walk';
    return `no violation in ${r.ran.toLocaleString('en-US')} random schedule${r.ran === 1 ? '' : 's'} (${kind}, seed ${r.seed})`;
  }
  return undefined;
}

/** The short form in a verdict: `INCOMPLETE (≤ 2 preemptions)`, `INCOMPLETE (1,000 schedules)`. */
export function cutLabel(c: string, res: Pick<CheckResult, 'search'>): string {
  const p = res.search?.preemptions;
  if (c === 'preemptions' && p !== undefined) {
    return p.complete === null ? 'preemptions' : `≤ ${p.complete} preemption${p.complete === 1 ? '' : 's'}`;
  }
  const r = res.search?.random;
  if (c === 'random' && r !== undefined) return `${r.ran.toLocaleString('en-US')} random schedule${r.ran === 1 ? '' : 's'}`;
  return c;
}

/**
 * How a bounded or random search came to the violation shown, for the counterexample:
 * `found by PCT depth 3 in random schedule 37 of 1,000 (seed 42)`, or
 * `found with 1 preemption by preemption-bounded search: no schedule with fewer violates I-own`.
 */
export function foundText(r: Pick<CheckResult, 'search' | 'violation' | 'minimization' | 'program'>): string | undefined {
  const rnd = r.search?.random;
  const at = r.violation !== undefined ? rnd?.foundAt[r.violation.property] : undefined;
  if (rnd !== undefined && at !== undefined) {
    const kind = rnd.pctDepth !== undefined ? `PCT depth ${rnd.pctDepth}` : 'uniform random walk';
    return `found by ${kind} in random schedule ${at.toLocaleString('en-US')} of ${rnd.schedules.toLocaleString('en-US')} (seed ${rnd.seed})`;
  }
  if (r.search?.preemptions !== undefined && r.violation !== undefined) {
    // Rounds run in order of preemptions, so the first schedule found for a property has the fewest.
    const k = r.minimization?.originalPreemptions ?? (r.program !== undefined ? countPreemptions(r.program, r.violation.schedule) : undefined);
    if (k === undefined) return 'found by preemption-bounded search, fewest preemptions first';
    return `found with ${k} preemption${k === 1 ? '' : 's'} by preemption-bounded search: no schedule with fewer violates ${r.violation.property}`;
  }
  return undefined;
}

/**
 * The JSON report's `search` of a bounded or random result (absent for exhaustive engines):
 * `{ kind: 'preemptions', bound, complete, covered }` or
 * `{ kind: 'random' | 'pct', schedules, ran, seed, pctDepth?, firstViolation, covered }`.
 */
export function searchJson(res: Searched): Record<string, unknown> | undefined {
  const covered = coveredText(res);
  const p = res.search?.preemptions;
  if (p !== undefined) return { kind: 'preemptions', bound: p.bound ?? 'auto', complete: p.complete, covered };
  const r = res.search?.random;
  if (r !== undefined) {
    return { kind: r.pctDepth !== undefined ? 'pct' : 'random', schedules: r.schedules, ran: r.ran, seed: r.seed, ...(r.pctDepth !== undefined ? { pctDepth: r.pctDepth } : {}), firstViolation: r.firstViolation, foundAt: r.foundAt, covered };
  }
  return undefined;
}

/**
 * Whether a spec expects a liveness violation (starvation, an `eventually` or `leadsTo`
 * property): an infinite execution, shown as a lasso, which only the whole state graph shows.
 * Neither the bounded nor the random search can find one; their benchmarks and targets leave
 * such specs out (a bounded search that cut nothing is followed by the liveness check, run.ts).
 */
export function expectsLiveness(spec: { readonly expect: 'pass' | { readonly fail: string } }, program: { readonly eventually: readonly { name: string }[]; readonly leadsTo: readonly { name: string }[] }): boolean {
  if (spec.expect === 'pass') return false;
  const p = spec.expect.fail;
  return p === 'starvation' || program.eventually.some((e) => e.name === p) || program.leadsTo.some((l) => l.name === p);
}
