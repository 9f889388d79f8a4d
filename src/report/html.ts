import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { show } from '../check/replay.ts';
import type { ReportContext } from './context.ts';
import { counterexampleOf, minimizationText, type Counterexample } from './counterexample.ts';
import { displayPath, siteText, stepAction } from './swimlanes.ts';
import { coverageTable, deadStepLines } from './coverage.ts';
import { exploredText, ms, recheckCommand, renderProblem, summaryText, verdictText } from './text.ts';

const asset = (name: string) => readFileSync(new URL(`./html/${name}`, import.meta.url), 'utf8');

/** HTML text, escaped. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The data the page's script needs to show a step: its diff, what it read, the state after it. */
function stepData(cx: Counterexample, cwd: string) {
  return {
    initial: cx.story.initial,
    steps: cx.story.steps.map((s) => ({
      index: s.index,
      tid: s.tid,
      thread: s.thread,
      core: s.core,
      action: stepAction(s),
      via: s.via,
      source: siteText(s.site, cwd),
      preempts: s.preempts,
      changes: s.changes.map((c) => ({ path: c.path, before: show(c.before, 400), after: show(c.after, 400) })),
      reads: s.readValues.map((c) => ({ path: c.path, value: show(c.before, 400) })),
      failures: s.failures.map((f) => `${f.property}${f.detail ? `: ${f.detail}` : ''}`),
      state: s.after,
    })),
  };
}

function counterexampleSection(r: CheckResult, k: number, ctx: ReportContext): string {
  const cx = counterexampleOf(r)!;
  const threads = cx.program.threads;
  const head = threads.map((t) => `<th class="lane t${t.tid % 8}" scope="col">${esc(t.name)}<small>core ${t.core}</small></th>`).join('');
  const rows = cx.story.steps.map((s) => {
    const cells = threads.map((t) => (t.tid === s.tid
      ? `<td class="lane t${t.tid % 8}"><span class="act">${s.caller ? `<span class="caller">${esc(s.caller)} › </span>` : ''}${esc(`${s.proc}.${s.label}`)}</span>${s.changes.length ? `<span class="nchg">${s.changes.length}Δ</span>` : ''}${s.failures.length ? '<span class="fail">✗</span>' : ''}</td>`
      : '<td class="lane"></td>')).join('');
    const cls = ['step', s.preempts ? 'preempt' : '', s.failures.length ? 'failing' : ''].filter(Boolean).join(' ');
    return `<tr class="${cls}" data-step="${s.index}" tabindex="0" aria-label="step ${s.index}: ${esc(s.thread)} ${esc(stepAction(s))}"><td class="num">${s.index}${s.preempts ? '<span title="preemption: the thread that ran before could have continued">*</span>' : ''}</td>${cells}<td class="src" title="${esc(siteText(s.site, ctx.cwd))}">${esc(`${basename(s.site.file)}:${s.site.line}`)}</td></tr>`;
  }).join('\n');
  const minText = minimizationText(cx.minimization);
  const reads = cx.reads.length ? `<p class="reads"><b>${esc(cx.violation.property)} read:</b> ${cx.reads.map((c) => `<code>${esc(c.path)} = ${esc(show(c.before, 200))}</code>`).join(' ')}</p>` : '';
  const stuck = cx.stuck.map((t) => `<p class="stuck">${esc(t.thread)} waits at <code>${esc(t.step)}</code> (${esc(siteText(t.site, ctx.cwd))})${t.from ? `, called from <code>${esc(t.from)}</code>` : ''}${t.why ? `: ${esc(t.why)}` : ''}</p>`).join('');
  const trace = ctx.traceFile(r);
  const commands = [trace ? `smpcheck replay ${displayPath(trace, ctx.cwd)}` : null, recheckCommand(r, ctx.cwd)].filter(Boolean).map((c) => `<code>${esc(c!)}</code>`).join('<br>');
  return `<section class="cx" id="cx-${k}" data-cx="${k}">
<h2>${esc(r.name)} <span class="${r.ok ? 'ok' : 'bad'}">${esc(verdictText(r))}</span> <small>expected ${esc(r.expected)}</small></h2>
<p class="summary">${esc(cx.summary)}</p>
<p class="meta">${esc(relative(ctx.cwd, r.file))} · model ${esc(cx.program.model.name)} · ${cx.story.steps.length} steps${minText ? ` · ${esc(minText)}` : ''}</p>
<div class="cx-body">
<div class="lanes-wrap"><table class="lanes"><thead><tr><th class="num" scope="col">#</th>${head}<th class="src" scope="col">source</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
<aside class="detail" aria-live="polite"><p class="hint">Click a step (or use ↑ ↓) to see what it changed and the state after it.</p></aside>
</div>
${reads}${stuck}
<p class="cmd">${commands}</p>
<script type="application/json" class="cx-data">${scriptJson(stepData(cx, ctx.cwd))}</script>
</section>`;
}

