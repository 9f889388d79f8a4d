import { describe, expect, expectTypeOf, it } from 'vitest';
import { checkSpec, defineModel, procedure, spec, thread, type Model, type Thread, type ThreadOf } from '../../src/index.ts';

/**
 * Issue 12 item 3: types that catch model mistakes. The `@ts-expect-error` lines are the test
 * as much as the assertions: `npm test` runs tsc first, which fails if any of them compiles.
 */

type Shared = { ref: number; locks: Record<string, number> };
type Params = { atomic: boolean };

const get = procedure<Shared, Params, { old: number }>('refcount_get', {
  load: (s, t, p) => {
    if (p.atomic) { s.ref += 1; t.ret(); return; }
    t.old = s.ref;
  },
  store: (s, t) => {
    // @ts-expect-error: a misspelt local is a compile error once the locals are declared
    if (t.olld !== undefined) s.ref = 0;
    s.ref = t.old + 1;
  },
});

const refcount = defineModel({
  name: 'refcount',
  params: { atomic: false } as Params,
  shared: (): Shared => ({ ref: 1, locks: {} }),
  threads: () => [thread('C0', get), thread('C1', get)],
  finals: { 'no-lost-get': (s) => s.ref === 3 },
  invariants: { 'ref-positive': (s) => s.ref > 0 },
  assertions: ['I-lockowner'],
});

describe('typed locals and parameters', () => {
  it('gives t the declared locals and the members of Thread, and p the parameters', () => {
    expectTypeOf<ThreadOf<Params, { old: number }>['old']>().toEqualTypeOf<number>();
    expectTypeOf<ThreadOf<Params, { old: number }>['params']>().toEqualTypeOf<Params>();
    expectTypeOf<ThreadOf<Params, { old: number }>['tid']>().toEqualTypeOf<number>();
    // Without declared locals, any property is a local of type any, as before.
    expectTypeOf<ThreadOf<Params>>().toEqualTypeOf<Thread<Params>>();
  });

  it('keeps untyped procedures compiling, and typed ones usable wherever a procedure is', () => {
    const untyped = procedure('untyped', { a: (s, t) => { t.anything = s.whatever; } });
    const caller = procedure<Shared>('caller', { c: (s, t) => { t.call(get, { old: 0 }); t.call(untyped); } });
    expect(thread('T', caller).proc).toBe(caller);
    expect(thread('T', get).proc.labels).toEqual(['load', 'store']);
  });

  it('checks the arguments of thread() and t.call() against the declared locals', () => {
    expect(thread('T', get, { old: 1 }).args).toEqual({ old: 1 });
    // @ts-expect-error: a misspelt argument would be a local nobody reads
    expect(thread('T', get, { olld: 1 }).args).toEqual({ olld: 1 });
    const caller = procedure<Shared>('caller', {
      c: (s, t) => {
        // @ts-expect-error: the local is a number
        t.call(get, { old: 'one' });
        t.call('by_name', { anything: 1 }); // procedures called by name are not known to the compiler
      },
    });
    expect(caller.labels).toEqual(['c']);
  });

  it('checks exactly as an untyped model does', () => {
    const r = checkSpec(spec({ name: 'typed/plain', model: refcount, expect: { fail: 'no-lost-get' } }));
    expect([r.verdict, r.ok]).toEqual(['FAIL', true]);
    const atomic = checkSpec(spec({ name: 'typed/atomic', model: refcount, params: { atomic: true }, expect: 'pass' }));
    expect(atomic.verdict).toBe('PASS');
  });
});

describe("property names are part of the model's type", () => {
  it('lets a spec expect an invariant, a final, a declared assertion or deadlock, and nothing else', () => {
    const specs = [
      spec({ name: 'a', model: refcount, expect: { fail: 'no-lost-get' } }),
      spec({ name: 'b', model: refcount, expect: { fail: 'ref-positive' } }),
      spec({ name: 'c', model: refcount, expect: { fail: 'I-lockowner' } }),
      spec({ name: 'd', model: refcount, expect: { fail: 'deadlock' } }),
      // @ts-expect-error: no such property (the run-time check says the same, with the closest name)
      spec({ name: 'e', model: refcount, expect: { fail: 'no-lost-gett' } }),
    ];
    expect(specs.map((s) => s.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    type Names<M> = M extends Model<any, any, infer N> ? N : never;
    expectTypeOf<Names<typeof refcount>>().toEqualTypeOf<'no-lost-get' | 'ref-positive' | 'I-lockowner' | 'deadlock' | 'data-race' | 'starvation'>();
    expectTypeOf<'no-lost-gett'>().not.toExtend<Names<typeof refcount>>();
  });

  it('stays open when the names are not known to the compiler', () => {
    const names: Record<string, (s: Shared) => boolean> = { 'made-up': () => true };
    const dynamic = defineModel({ name: 'dyn', params: {}, shared: (): Shared => ({ ref: 1, locks: {} }), threads: () => [thread('C0', get)], invariants: names });
    expect(spec({ name: 'f', model: dynamic, expect: { fail: 'anything' } }).name).toBe('f');
    const loose: Model = refcount;
    expect(spec({ name: 'g', model: loose, expect: { fail: 'anything' } }).name).toBe('g');
  });

  it('refuses assertions that are not a list of names', () => {
    expect(() => defineModel({ name: 'bad', params: {}, shared: () => ({}), threads: () => [], assertions: 'I-x' as unknown as string[] }))
      .toThrow("model 'bad': assertions must be a list of the assertion names its steps check, e.g. ['I-lockowner']");
  });
});
