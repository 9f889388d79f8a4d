import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/check/run.ts';
import { replay } from '../../src/check/replay.ts';
import { renderCounterexample } from '../../src/report/text.ts';
import fallocPop from '../../specs/falloc_pop.spec.ts';
import m4 from '../../specs/rwlock_wakeup_pagefault.spec.ts';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Pins the wording and layout of what users read: a change shows up as a diff in review. */
describe('rendered counterexamples', () => {
  it('M4 V1 tells the seed crash: wake-up tail with IRQs off, page fault, contended rwlock, schedule()', async () => {
    const r = checkSpec(m4.find((s) => s.name === 'rwlock_wakeup_pagefault/V1')!, { engine: 'naive' });
    const text = renderCounterexample(r, { cwd: ROOT });
    await expect(text).toMatchFileSnapshot('./__snapshots__/m4-v1.naive.txt');
    // The meeting's story, in order (other steps may sit in between).
    const story = replay(r.program!, r.violation!.schedule).steps.map((s) => `${s.thread} ${s.proc}.${s.label} ${s.changes.map((c) => c.path).join(',')}`);
    const expected = [
      /^T1 spin_lock.acquire locks.A.sl$/, // T1 write-locks A
      /^T0 wait_event.enqueue wq.A.shared,runnable.0$/, // T0 sleeps on A (schedule() with IRQs on: fine)
      /^T0 schedule.check $/,
      /^T1 uk_rwlock_wlock.take rw.B/, // T1 write-holds B (the VMA list)
      /^T1 uk_thread_wake.wake runnable.0$/, // wunlock(A) wakes T0
      /^T0 irq_save.cli irq_on.0$/, // wake-up tail: IRQs off
      /^T0 page_fault.trap irq_on.0,in_fault.0$/, // uk_thread_wake(self) touches page P: #PF
      /^T0 uk_rwlock_rlock.pend rw.B.npend_r$/, // vmem_pagefault: rlock(vma_list_lock) is contended
      /^T0 schedule.check $/, // schedule() with IRQs off: UK_CRASH
    ];
    let i = 0;
    for (const line of story) if (i < expected.length && expected[i]!.test(line)) i++;
    expect(i, story.join('\n')).toBe(expected.length);
    expect(r.violation!.schedule.length).toBe(story.length);
  });

  it('M1 U: two cores pop frame 0', async () => {
    const r = checkSpec(fallocPop.find((s) => s.name === 'falloc_pop/U')!, { engine: 'naive' });
    await expect(renderCounterexample(r, { cwd: ROOT })).toMatchFileSnapshot('./__snapshots__/m1-u.naive.txt');
  });

  it('M4 V3 deadlock: who waits where', async () => {
    const r = checkSpec(m4.find((s) => s.name === 'rwlock_wakeup_pagefault/V3')!, { engine: 'naive' });
    await expect(renderCounterexample(r, { cwd: ROOT })).toMatchFileSnapshot('./__snapshots__/m4-v3.naive.txt');
  });

  it('are coloured on a terminal: a colour per thread, failures in red', async () => {
    const r = checkSpec(fallocPop.find((s) => s.name === 'falloc_pop/L-TAS')!, { engine: 'naive' });
    const text = renderCounterexample(r, { cwd: ROOT, color: true });
    await expect(text).toMatchFileSnapshot('./__snapshots__/m1-l-tas.color.txt');
    expect(text).toContain('\x1b[36m'); // C0's lane
    expect(text).toContain('\x1b[35m'); // C1's lane
    expect(text).toContain('\x1b[31m✗ assert I-lockowner failed');
  });

  it('fit in 120 columns, and in 80 by shortening the step names', async () => {
    for (const s of [...fallocPop, ...m4]) {
      const r = checkSpec(s, { engine: 'naive' });
      if (!r.violation) continue;
      for (const line of renderCounterexample(r, { cwd: ROOT, width: 120 }).split('\n')) {
        if (/^\s+(\d+\*?|)\s/.test(line) && !line.includes('✗ assert') && !line.includes('Re-check')) expect(line.length, line).toBeLessThanOrEqual(120);
      }
    }
    const r = checkSpec(m4.find((s) => s.name.endsWith('/V1'))!, { engine: 'naive' });
    const narrow = renderCounterexample(r, { cwd: ROOT, width: 80 });
    await expect(narrow).toMatchFileSnapshot('./__snapshots__/m4-v1.width80.txt');
  });

  it('show the lengths before and after minimisation', () => {
    const r = checkSpec(fallocPop.find((s) => s.name === 'falloc_pop/L-TAS')!, { engine: 'naive' });
    expect(renderCounterexample(r, { cwd: ROOT })).toContain(`minimised: ${r.minimization!.originalLength} → ${r.minimization!.length} steps`);
    const raw = checkSpec(fallocPop.find((s) => s.name === 'falloc_pop/L-TAS')!, { engine: 'naive', minimize: false });
    expect(raw.minimization).toBeUndefined();
    expect(raw.violation!.schedule.length).toBe(r.minimization!.originalLength);
  });
});
