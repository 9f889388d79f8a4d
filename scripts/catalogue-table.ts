/**
 * Runs every spec of specs/ and prints the model catalogue as a Markdown table (model, variant,
 * size, what it shows, expected verdict; the default engine's choice, what it explored and its
 * time; DPOR's executions and time). With `--write` it replaces the table between the catalogue
 * markers in README.md. Exits 1 when a spec does not get its expected verdict from the default
 * engine, or from DPOR where DPOR finishes: the table only ever shows a real, passing run.
 *
 * Each spec runs with the default engine (auto, what `npm run check` runs), then with DPOR
 * under a DPOR_BUDGET_MS budget, one at a time.
 *
 *   node --import tsx scripts/catalogue-table.ts [--write]      (npm run catalogue)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { checkSpec, type CheckResult } from '../src/check/run.ts';
import type { Spec } from '../src/check/spec.ts';
import { loadCatalogue } from '../specs/catalogue.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const BEGIN = '<!-- catalogue:begin -->';
const END = '<!-- catalogue:end -->';

/** MODELS.md numbering. */
const NUMBER: Record<string, string> = {
  falloc_pop: 'M1', falloc_any_vs_specific: 'M2', falloc_merge_inflight: 'M3', rwlock_wakeup_pagefault: 'M4', rwlock_upgrade: 'M5',
  pgmap_table_alloc_race: 'M6', pgfault_leaf_race: 'M7', pgattr_uniform: 'M8', frame_refcount: 'M9', bbuddy_level_locks: 'M10',
};

function ms(d: number): string {
  return d < 1000 ? `${Math.max(1, Math.round(d))} ms` : `${(d / 1000).toFixed(1)} s`;
}

const count = (n: number) => n.toLocaleString('en-US');

/** DPOR's budget per spec in the table: it counts traces, and the larger ones have millions. */
const DPOR_BUDGET_MS = 10_000;

/** A larger configuration's size, from the trailing segments of its name: `3cores/3ops` → 3 cores, 3 ops per core. */
function size(s: Spec, kind: Row['kind']): string {
  if (kind !== 'larger') return kind;
  const parts: string[] = [];
  for (const seg of s.name.split('/').slice(2)) {
    const m = /^(\d+)(cores|ops|readers|faults|sharers)$/.exec(seg);
    if (m !== null) parts.push(`${m[1]} ${m[2] === 'ops' ? 'ops per core' : m[2]}`);
  }
  if (parts.length === 0) throw new Error(`${s.name}: a larger configuration is named <model>/<variant>/<n>cores (ops, readers, faults, sharers)`);
  return `**${parts.join(', ')}**`;
}

interface Row {
  spec: Spec;
  kind: 'catalogue' | 'larger' | 'liveness';
  auto: CheckResult;
  dpor: CheckResult | null;
}

function explored(r: CheckResult): string {
  if (r.engine === 'random') return `${count(r.stats.executions)} schedules`;
  return r.engine === 'dpor' ? `${count(r.stats.executions)} executions` : `${count(r.stats.states ?? 0)} states`;
}

function dporCell(r: CheckResult | null): string {
  if (r === null) return '—'; // liveness needs the whole state graph: DPOR does not check it
  if (r.cut.includes('time')) return `over ${DPOR_BUDGET_MS / 1000} s (${count(r.stats.executions)} executions)`;
  return `${count(r.stats.executions)} / ${ms(r.durationMs)}`;
}

function row(r: Row, first: boolean): string {
  const model = r.spec.model.name;
  const variant = r.spec.name.startsWith(`${model}/`) ? r.spec.name.slice(model.length + 1) : r.spec.name;
  const expected = r.spec.expect === 'pass' ? 'PASS' : `FAIL ${r.spec.expect.fail}`;
  const modelCell = first ? `${NUMBER[model] ?? ''} \`${model}\`` : '';
  return `| ${modelCell} | ${variant} | ${size(r.spec, r.kind)} | ${r.spec.description ?? ''} | ${expected} | ${r.auto.engine} | ${explored(r.auto)} | ${ms(r.auto.durationMs)} | ${dporCell(r.dpor)} |`;
}

const { catalogue, larger, liveness } = await loadCatalogue(`${ROOT}specs`);
const order = Object.keys(NUMBER);
// Per model: its catalogue variants, then its larger configurations, then its liveness specs (a stable sort keeps file order).
const specs = [...catalogue, ...larger, ...liveness].sort((a, b) => rank(a) - rank(b));
function rank(s: Spec): number {
  const i = order.indexOf(s.model.name);
  return i < 0 ? order.length : i;
}
const rows: Row[] = specs.map((spec) => {
  const kind = larger.includes(spec) ? 'larger' : liveness.includes(spec) ? 'liveness' : 'catalogue';
  return { spec, kind, auto: checkSpec(spec), dpor: kind === 'liveness' ? null : checkSpec(spec, { engine: 'dpor', bounds: { timeMs: DPOR_BUDGET_MS } }) };
});
const bad = rows.flatMap((r) => (r.dpor === null ? [r.auto] : [r.auto, r.dpor])).filter((r) => !r.ok && !(r.engine === 'dpor' && r.verdict === 'INCOMPLETE'));
if (bad.length > 0) {
  for (const r of bad) console.error(`${r.name} (${r.engine}): expected ${r.expected}, got ${r.verdict}${r.error ? ` (${r.error.message})` : ''}`);
  process.exit(1);
}

const lines = [
  '| Model | Variant | Size | What it shows | Expected verdict | Engine | Explored | Time | DPOR: executions / time |',
  '| --- | --- | --- | --- | --- | --- | ---: | ---: | ---: |',
  ...rows.map((r, i) => row(r, i === 0 || rows[i - 1]!.spec.model !== r.spec.model)),
];
const total = (engine: 'auto' | 'dpor', which: (r: Row) => boolean) => ms(rows.filter(which).reduce((t, r) => t + (r[engine]?.durationMs ?? 0), 0));
const all = () => true;
const dporCut = rows.filter((r) => r.dpor?.cut.includes('time')).length;
const summary =
  `${rows.length} specs (${catalogue.length} at the catalogue's sizes, ${larger.length} larger, ${liveness.length} of liveness), every one with its expected verdict from the default engine` +
  `${dporCut > 0 ? ` and from DPOR wherever DPOR finished within ${DPOR_BUDGET_MS / 1000} s (${dporCut} did not)` : ' and from DPOR'}. ` +
  `Default engine: ${total('auto', all)} in all, ${total('auto', (r) => r.kind === 'larger')} of it for the larger configurations; ` +
  `DPOR: ${total('dpor', all)} in all, cut ones at their budget`;
const table = `${lines.join('\n')}\n\n${summary} (single-threaded, ${process.platform}/${process.arch}, Node ${process.versions.node}).`;

if (process.argv.includes('--write')) {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${BEGIN} … ${END} block`);
    process.exit(1);
  }
  writeFileSync(`${ROOT}README.md`, `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`);
  console.log(`README.md: catalogue table updated (${rows.length} specs)`);
} else {
  console.log(table);
}
