import { relative } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import type { ReportContext } from './context.ts';
import { renderProblem, renderTable, verdictText } from './text.ts';

/** XML 1.0 text: escaped, without the control characters XML cannot carry. */
export function xml(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** `2026-11-26T20:13:04` (UTC, no zone: the Ant JUnit schema's timestamp pattern). */
function timestamp(d: Date): string {
  return d.toISOString().slice(0, 19);
}

function boundsText(r: CheckResult): string {
  return Object.entries(r.bounds).map(([k, v]) => `${k}=${v}`).join(' ');
}

/**
 * JUnit XML: one `testsuite` per spec file, one `testcase` per spec, a `failure` (or `error`
 * for ERROR verdicts) holding the rendered trace for every unexpected verdict, and properties
 * for the engine and, per spec, its bounds, verdict and counts. Valid against both the Ant
 * JUnit schema and Jenkins' junit schema (test/schemas/).
 */
export function junitReport(ctx: ReportContext): string {
  const files = new Map<string, CheckResult[]>();
  for (const r of ctx.results) files.set(r.file, [...(files.get(r.file) ?? []), r]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>'];
  let id = 0;
  for (const [file, results] of files) {
    const name = relative(ctx.cwd, file);
    const failures = results.filter((r) => !r.ok && r.verdict !== 'ERROR').length;
    const errors = results.filter((r) => r.verdict === 'ERROR').length;
    const time = seconds(results.reduce((a, r) => a + r.durationMs, 0));
    out.push(`  <testsuite name="${xml(name)}" package="${xml(name)}" id="${id++}" timestamp="${timestamp(ctx.startedAt)}" hostname="${xml(ctx.hostname || 'localhost')}" tests="${results.length}" failures="${failures}" errors="${errors}" time="${time}">`);
    out.push('    <properties>');
    const prop = (n: string, v: string | number | null) => out.push(`      <property name="${xml(n)}" value="${xml(String(v))}"/>`);
    prop('engine', [...new Set(results.map((r) => r.engine))].join(', '));
    for (const r of results) {
      prop(`${r.name}: expected`, r.expected);
      prop(`${r.name}: verdict`, verdictText(r));
      prop(`${r.name}: bounds`, boundsText(r));
      prop(`${r.name}: engine`, `${r.engine} (${r.engineWhy})`);
      prop(`${r.name}: executions`, r.stats.executions);
      if (r.stats.states !== null) prop(`${r.name}: states`, r.stats.states);
      prop(`${r.name}: traces`, r.stats.traces ?? 'not counted');
      prop(`${r.name}: events`, r.stats.events);
      if (r.minimization) prop(`${r.name}: trace length`, `${r.minimization.length} (found ${r.minimization.originalLength})`);
    }
    out.push('    </properties>');
    const classname = name.replace(/\.(spec\.)?(m?ts|m?js)$/, '').replace(/[\\/]/g, '.');
    for (const r of results) {
      const open = `    <testcase name="${xml(r.name)}" classname="${xml(classname)}" time="${seconds(r.durationMs)}"`;
      if (r.ok) {
        out.push(`${open}/>`);
        continue;
      }
      const tag = r.verdict === 'ERROR' ? 'error' : 'failure';
      const body = renderProblem(r, { cwd: ctx.cwd, width: ctx.width, traceFile: ctx.traceFile });
      out.push(`${open}>`);
      out.push(`      <${tag} message="${xml(`expected ${r.expected}, got ${verdictText(r)}`)}" type="${r.verdict}">${xml(body)}</${tag}>`);
      out.push('    </testcase>');
    }
    out.push(`    <system-out>${xml(renderTable(results, { cwd: ctx.cwd }))}</system-out>`);
    out.push('    <system-err></system-err>');
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
