import { createHash } from 'node:crypto';
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckResult } from '../check/run.ts';
import type { SourceSite } from '../model/source.ts';
import type { ReportContext } from './context.ts';
import { counterexampleOf } from './counterexample.ts';
import { changeText, stepAction } from './swimlanes.ts';
import { renderProblem, verdictText } from './text.ts';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** Rule ids of unexpected verdicts that violate no property. */
const VERDICT_RULES: Record<string, string> = {
  ERROR: 'smpcheck/model-error',
  INCOMPLETE: 'smpcheck/incomplete',
  VACUOUS: 'smpcheck/vacuous',
  PASS: 'smpcheck/expected-violation-missing',
};

const VERDICT_HELP: Record<string, string> = {
  'smpcheck/model-error': 'The model or spec is broken: a step threw, a step is nondeterministic, or the parameters are bad.',
  'smpcheck/incomplete': 'A bound cut the search before it covered every interleaving, and nothing failed in what it covered.',
  'smpcheck/vacuous': 'Every property held, but a witness was never reached: the model may not exercise the concurrency it claims to.',
  'smpcheck/expected-violation-missing': 'The spec expects a violation (a known bug kept as a regression test), but every interleaving satisfied the property.',
};

/** `ruleId` of an unexpected result: the violated property, or what kind of non-violation it is. */
function ruleOf(r: CheckResult): string {
  return r.violation?.property ?? VERDICT_RULES[r.verdict] ?? `smpcheck/${r.verdict.toLowerCase()}`;
}

/**
 * SARIF 2.1.0: one result per unexpected verdict, `ruleId` the violated property, located at
 * the step that failed (or where a deadlocked thread waits) in the model file, with a code
 * flow holding one thread flow per thread (core) whose locations carry the global step order
 * in `executionOrder` and the step's state change in `state`. `partialFingerprints` hash the
 * spec and the property, so a code-scanning service deduplicates repeated runs of one bug.
 */
export function sarifReport(ctx: ReportContext) {
  const artifact = (site: SourceSite) => {
    const rel = relative(ctx.cwd, site.file);
    if (rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(site.file).href };
    return { uri: rel.split(sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
  };
  const location = (site: SourceSite, text?: string) => ({
    physicalLocation: { artifactLocation: artifact(site), region: { startLine: Math.max(1, site.line) } },
    ...(text !== undefined ? { message: { text } } : {}),
  });
  const bad = ctx.results.filter((r) => !r.ok);
  const ruleIds = [...new Set(bad.map(ruleOf))].sort();
  const rules = ruleIds.map((id) => ({
    id,
    name: id.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase()),
    shortDescription: { text: VERDICT_HELP[id] ?? `Property ${id} of an smpcheck model is violated in some interleaving.` },
    defaultConfiguration: { level: 'error' },
  }));
  const results = bad.map((r) => {
    const cx = counterexampleOf(r);
    const ruleId = ruleOf(r);
    const where = cx?.site ?? r.spec.site;
    const head = `${r.name}: expected ${r.expected}, got ${verdictText(r)}`;
    const text = cx ? `${head}: ${cx.summary}` : r.error ? `${head}: ${r.error.message}` : head;
    const result: Record<string, unknown> = {
      ruleId,
      ruleIndex: ruleIds.indexOf(ruleId),
      level: 'error',
      message: { text, markdown: `**${r.name}**: expected \`${r.expected}\`, got \`${verdictText(r)}\`\n\n\`\`\`text\n${renderProblem(r, { cwd: ctx.cwd, width: ctx.width, traceFile: ctx.traceFile })}\n\`\`\`` },
      locations: [location(where)],
      relatedLocations: [{ id: 0, ...location(r.spec.site, `spec ${r.name}`) }],
      partialFingerprints: { 'smpcheckSpecProperty/v1': createHash('sha256').update(`${r.name}\0${ruleId}`).digest('hex') },
      properties: { spec: r.name, expected: r.expected, verdict: r.verdict, engine: r.engine },
    };
    if (cx !== undefined && cx.story.steps.length > 0) {
      result.codeFlows = [{
        message: { text: cx.summary },
        threadFlows: cx.program.threads
          .filter((t) => cx.story.steps.some((s) => s.tid === t.tid))
          .map((t) => ({
            id: t.name,
            message: { text: `thread ${t.name} on core ${t.core}` },
            locations: cx.story.steps.filter((s) => s.tid === t.tid).map((s) => ({
              location: location(s.site, `step ${s.index}: ${stepAction(s)}${s.failures.map((f) => `; assert ${f.property} failed`).join('')}`),
              executionOrder: s.index,
              ...(s.changes.length > 0 ? { state: Object.fromEntries(s.changes.map((c) => [c.path, { text: changeText(c).slice(c.path.length + 2) }])) } : {}),
              ...(s.index === cx.story.steps.length ? { importance: 'essential' } : {}),
            })),
          })),
      }];
    }
    return result;
  });
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'smpcheck', semanticVersion: ctx.version, version: ctx.version, rules } },
      originalUriBaseIds: { '%SRCROOT%': { uri: pathToFileURL(ctx.cwd.endsWith(sep) ? ctx.cwd : ctx.cwd + sep).href } },
      // An interrupted run (SIGINT/SIGTERM) did not finish: not a successful execution either.
      invocations: [{ executionSuccessful: ctx.results.every((r) => r.verdict !== 'ERROR' && !r.cut.includes('interrupted')) }],
      results,
    }],
  };
}
