/**
 * Runs every spec of specs/ with the naive engine and prints the model catalogue as a Markdown
 * table (model, variant, what it shows, expected verdict, states, executions, time). With
 * `--write` it replaces the table between the catalogue markers in README.md. Exits 1 when a
 * spec does not get its expected verdict: the table only ever shows a real, passing run.
 *
 *   node --import tsx scripts/catalogue-table.ts [--write]      (npm run catalogue)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { checkSpec, type CheckResult } from '../src/check/run.ts';
import { findSpecFiles, loadSpecs } from '../src/cli/load.ts';

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

function row(r: CheckResult, first: boolean): string {
  const model = r.spec.model.name;
  const variant = r.name.startsWith(`${model}/`) ? r.name.slice(model.length + 1) : r.name;
  const expected = r.spec.expect === 'pass' ? 'PASS' : `FAIL ${r.spec.expect.fail}`;
  const executions = r.verdict === 'PASS' ? r.stats.executions.toLocaleString('en-US') : '—';
  const modelCell = first ? `${NUMBER[model] ?? ''} \`${model}\`` : '';
  return `| ${modelCell} | ${variant} | ${r.spec.description ?? ''} | ${expected} | ${r.stats.states ?? ''} | ${executions} | ${ms(r.durationMs)} |`;
}

const specs = await loadSpecs(findSpecFiles([`${ROOT}specs`]));
const order = Object.keys(NUMBER);
specs.sort((a, b) => order.indexOf(a.model.name) - order.indexOf(b.model.name));
const results = specs.map((s) => checkSpec(s, { engine: 'naive' }));
const bad = results.filter((r) => !r.ok);
if (bad.length > 0) {
  for (const r of bad) console.error(`${r.name}: expected ${r.expected}, got ${r.verdict}${r.error ? ` (${r.error.message})` : ''}`);
  process.exit(1);
}

const lines = [
  '| Model | Variant | What it shows | Expected verdict | States | Executions | Time |',
  '| --- | --- | --- | --- | ---: | ---: | ---: |',
  ...results.map((r, i) => row(r, i === 0 || results[i - 1]!.spec.model !== r.spec.model)),
];
const total = results.reduce((t, r) => t + r.durationMs, 0);
const table = `${lines.join('\n')}\n\n${results.length} specs, every one with its expected verdict, in ${ms(total)} (naive engine, single-threaded, ${process.platform}/${process.arch}, Node ${process.versions.node}).`;

if (process.argv.includes('--write')) {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  const a = readme.indexOf(BEGIN);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) {
    console.error(`README.md has no ${BEGIN} … ${END} block`);
    process.exit(1);
  }
  writeFileSync(`${ROOT}README.md`, `${readme.slice(0, a + BEGIN.length)}\n${table}\n${readme.slice(b)}`);
  console.log(`README.md: catalogue table updated (${results.length} specs)`);
} else {
  console.log(table);
}
