import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { renderCounterexample } from '../../src/report/text.ts';
import { loadCatalogue } from '../../specs/catalogue.ts';
import { catalogue } from './catalogue-schedules.ts';
import { matchedInOrderUpToRenaming, runCatalogueSchedule, storyLines } from './support.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
// MODELS.md gives schedules for the catalogue's sizes; the larger FAIL configurations are tested in their model's test file.
const specs = (await loadCatalogue()).catalogue;
const failing = specs.filter((s) => s.expect !== 'pass');

describe('every FAIL variant has a catalogue schedule', () => {
  it('lists each FAIL spec of the catalogue once', () => {
    expect(catalogue.map((c) => c.spec).sort()).toEqual(failing.map((s) => s.name).sort());
  });
});

describe.each(catalogue.map((c) => [c.spec, c] as const))('%s', (name, c) => {
  const s = failing.find((x) => x.name === name)!;
  const r = checkSpec(s, { engine: 'naive' });

  it("MODELS.md's schedule, replayed in the model, violates what the catalogue says", () => {
    const { violated } = runCatalogueSchedule(r.program!, c.schedule);
    expect(violated).toEqual(c.violates);
    expect(violated).toContain((s.expect as { fail: string }).fail);
  });

  it("the checker's counterexample tells the catalogue's story in order (up to which core plays which role)", () => {
    const lines = storyLines(r);
    const names = r.program!.threads.map((t) => t.name);
    expect(matchedInOrderUpToRenaming(lines, c.story, names), lines.join('\n')).toBe(c.story.length);
    expect(r.violation!.property).toBe((s.expect as { fail: string }).fail);
  });

  it('renders as pinned', async () => {
    const file = name.replace(/\//g, '.');
    await expect(renderCounterexample(r, { cwd: ROOT })).toMatchFileSnapshot(`./__snapshots__/${file}.naive.txt`);
  });
});
