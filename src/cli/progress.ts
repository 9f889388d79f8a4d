import type { Progress } from '../explore/types.ts';

/** One spec being checked: its live figures; `waiting`: none came yet (only the time is real). */
export interface ProgressItem {
  readonly spec: string;
  readonly p: Progress;
  readonly waiting?: boolean;
}

export interface ProgressLine {
  /** Live figures of the spec being checked; `waiting`: none came yet (only the time is real). */
  update(spec: string, p: Progress, waiting?: boolean): void;
  /** The specs being checked by the workers, in spec order: one line over all of them. */
  show(items: readonly ProgressItem[]): void;
  /** Erases the line (between specs and before the report). */
  clear(): void;
}

/** Nothing is shown for a spec that finishes quickly: a flickering line helps nobody. */
const SHOW_AFTER_MS = 300;
const EVERY_MS = 100;

function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/** `  frontier 310  2 threads`: the stateful engine's untaken transitions, and its threads when several. */
function open(frontier: number | undefined, threads: number | undefined): string {
  return `${frontier !== undefined ? `  frontier ${count(frontier)}` : ''}${threads !== undefined && threads > 1 ? `  ${threads} threads` : ''}`;
}

/**
 * `⟳ falloc_pop/L  executions 1.2k  events 45.3k (12.0k/s)  depth 34  1.2 s` (`states 1.2k
 * frontier 310` from the stateful engine, and `2 threads` while a search is split); `⟳ falloc_pop/L  minimising…  states 1.2k  3.1 s` while the
 * counterexample is minimised; `⟳ falloc_pop/L  starting…  0.4 s` before any figures came.
 */
export function progressText(spec: string, p: Progress, waiting = false): string {
  const time = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  if (waiting) return `⟳ ${spec}  starting…  ${time}`;
  if (p.phase === 'minimize') return `⟳ ${spec}  minimising…${p.states !== undefined ? `  states ${count(p.states)}` : ''}  ${time}`;
  const rate = p.elapsedMs > 0 ? (p.events * 1000) / p.elapsedMs : 0;
  const covered = p.states !== undefined ? `states ${count(p.states)}` : `executions ${count(p.executions)}`;
  return `⟳ ${spec}  ${covered}${open(p.frontier, p.threads)}  events ${count(p.events)} (${count(Math.round(rate))}/s)  depth ${p.depth}  ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

/**
 * Several specs at once (`--workers`): `⟳ 3 specs: falloc_pop/L +2  states 1.2k  executions 34
 * events 45.3k (12.0k/s)  4.2 s`, the sums over the workers (rate: the sum of each spec's rate),
 * the first spec by spec order, and the longest elapsed time; one spec is shown as above.
 */
export function progressTotalText(items: readonly ProgressItem[]): string {
  if (items.length === 1) return progressText(items[0]!.spec, items[0]!.p, items[0]!.waiting);
  let executions = 0;
  let states = 0;
  let stateful = false;
  let events = 0;
  let rate = 0;
  let elapsed = 0;
  let frontier: number | undefined;
  let threads = 0;
  for (const { p } of items) {
    if (p.frontier !== undefined) frontier = (frontier ?? 0) + p.frontier;
    threads += p.threads ?? 1;
    if (p.states !== undefined) {
      stateful = true;
      states += p.states;
    } else executions += p.executions;
    events += p.events;
    if (p.elapsedMs > 0) rate += (p.events * 1000) / p.elapsedMs;
    elapsed = Math.max(elapsed, p.elapsedMs);
  }
  const covered = [...(stateful ? [`states ${count(states)}`] : []), ...(executions > 0 || !stateful ? [`executions ${count(executions)}`] : [])].join('  ');
  return `⟳ ${items.length} specs: ${items[0]!.spec} +${items.length - 1}  ${covered}${open(frontier, threads > items.length ? threads : undefined)}  events ${count(events)} (${count(Math.round(rate))}/s)  ${(elapsed / 1000).toFixed(1)} s`;
}

/**
 * The live progress line on stderr, for long runs on a terminal: redrawn in place at most ten
 * times a second, cut to the terminal's width, erased before anything else is printed.
 */
export function progressLine(write: (s: string) => void, columns: number, now: () => number = Date.now): ProgressLine {
  let shown = false;
  let last = 0;
  const line = {
    update(spec: string, p: Progress, waiting?: boolean) {
      line.show([{ spec, p, ...(waiting !== undefined ? { waiting } : {}) }]);
    },
    show(items: readonly ProgressItem[]) {
      if (items.length === 0 || Math.max(...items.map((i) => i.p.elapsedMs)) < SHOW_AFTER_MS || now() - last < EVERY_MS) return;
      last = now();
      const text = progressTotalText(items);
      write(`\r\x1b[2K${text.length >= columns ? `${text.slice(0, Math.max(1, columns - 2))}…` : text}`);
      shown = true;
    },
    clear() {
      if (shown) write('\r\x1b[2K');
      shown = false;
    },
  };
  return line;
}

/** Whether to show progress: stderr is a terminal, not CI, and not --quiet. */
export function wantsProgress(o: { errIsTTY: boolean; quiet: boolean; env: NodeJS.ProcessEnv }): boolean {
  return o.errIsTTY && !o.quiet && !o.env.CI && o.env.GITHUB_ACTIONS !== 'true';
}
