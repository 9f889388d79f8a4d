import { describe, expect, it } from 'vitest';
import { defineModel, procedure, thread } from '../../src/index.ts';
import { stuckThreads } from '../../src/check/replay.ts';
import { Program } from '../../src/model/program.ts';

describe('a deadlock report names the step each thread is blocked at', () => {
  it('names the blocked step, not the local step fused in front of it, and points at its line', () => {
    // `prepare` only touches locals, so it is fused into `wait`, which is what is blocked.
    const p = procedure<{ go: boolean }>('waiter', {
      prepare: (s, t) => { t.n = 1; },
      wait: (s, t) => { t.await(s.go, 'go is false'); },
    });
    const program = new Program(defineModel({ name: 'm', params: {}, shared: () => ({ go: false }), threads: () => [thread('T', p)] }), {});
    const [stuck] = stuckThreads(program, program.initial);
    expect(stuck).toMatchObject({ thread: 'T', step: 'waiter.wait', from: 'waiter.prepare', why: 'go is false' });
    expect(stuck!.site).toEqual(program.site('waiter', 'wait'));
    expect(stuck!.site).not.toEqual(program.site('waiter', 'prepare'));
  });
});
