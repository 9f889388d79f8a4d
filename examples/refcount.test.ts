// A vitest test of the tutorial's model (refcount.spec.ts), as a kernel team would write one
// next to its C code: checkSpec runs the spec, the smpcheck/vitest matchers judge the result
// and, when they fail, print the counterexample as `smpcheck check` does.
import { describe, expect, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread } from 'smpcheck';
import 'smpcheck/vitest';
import tutorial from './refcount.spec.ts';

describe('refcount_get', () => {
  it('loses a reference when f->ref++ is a load and a store', () => {
    const r = checkSpec(tutorial);
    expect(r).toHaveVerdict('FAIL');
    expect(r).toFailWith('no-lost-get');
  });

  it('keeps every reference with an atomic fetch_add', () => {
    const get = procedure<{ ref: number }>('refcount_get', {
      inc: (s) => { s.ref += 1; },
    });
    const fixed = defineModel({
      name: 'refcount-atomic',
      params: {},
      shared: () => ({ ref: 1 }),
      threads: () => [thread('C0', get), thread('C1', get)],
      finals: { 'no-lost-get': (s) => s.ref === 3 },
    });
    expect(checkSpec(spec({ name: 'refcount/atomic', model: fixed, expect: 'pass' }))).toHaveVerdict('PASS');
  });
});