/** The `--coverage` table of every spec, folded: what each run exercised (issue 13, step coverage). */
function coverageSection(ctx: ReportContext): string {
  const withCoverage = ctx.results.filter((r) => r.coverage !== undefined);
  if (withCoverage.length === 0) return '';
  const text = withCoverage.map((r) => [...deadStepLines(r), ...coverageTable(r)].join('\n')).join('\n\n');
  return `<details class="coverage"><summary>Step coverage</summary><pre>${esc(text)}</pre></details>`;
}

function problemSection(r: CheckResult, ctx: ReportContext): string {
  return `<section class="problem"><h2>${esc(r.name)} <span class="bad">${esc(verdictText(r))}</span> <small>expected ${esc(r.expected)}</small></h2><pre>${esc(renderProblem(r, { cwd: ctx.cwd, width: ctx.width }))}</pre></section>`;
}

/**
 * One self-contained HTML file (inline CSS and script, no network, no external assets): the
 * summary table, and for each counterexample the swimlanes, where clicking a step shows its
 * state change as a diff, what it read, and the whole shared state after it.
 */
export function htmlReport(ctx: ReportContext): string {
  const withCx = ctx.results.filter((r) => counterexampleOf(r) !== undefined);
  const anchor = new Map(withCx.map((r, k) => [r, k]));
  const rows = ctx.results.map((r) => {
    const k = anchor.get(r);
    const name = k !== undefined ? `<a href="#cx-${k}">${esc(r.name)}</a>` : esc(r.name);
    return `<tr class="${r.ok ? 'ok' : 'bad'}"><td>${r.ok ? '✓' : '✗'}</td><td>${name}</td><td>${esc(relative(ctx.cwd, r.file))}</td><td>${esc(r.expected)}</td><td>${esc(verdictText(r))}</td><td title="${esc(r.engineWhy)}">${esc(r.engine)}</td><td class="n">${esc(exploredText(r))}</td><td class="n">${r.stats.events}</td><td class="n">${esc(ms(r.durationMs))}</td></tr>`;
  }).join('\n');
  const problems = ctx.results.filter((r) => !r.ok && counterexampleOf(r) === undefined).map((r) => problemSection(r, ctx)).join('\n');
  const sections = withCx.map((r, k) => counterexampleSection(r, k, ctx)).join('\n');
  const allOk = ctx.results.every((r) => r.ok);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>smpcheck report</title>
<style>
${asset('report.css')}
</style>
</head>
<body>
<header><h1>smpcheck report</h1><p class="${allOk ? 'ok' : 'bad'}">${esc(summaryText(ctx.results))} in ${esc(ms(ctx.elapsedMs))}</p><p class="meta">${esc(ctx.startedAt.toISOString())} · smpcheck ${esc(ctx.version)}</p></header>
<table class="results"><thead><tr><th></th><th>spec</th><th>file</th><th>expected</th><th>verdict</th><th>engine</th><th>explored</th><th>events</th><th>time</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${problems}
${sections}
${coverageSection(ctx)}
<script>
${asset('report.js')}
</script>
</body>
</html>
`;
}
