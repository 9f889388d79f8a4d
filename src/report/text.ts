import { relative } from 'node:path';
import { allDiscarded, type CheckResult } from '../check/run.ts';
import { defaultEngine } from '../explore/engines.ts';
import { show } from '../check/replay.ts';
import { coveredText, cutLabel, foundText, searchFlags } from '../check/search-mode.ts';
import { coverageTable, deadStepLines } from './coverage.ts';
import { counterexampleOf, minimizationText, type Counterexample } from './counterexample.ts';
import { paint } from './paint.ts';
import { displayPath, renderSwimlanes, siteText } from './swimlanes.ts';

export { siteText, stepAction } from './swimlanes.ts';

export interface TextOptions {
  /** Whether the story ends in the violation (false: a replay where the property now holds). */
  violated?: boolean;
  /** ANSI colours (on a TTY unless NO_COLOR). */
  color?: boolean;
  /** Print the counterexample of every FAIL, not only of unexpected results. */
  allTraces?: boolean;
  /** Base for relative paths in the output. */
  cwd?: string;
  /** Columns the swimlanes fit in (default 120). */
  width?: number;
  /** The trace file written for a result, for its `Replay:` line. */
  traceFile?: (r: CheckResult) => string | undefined;
  /** Print each spec's coverage table (`--coverage`). */
  coverage?: boolean;
}

/** `FAIL I-own`, `PASS`, `INCOMPLETE (time)`. */
export function verdictText(r: CheckResult): string {
  switch (r.verdict) {
    case 'FAIL':
      return `FAIL ${r.violation!.property}`;
    case 'INCOMPLETE':
      return `INCOMPLETE (${r.cut.filter((c) => c !== 'stopped').map((c) => cutLabel(c, r)).join(', ')})`;
    case 'VACUOUS':
      if (r.witnessesMissed.length > 0) return `VACUOUS (${r.witnessesMissed.join(', ')} never reached)`;
      if (r.stepsMissed === undefined) return 'VACUOUS (every execution discarded by t.assume)';
      return `VACUOUS (${r.stepsMissed!.length === 1 ? r.stepsMissed![0] : `${r.stepsMissed!.length} steps`} never ran)`;
    default:
      return r.verdict;
  }
}

