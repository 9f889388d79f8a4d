import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/cli.ts';
import { tool } from '../support/tools.ts';

const CHROMIUM = '/usr/bin/chromium';
const browser = tool(CHROMIUM, 'chromium');

/** Debian's Chromium, headless, offline, with a profile of its own; never a downloaded browser. */
async function launch(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'smpcheck-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

describe.runIf(browser.run)('the html report of the M4 V1 counterexample (headless Chromium)', () => {
  const dir = tempDir();
  const file = join(dir, 'report.html');
  let context: BrowserContext;
  const requests: string[] = [];

  beforeAll(async () => {
    expect(browser.available, browser.missing).toBe(true);
    const r = cli(['check', 'specs/rwlock_wakeup_pagefault.spec.ts', '-t', '/V1$', '--reporter', `html=${file}`]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    context = await launch();
    context.on('request', (req) => requests.push(req.url()));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
  });

  it('is one self-contained file', () => {
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|@import|url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('shows the summary, and the state diff of a step when it is clicked', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await expect.poll(() => page.locator('table.results tbody tr').count()).toBe(1);
    expect(await page.locator('table.results').innerText()).toMatch(/rwlock_wakeup_pagefault\/V1\s+specs\/rwlock_wakeup_pagefault\.spec\.ts\s+fail I-sched-irq\s+FAIL I-sched-irq/);

    const section = page.locator('section.cx');
    expect(await section.locator('.summary').innerText()).toMatch(/^assertion I-sched-irq failed at step \d+ \(schedule\(\) on core 0 with IRQs disabled\)$/);
    // The panel starts at the failing step.
    const steps = await section.locator('tr.step').count();
    expect(await section.locator('.detail .step-title').innerText()).toBe(`Step ${steps} of ${steps} · T0 on core 0`);

    // T0 goes to sleep on A's wait queue: click that step, see its diff and the state after it.
    const enqueue = section.locator('tr.step', { hasText: 'wait_event.enqueue' }).first();
    const n = Number(await enqueue.getAttribute('data-step'));
    await enqueue.click();
    const detail = section.locator('.detail');
    expect(await detail.locator('.step-title').innerText()).toBe(`Step ${n} of ${steps} · T0 on core 0`);
    expect(await detail.locator('.action').innerText()).toBe('uk_rwlock_rlock › wait_event.enqueue');
    expect(await detail.locator('li.change').allInnerTexts()).toEqual(['wq.A.shared: [] → [0]', 'runnable.0: true → false']);
    expect(await detail.locator('.state').innerText()).toContain('"A.shared": [0]');
    expect((await detail.locator('.state mark').allInnerTexts()).sort()).toEqual(['[0]', 'false']); // runnable.0 and wq.A.shared
    expect(await enqueue.getAttribute('class')).toContain('selected');

    // The keyboard walks the trace.
    await page.keyboard.press('ArrowDown');
    expect(await detail.locator('.step-title').innerText()).toBe(`Step ${n + 1} of ${steps} · T0 on core 0`);
    await page.screenshot({ path: join(dir, 'report.png') });

    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
  });
});
