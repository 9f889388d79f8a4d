import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir, NOT_REACH } from '../support/cli.ts';

/**
 * The SARIF 2.1.0 schema (draft-04, test/schemas/README.md says where it comes from). Its
 * `language` pattern is not a valid unicode regular expression (fixed in the OASIS errata), so
 * patterns are compiled without the `u` flag, as draft-04 validators did.
 */
function sarifValidator() {
  // CommonJS packages: their class and function are the `default` of the module object.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
  ajvFormats.default(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'test/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
}

function run() {
  const dir = tempDir();
  const file = join(dir, 'report.sarif');
  const r = cli(['check', 'specs/falloc_pop.spec.ts', 'test/fixtures/unexpected', 'test/fixtures/model-error', '--engine', 'naive', '-t', NOT_REACH, '--reporter', `sarif=${file}`, '--reporter', 'json']);
  return { r, sarif: JSON.parse(readFileSync(file, 'utf8')) };
}

describe('the sarif reporter', () => {
  const { r, sarif } = run();
  const validate = sarifValidator();

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The validator does reject what the schema forbids.
    expect(validate({ ...sarif, runs: [{ ...sarif.runs[0], results: [{ ruleId: 'x', message: { text: 'm' }, level: 'fatal' }] }] })).toBe(false);
  });

  it('has one result per unexpected verdict, ruled by the violated property', () => {
    expect(JSON.parse(r.out).summary).toMatchObject({ total: 8, failed: 2 }); // json on stdout, untouched
    const results = sarif.runs[0].results;
    expect(results.map((x: any) => x.ruleId)).toEqual(['I-count', 'smpcheck/model-error']);
    expect(sarif.runs[0].tool.driver.rules.map((x: any) => x.id)).toEqual(['I-count', 'smpcheck/model-error']);
  });

  it('locates a violation at the step of the model that completes it, with one thread flow per core', () => {
    const res = sarif.runs[0].results[0];
    expect(res.locations[0].physicalLocation).toMatchObject({ artifactLocation: { uri: 'models/falloc_pop.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: expect.any(Number) } });
    expect(res.relatedLocations[0].physicalLocation.artifactLocation.uri).toBe('test/fixtures/unexpected/falloc_unlocked.spec.ts');
    const flows = res.codeFlows[0].threadFlows;
    expect(flows.map((f: any) => f.id)).toEqual(['C0', 'C1']);
    const order = flows.flatMap((f: any) => f.locations.map((l: any) => l.executionOrder)).sort((a: number, b: number) => a - b);
    expect(order).toEqual(order.map((_: number, i: number) => i + 1)); // every step once, in global order
    const store = flows.flatMap((f: any) => f.locations).find((l: any) => l.state?.free_memory?.text === '3 → 3');
    expect(store.location.message.text).toMatch(/bfa_do_alloc_any\.A6_store_free/);
  });

  it('fingerprints results stably, so repeated runs deduplicate', () => {
    const again = run().sarif;
    const fp = (s: any) => s.runs[0].results.map((x: any) => x.partialFingerprints);
    expect(fp(again)).toEqual(fp(sarif));
    expect(Object.keys(fp(sarif)[0])).toEqual(['smpcheckSpecProperty/v1']);
  });
});