export function ms(d: number): string {
  return d < 1000 ? `${Math.round(d)} ms` : `${(d / 1000).toFixed(1)} s`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** What a search covered, in its engine's unit: `14122 executions` (DPOR), `2069 states` (stateful, naive). */
export function exploredText(r: CheckResult): string {
  if (r.engine === 'random') return `${r.stats.executions} schedules`;
  return r.engine === 'dpor' || r.stats.states === null ? `${r.stats.executions} executions` : `${r.stats.states} states`;
}

/** `engines: stateful 70 (auto: …), dpor 11`: which engine ran how often, for the summary. */
export function enginesText(results: readonly CheckResult[]): string {
  const by = new Map<string, number>();
  for (const r of results) by.set(r.engine, (by.get(r.engine) ?? 0) + 1);
  return `engines: ${[...by].map(([e, n]) => `${e} ${n}`).join(', ')}`;
}

/** Column widths of the results table, known before any spec has run (rows are printed as specs finish). */
export interface TableLayout {
  readonly name: number;
  readonly exp: number;
  readonly ver: number;
}

/**
 * The layout for these specs: from names and expectations only, so a row printed the moment its
 * spec finishes lines up with the rest. A verdict is as wide as its expectation (`fail I-own`,
 * `FAIL I-own`) or `INCOMPLETE (depth)`; a longer one shifts its own row only.
 */
export function tableLayout(rows: readonly { readonly name: string; readonly expected: string }[]): TableLayout {
  const exp = Math.max(8, ...rows.map((r) => r.expected.length));
  return { name: Math.max(4, ...rows.map((r) => r.name.length)), exp, ver: Math.max(18, exp) };
}

/** The header of the results table. */
export function tableHead(w: TableLayout, o: TextOptions = {}): string {
  return paint(o.color ?? false).dim(`  ${pad('spec', w.name)}  ${pad('expected', w.exp)}  ${pad('verdict', w.ver)}  ${pad('engine', 8)}  ${'explored'.padStart(17)}  ${'events'.padStart(9)}  ${'time'.padStart(8)}`);
}

/** One result's row of the table. */
export function tableRow(r: CheckResult, w: TableLayout, o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const mark = r.ok ? p.ok('✓') : p.bad('✗');
  const ver = pad(verdictText(r), w.ver);
  return `${mark} ${pad(r.name, w.name)}  ${pad(r.expected, w.exp)}  ${r.ok ? ver : p.bad(ver)}  ${pad(r.engine, 8)}  ${exploredText(r).padStart(17)}  ${String(r.stats.events).padStart(9)}  ${ms(r.durationMs).padStart(8)}`;
}

/** The table of results, one row per spec. */
export function renderTable(results: readonly CheckResult[], o: TextOptions = {}, layout: TableLayout = tableLayout(results)): string {
  return [tableHead(layout, o), ...results.map((r) => tableRow(r, layout, o))].join('\n');
}

/**
 * Why the CLI cut a spec short (a signal, a step that never returned), for results it made
 * itself: the search did not end on its own, so the usual "a bound cut the search" would mislead.
 */
export const stoppedNotes = new WeakMap<CheckResult, string>();

/**
 * A counterexample's story: the swimlanes, where the trace stopped applying (replays of edited
 * models), what was violated and what the property read, who is stuck, and how it was minimised.
 */
export function renderStory(cx: Counterexample, o: TextOptions = {}): string[] {
  const p = paint(o.color ?? false);
  const cwd = o.cwd ?? process.cwd();
  const lines = renderSwimlanes(cx, o);
  const v = cx.violation;
  const d = cx.story.divergence;
  if (d !== undefined) {
    lines.push(p.bad(`  the trace no longer applies at step ${d.index}: ${d.message}`));
    return lines;
  }
  if (o.violated !== false) lines.push(p.bad(`  ${cx.summary}`));
  if (cx.reads.length > 0) lines.push(`  ${v.property} read: ${cx.reads.map((c) => `${c.path} = ${show(c.before)}`).join(', ')}`);
  for (const t of cx.stuck) {
    const from = t.from ? `, called from ${t.from}` : '';
    lines.push(`  ${t.thread} waits at ${t.step} (${siteText(t.site, cwd)})${from}${t.why ? `: ${t.why}` : ''}`);
  }
  const minimized = minimizationText(cx.minimization);
  if (minimized !== '') lines.push(p.dim(`  ${minimized}`));
  return lines;
}

/** The counterexample of one result, then the commands that replay and re-check it. */
export function renderCounterexample(r: CheckResult, o: TextOptions = {}): string {
  const cx = counterexampleOf(r);
  if (cx === undefined) return '';
  const p = paint(o.color ?? false);
  const cwd = o.cwd ?? process.cwd();
  const lines = renderStory(cx, o);
  const trace = o.traceFile?.(r);
  const found = foundText(r);
  if (found !== undefined) lines.push(p.dim(`  ${found}`));
  if (trace !== undefined) lines.push(p.dim(`  Replay: smpcheck replay ${displayPath(trace, cwd)}`));
  lines.push(p.dim(`  Re-check: ${recheckCommand(r, cwd)}`));
  return lines.join('\n');
}

/** `smpcheck check FILE -t '^NAME$' --engine E --traces all` (bounded, random: their flags, with the seed). */
export function recheckCommand(r: CheckResult, cwd = process.cwd()): string {
  const search = searchFlags(r);
  const engine = search !== '' ? search : r.engineRequested === defaultEngine ? '' : ` --engine ${r.engineRequested}`;
  return `smpcheck check ${relative(cwd, r.file)} -t '^${r.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$'${engine} --traces all`;
}

/** The section of one unexpected (or, with --traces all, failing) result. */
export function renderProblem(r: CheckResult, o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const head = p.bold(`── ${r.name}: expected ${r.expected}, got ${verdictText(r)}`);
  const body: string[] = [head];
  if (r.verdict === 'ERROR') {
    body.push(p.bad(`  ${r.error!.message}`));
    if (r.error!.hint) body.push(`  Hint: ${r.error!.hint}`);
    if (r.error!.schedule?.length && r.program) body.push(`  schedule: ${r.error!.schedule.map((t) => r.program!.threadName(t)).join(' ')}`);
  } else if (r.verdict === 'INCOMPLETE' && stoppedNotes.has(r)) {
    body.push(`  Not finished: ${stoppedNotes.get(r)}; no violation was found in what it covered (${exploredText(r)}, ${r.stats.events} events).`);
  } else if (r.verdict === 'INCOMPLETE') {
    body.push(`  The search was cut (${r.cut.join(', ')}) before it covered every interleaving; no violation was found in what it covered.`);
    body.push(`  Engine: ${r.engine} (${r.engineWhy}); covered ${exploredText(r)}.`);
    const covered = coveredText(r);
    if (covered !== undefined) body.push(`  ${covered[0]!.toUpperCase()}${covered.slice(1)}. Re-run: ${recheckCommand(r, o.cwd ?? process.cwd())}`);
    if (r.cut.includes('cycle')) body.push('  Hint: an execution can run forever; model spin loops and retries with t.await(cond) instead of loops.');
    if (r.cut.includes('depth')) body.push('  Hint: raise bounds.maxDepth, or check for a loop that never ends.');
  } else if (r.verdict === 'VACUOUS') {
    if (r.witnessesMissed.length > 0) body.push(`  Every property held, but the witness ${r.witnessesMissed.join(', ')} was never reached: the model may not exercise the concurrency it is meant to.`);
    if (r.stepsMissed !== undefined) body.push(`  Every property held, but the spec requires coverage: 'all' and these steps never ran: ${r.stepsMissed.join(', ')}.`);
    if (allDiscarded(r.stats)) body.push(`  No execution ran to its end: all ${r.stats.assumeBlocked} ended held by a false t.assume(...), so no property was checked on a finished run. Check the assumptions.`);
  } else if (r.violation) {
    body.push(renderCounterexample(r, o));
    const others = r.violations.filter((v) => v !== r.violation).map((v) => v.property);
    if (others.length > 0) body.push(`  Also violated: ${others.join(', ')}`);
  } else if (r.spec.expect !== 'pass') {
    body.push(`  The search covered every interleaving and ${r.spec.expect.fail} held in all of them.`);
  }
  return body.join('\n');
}

/** `7 specs, all as expected` or `3 specs, 2 as expected, 1 not (1 FAIL)`. */
export function summaryText(results: readonly CheckResult[]): string {
  const bad = results.filter((r) => !r.ok);
  const counts = new Map<string, number>();
  for (const r of bad) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const detail = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const specs = results.length === 1 ? '1 spec' : `${results.length} specs`;
  return bad.length === 0
    ? `${specs}, all as expected`
    : `${specs}, ${results.length - bad.length} as expected, ${bad.length} not (${detail})`;
}

/**
 * What the text report prints after the table: each unexpected (or, with --traces all, failing)
 * result's section, then the summary. Rows go out as specs finish, like test runners print
 * them; the stories come together at the end, where the summary is.
 */
export function renderTextTail(results: readonly CheckResult[], elapsedMs: number, o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const out: string[] = [];
  for (const r of results) {
    if (!r.ok || (o.allTraces && r.violation)) out.push('', renderProblem(r, o));
  }
  const dead = results.flatMap(deadStepLines);
  if (dead.length > 0) out.push('', ...dead.map((l) => p.dim(l)));
  if (o.coverage) for (const r of results) out.push('', ...coverageTable(r));
  const ok = results.every((r) => r.ok);
  out.push('', `${(ok ? p.ok : p.bad)(summaryText(results))} in ${ms(elapsedMs)}`);
  out.push(p.dim(`${enginesText(results)}; why each ran: --reporter json (engineWhy)`));
  return out.join('\n');
}

/** The full text report: table, counterexamples, summary line. */
export function renderText(results: readonly CheckResult[], elapsedMs: number, o: TextOptions & { layout?: TableLayout } = {}): string {
  return `${renderTable(results, o, o.layout)}\n${renderTextTail(results, elapsedMs, o)}`;
}
