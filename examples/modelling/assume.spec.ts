import { defineModel, procedure, spec, thread } from 'smpcheck';

/**
 * `t.assume` restricts what the environment may do, as `__VERIFIER_assume` does in C
 * benchmarks: an execution whose assumption is false is discarded (counted as assumeBlocked),
 * never a deadlock or a violation. Here a request length comes from the environment
 * (`t.choose`), the caller guarantees it is not zero, and a bounded copy into a 4-byte buffer
 * must never overflow. The `unchecked` variant forgets the bound check.
 */
type S = { used: number };
type P = { variant: 'checked' | 'unchecked' };

const request = procedure<S, P>('handle_request', {
  read_len: (s, t) => {
    t.len = t.choose('len', [0, 1, 2, 3, 4, 5]);
    t.assume(t.len !== 0, 'callers never send an empty request');
  },
  copy: (s, t, p) => {
    const n = p.variant === 'checked' ? Math.min(t.len, 4 - s.used) : t.len;
    s.used += n;
  },
});

export const assumeModel = defineModel({
  name: 'bounded_copy',
  params: { variant: 'checked' } as P,
  shared: (): S => ({ used: 0 }),
  threads: () => [thread('C0', request), thread('C1', request)],
  invariants: { 'no-overflow': (s) => s.used <= 4 },
});

export default [
  spec({ name: 'bounded_copy/checked', model: assumeModel, expect: 'pass' }),
  spec({ name: 'bounded_copy/unchecked', model: assumeModel, params: { variant: 'unchecked' }, expect: { fail: 'no-overflow' } }),
];
