import { defineModel, procedure, range, spec, thread } from 'smpcheck';

/**
 * An allocation that may fail. `palloc` returns -ENOMEM when the pool is empty, and may also
 * fail when it is not (a per-CPU cache miss, a fault injector): `t.choose` makes the checker
 * explore both outcomes of every call. A driver's probe allocates two buffers; on the second
 * failure the `leak` variant returns without freeing the first (the classic error-path bug).
 */
type Pool = { free: number };
type Params = { cores: number; frames: number; variant: 'leak' | 'fixed' };

const ENOMEM = -12;

const palloc = procedure<Pool>('palloc', {
  take: (s, t) => {
    if (s.free === 0 || t.choose('palloc', ['ok', '-ENOMEM']) === '-ENOMEM') return t.ret(ENOMEM);
    s.free--;
    t.ret(0);
  },
});

const pfree = procedure<Pool>('pfree', {
  give: (s) => { s.free++; },
});

const probe = procedure<Pool, Params>('driver_probe', {
  first: (s, t) => { t.call(palloc, {}, { into: 'a' }); },
  check_first: (s, t) => { if (t.a === ENOMEM) t.ret(ENOMEM); },
  second: (s, t) => { t.call(palloc, {}, { into: 'b' }); },
  check_second: (s, t, p) => {
    if (t.b !== ENOMEM) return t.goto('release');
    if (p.variant === 'fixed') t.call(pfree, {}, { then: 'out' });
    else t.ret(ENOMEM); // leak: the first buffer is lost
  },
  release: (s, t) => { t.call(pfree); },
  release2: (s, t) => { t.call(pfree); },
  out: (s, t) => { t.ret(t.b === ENOMEM ? ENOMEM : 0); },
});

export const enomem = defineModel({
  name: 'enomem',
  params: { cores: 2, frames: 3, variant: 'fixed' } as Params,
  shared: ({ frames }): Pool => ({ free: frames }),
  threads: ({ cores }) => range(cores).map((c) => thread(`C${c}`, probe)),
  invariants: { 'pool-bounds': (s, p) => s.free >= 0 && s.free <= p.frames },
  finals: { 'no-leak': (s, p) => s.free === p.frames },
});

export default [
  spec({ name: 'enomem/leak', model: enomem, params: { variant: 'leak' }, expect: { fail: 'no-leak' } }),
  spec({ name: 'enomem/fixed', model: enomem, params: { variant: 'fixed' }, expect: 'pass' }),
];
