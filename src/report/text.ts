import { relative } from 'node:path';
import type { CheckResult } from '../check/run.ts';
import { propertyReads, replay, show, stuckThreads, type Story, type TraceStep } from '../check/replay.ts';
import type { SourceSite } from '../model/source.ts';
import type { Violation } from '../explore/types.ts';

export interface TextOptions {
  /** ANSI colours (on a TTY unless NO_COLOR). */
  color?: boolean;
  /** Print the counterexample of every FAIL, not only of unexpected results. */
  allTraces?: boolean;
  /** Base for relative paths in the output. */
  cwd?: string;
}

interface Paint {
  ok: (s: string) => string;
  bad: (s: string) => string;
  dim: (s: string) => string;
  bold: (s: string) => string;
}

function paint(color: boolean): Paint {
  const wrap = (a: number, b: number) => (s: string) => (color ? `\x1b[${a}m${s}\x1b[${b}m` : s);
  return { ok: wrap(32, 39), bad: wrap(31, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function siteText(site: SourceSite, cwd = process.cwd()): string {
  if (site.line === 0) return site.file;
  const rel = relative(cwd, site.file);
  return `${rel.startsWith('..') ? site.file : rel}:${site.line}`;
}

/** `FAIL I-own`, `PASS`, `INCOMPLETE (time)`. */
export function verdictText(r: CheckResult): string {
  switch (r.verdict) {
    case 'FAIL':
      return `FAIL ${r.violation!.property}`;
    case 'INCOMPLETE':
      return `INCOMPLETE (${r.cut.filter((c) => c !== 'stopped').join(', ')})`;
    case 'VACUOUS':
      return `VACUOUS (${r.witnessesMissed.join(', ')} never reached)`;
    default:
      return r.verdict;
  }
}

function ms(d: number): string {
  return d < 1000 ? `${Math.round(d)} ms` : `${(d / 1000).toFixed(1)} s`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** The table of results, one row per spec. */
export function renderTable(results: readonly CheckResult[], o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const w = {
    name: Math.max(4, ...results.map((r) => r.name.length)),
    exp: Math.max(8, ...results.map((r) => r.expected.length)),
    ver: Math.max(7, ...results.map((r) => verdictText(r).length)),
  };
  const head = `  ${pad('spec', w.name)}  ${pad('expected', w.exp)}  ${pad('verdict', w.ver)}  ${'executions'.padStart(10)}  ${'events'.padStart(9)}  ${'time'.padStart(8)}`;
  const rows = results.map((r) => {
    const mark = r.ok ? p.ok('✓') : p.bad('✗');
    const ver = pad(verdictText(r), w.ver);
    return `${mark} ${pad(r.name, w.name)}  ${pad(r.expected, w.exp)}  ${r.ok ? ver : p.bad(ver)}  ${String(r.stats.executions).padStart(10)}  ${String(r.stats.events).padStart(9)}  ${ms(r.durationMs).padStart(8)}`;
  });
  return [p.dim(head), ...rows].join('\n');
}

/** `uk_rwlock_rlock › spin_lock.acquire`: the step and the procedure it was called from. */
export function stepAction(s: TraceStep): string {
  return s.caller === null ? `${s.proc}.${s.label}` : `${s.caller} › ${s.proc}.${s.label}`;
}

function describeViolation(v: Violation): string {
  switch (v.kind) {
    case 'assertion':
      return `assertion ${v.property} failed at step ${v.schedule.length}`;
    case 'invariant':
      return v.schedule.length === 0 ? `invariant ${v.property} is false in the initial state` : `invariant ${v.property} is false after step ${v.schedule.length}`;
    case 'final':
      return `final property ${v.property} is false when every thread has finished`;
    case 'deadlock':
      return `deadlock after step ${v.schedule.length}: no thread can move and not all have finished`;
  }
}

/** The counterexample of one result: one line per step, then what went wrong and how to replay. */
export function renderCounterexample(r: CheckResult, o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const cwd = o.cwd ?? process.cwd();
  const v = r.violation;
  const program = r.program;
  if (v === undefined || program === undefined) return '';
  const story: Story = replay(program, v.schedule);
  const lines: string[] = [];
  const tw = Math.max(6, ...program.threads.map((t) => t.name.length));
  const steps = story.steps.map((s) => ({ s, action: stepAction(s), src: siteText(s.site, cwd) }));
  const aw = Math.max(6, ...steps.map((x) => x.action.length));
  const sw = Math.max(6, ...steps.map((x) => x.src.length));
  lines.push(p.dim(`  ${'step'.padStart(4)}  ${pad('thread', tw)}  ${pad('action', aw)}  ${pad('source', sw)}  changes`));
  for (const { s, action, src } of steps) {
    const changes = s.changes.map((c) => `${c.path}: ${show(c.before)} → ${show(c.after)}`).join(', ');
    const fail = s.failures.map((f) => p.bad(`assert ${f.property} failed${f.detail ? `: ${f.detail}` : ''}`)).join(', ');
    lines.push(`  ${String(s.index).padStart(4)}  ${pad(s.thread, tw)}  ${pad(action, aw)}  ${pad(src, sw)}  ${[changes, fail].filter(Boolean).join('  ')}`.trimEnd());
  }
  if (story.divergence) lines.push(p.bad(`  the trace no longer applies at step ${story.divergence.index}: ${story.divergence.message}`));
  lines.push(p.bad(`  ${describeViolation(v)}${v.detail ? ` (${v.detail})` : ''}`));
  if (v.kind === 'invariant' || v.kind === 'final') {
    const seen = propertyReads(program, story.final, v.property);
    if (seen.length > 0) lines.push(`  ${v.property} read: ${seen.map((c) => `${c.path} = ${show(c.before)}`).join(', ')}`);
  }
  if (v.kind === 'deadlock') {
    for (const t of stuckThreads(program, story.final)) {
      lines.push(`  ${t.thread} waits at ${t.step} (${siteText(t.site, cwd)})${t.why ? `: ${t.why}` : ''}`);
    }
  }
  const file = relative(cwd, r.file);
  lines.push(p.dim(`  Replay: smpcheck check ${file} -t '^${r.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$' --engine ${r.engine} --traces all`));
  return lines.join('\n');
}

function renderProblem(r: CheckResult, o: TextOptions): string {
  const p = paint(o.color ?? false);
  const head = p.bold(`── ${r.name}: expected ${r.expected}, got ${verdictText(r)}`);
  const body: string[] = [head];
  if (r.verdict === 'ERROR') {
    body.push(p.bad(`  ${r.error!.message}`));
    if (r.error!.hint) body.push(`  Hint: ${r.error!.hint}`);
    if (r.error!.schedule && r.program) body.push(`  schedule: ${r.error!.schedule.map((t) => r.program!.threadName(t)).join(' ')}`);
  } else if (r.verdict === 'INCOMPLETE') {
    body.push(`  The search was cut (${r.cut.join(', ')}) before it covered every interleaving; no violation was found in what it covered.`);
    if (r.cut.includes('cycle')) body.push('  Hint: an execution can run forever; model spin loops and retries with t.await(cond) instead of loops.');
    if (r.cut.includes('depth')) body.push('  Hint: raise bounds.maxDepth, or check for a loop that never ends.');
  } else if (r.verdict === 'VACUOUS') {
    body.push(`  Every property held, but the witness ${r.witnessesMissed.join(', ')} was never reached: the model may not exercise the concurrency it is meant to.`);
  } else if (r.violation) {
    body.push(renderCounterexample(r, o));
    const others = r.violations.filter((v) => v !== r.violation).map((v) => v.property);
    if (others.length > 0) body.push(`  Also violated: ${others.join(', ')}`);
  } else if (r.spec.expect !== 'pass') {
    body.push(`  The search covered every interleaving and ${r.spec.expect.fail} held in all of them.`);
  }
  return body.join('\n');
}

/** The full text report: table, counterexamples, summary line. */
export function renderText(results: readonly CheckResult[], elapsedMs: number, o: TextOptions = {}): string {
  const p = paint(o.color ?? false);
  const out: string[] = [renderTable(results, o)];
  for (const r of results) {
    if (!r.ok || (o.allTraces && r.violation)) out.push('', renderProblem(r, o));
  }
  const bad = results.filter((r) => !r.ok);
  const counts = new Map<string, number>();
  for (const r of bad) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const detail = [...counts].map(([v, n]) => `${n} ${v}`).join(', ');
  const summary = bad.length === 0
    ? p.ok(`${results.length} specs, all as expected`)
    : p.bad(`${results.length} specs, ${results.length - bad.length} as expected, ${bad.length} not (${detail})`);
  out.push('', `${summary} in ${ms(elapsedMs)}`);
  return out.join('\n');
}
