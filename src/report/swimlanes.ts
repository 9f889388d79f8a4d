import { basename, isAbsolute, relative } from 'node:path';
import { show, type Change, type TraceStep } from '../check/replay.ts';
import type { SourceSite } from '../model/source.ts';
import type { Choice } from '../model/step.ts';
import type { Counterexample } from './counterexample.ts';
import { paint } from './paint.ts';

export interface SwimlaneOptions {
  /** ANSI colours. */
  color?: boolean;
  /** Columns to fit in (default 120). */
  width?: number;
  /** Base for relative paths. */
  cwd?: string;
}

/** A path relative to `cwd` when it is under it, else as it is. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/** `models/kernel/rwlock.ts:17`, relative to `cwd` when the file is under it. */
export function siteText(site: SourceSite, cwd = process.cwd()): string {
  if (site.line === 0) return site.file;
  return `${displayPath(site.file, cwd)}:${site.line}`;
}

/** `uk_rwlock_rlock › spin_lock.acquire`: the step and the procedure it was called from. */
export function stepAction(s: TraceStep): string {
  return s.caller === null ? `${s.proc}.${s.label}` : `${s.caller} › ${s.proc}.${s.label}`;
}

/** `locks.A.sl: 0 → 2`. */
export function changeText(c: Change): string {
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`;
}

/** `choose frame = 2`: a value a step's `t.choose` returned, shown before its stores. */
export function choiceText(c: Choice): string {
  return `choose ${c.label} = ${show(c.value)}`;
}

const MIN_CHANGES = 20;
const MIN_LANE = 10;

/** A step name in a lane of width `w`; too long, it loses its beginning, not the label at its end. */
function fit(s: string, w: number): string {
  return s.length <= w ? s.padEnd(w) : `…${s.slice(s.length - (w - 1))}`;
}

/** An item wider than `w` is broken at spaces or commas (a change `path: old → new` reads fine over two lines). */
function pieces(item: string, w: number): string[] {
  if (item.length <= w) return [item];
  const out: string[] = [];
  let rest = item;
  while (rest.length > w) {
    // At a space, else after a comma of a JSON value, else anywhere.
    const cut = Math.max(rest.lastIndexOf(' ', w), rest.lastIndexOf(',', w - 1) + 1);
    const at = cut > 0 ? cut : w;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '') out.push(rest);
  return out;
}

/** Greedy wrap of items joined by ', ' into lines of at most `w` columns. */
function wrap(items: readonly string[], w: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const item of items) {
    const parts = pieces(item, w);
    for (const part of parts.slice(0, -1)) {
      if (cur !== '') lines.push(`${cur},`), (cur = '');
      lines.push(part);
    }
    const it = parts[parts.length - 1]!;
    const next = cur === '' ? it : `${cur}, ${it}`;
    if (cur !== '' && next.length > w) {
      lines.push(`${cur},`);
      cur = it;
    } else cur = next;
  }
  if (cur !== '') lines.push(cur);
  return lines;
}

/**
 * The steps of a counterexample as swimlanes: one column per thread (its core when threads
 * share one), one row per step with the step in its thread's column, the source line and the
 * state change (path: old → new; a store of the same value is shown, it is often the point).
 * Fits `width` columns: steps are shown with their caller when that fits, else alone; then
 * source files lose their folder, then step names lose their beginning to '…'; changes wrap onto
 * continuation rows. A `*` after a step number marks a preemption.
 */
export function renderSwimlanes(cx: Counterexample, o: SwimlaneOptions = {}): string[] {
  const p = paint(o.color ?? false);
  const width = o.width ?? 120;
  const cwd = o.cwd ?? process.cwd();
  const threads = cx.program.threads;
  const sharedCore = new Set(threads.map((t) => t.core)).size < threads.length;
  const heads = threads.map((t) => (sharedCore ? `${t.name}@core${t.core}` : t.name));
  const steps = cx.story.steps;
  let src = steps.map((s) => siteText(s.site, cwd));
  let srcW = Math.max(6, ...src.map((s) => s.length));
  const fixed = (lanes: number[]) => 2 + 5 + lanes.reduce((a, w) => a + 2 + w, 0) + 2 + srcW + 2;
  const lanesFor = (label: (s: TraceStep) => string) =>
    threads.map((t, i) => Math.max(heads[i]!.length, ...steps.filter((s) => s.tid === t.tid).map((s) => label(s).length)));
  let label = stepAction;
  let lanes = lanesFor(label);
  if (fixed(lanes) + MIN_CHANGES > width) {
    label = (s) => `${s.proc}.${s.label}`;
    lanes = lanesFor(label);
  }
  if (fixed(lanes) + MIN_CHANGES > width) {
    src = steps.map((s) => `${basename(s.site.file)}:${s.site.line}`);
    srcW = Math.max(6, ...src.map((s) => s.length));
  }
  if (fixed(lanes) + MIN_CHANGES > width) {
    // Cut only the widest lanes: the largest cap c with sum(min(w, c)) within the room left.
    const room = width - fixed(lanes.map(() => 0)) - MIN_CHANGES;
    let cap = Math.max(...lanes);
    while (cap > MIN_LANE && lanes.reduce((a, w) => a + Math.min(w, cap), 0) > room) cap--;
    lanes = lanes.map((w) => Math.min(w, cap));
  }
  const changesW = Math.max(MIN_CHANGES, width - fixed(lanes));
  const row = (num: string, cells: string[], source: string, change: string) =>
    `  ${num}  ${cells.join('  ')}  ${source.padEnd(srcW)}  ${change}`.trimEnd();
  const blank = lanes.map((w) => ' '.repeat(w));
  const out: string[] = [p.dim(row('step ', heads.map((h, i) => h.padEnd(lanes[i]!)), 'source', 'changes'))];
  const laneOf = new Map(threads.map((t, i) => [t.tid, i]));
  for (const [k, s] of steps.entries()) {
    const lane = laneOf.get(s.tid)!;
    const cells = lanes.map((w, i) => (i === lane ? p.lane(s.tid, fit(label(s), w)) : ' '.repeat(w)));
    const changes = wrap([...s.choices.map(choiceText), ...s.changes.map(changeText)], changesW);
    const fails = s.failures.map((f) => p.bad(`✗ assert ${f.property} failed${f.detail ? `: ${f.detail}` : ''}`));
    const rest = [...changes.slice(1), ...fails];
    const first = changes[0] ?? rest.shift() ?? '';
    const num = `${String(s.index).padStart(4)}${s.preempts ? '*' : ' '}`;
    out.push(row(num, cells, src[k]!, first));
    for (const line of rest) out.push(row('     ', blank, '', line));
  }
  if (steps.some((s) => s.preempts)) out.push(p.dim('  * preemption: the thread that ran before could have continued'));
  return out;
}
