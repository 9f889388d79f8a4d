import { relative } from 'node:path';
import type { ReportContext } from './context.ts';
import { counterexampleOf } from './counterexample.ts';
import { exploredText, ms, renderProblem, summaryText, verdictText } from './text.ts';

/** Workflow-command escaping: data, then properties (which also escape `:` and `,`). */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const prop = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * GitHub Actions annotations: one `::error file=…,line=…,title=…::` per unexpected verdict, at
 * the model line the counterexample ends on (the spec when there is none), with the rendered
 * trace as the message so the annotation tells the whole story.
 */
export function githubAnnotations(ctx: ReportContext): string {
  const lines: string[] = [];
  for (const r of ctx.results) {
    if (r.ok) continue;
    const site = counterexampleOf(r)?.site ?? r.spec.site;
    const file = relative(ctx.cwd, site.file);
    const title = `${r.name}: expected ${r.expected}, got ${verdictText(r)}`;
    const body = renderProblem(r, { cwd: ctx.cwd, width: ctx.width, traceFile: ctx.traceFile });
    lines.push(`::error file=${prop(file)},line=${Math.max(1, site.line)},title=${prop(title)}::${data(body)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/** The Markdown job summary: the table of specs, then each unexpected result's counterexample. */
export function githubSummary(ctx: ReportContext): string {
  const out = ['## smpcheck', '', '| | spec | expected | verdict | engine | explored | time |', '| --- | --- | --- | --- | --- | ---: | ---: |'];
  for (const r of ctx.results) {
    out.push(`| ${r.ok ? '✅' : '❌'} | \`${cell(r.name)}\` | ${cell(r.expected)} | ${cell(verdictText(r))} | ${cell(r.engine)} | ${cell(exploredText(r))} | ${ms(r.durationMs)} |`);
  }
  out.push('', `**${summaryText(ctx.results)}** in ${ms(ctx.elapsedMs)}`);
  for (const r of ctx.results) {
    if (r.ok) continue;
    out.push('', `<details><summary><code>${r.name.replace(/</g, '&lt;')}</code>: expected ${r.expected}, got ${verdictText(r)}</summary>`, '', '```text', renderProblem(r, { cwd: ctx.cwd, width: ctx.width, traceFile: ctx.traceFile }), '```', '', '</details>');
  }
  return `${out.join('\n')}\n`;
}
