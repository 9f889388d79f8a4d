import { defineModel, procedure, spec, thread } from 'smpcheck';

// refcount_get as the C compiles `f->ref++`: a load, then a store.
const get = procedure<{ ref: number }>('refcount_get', {
  load: (s, t) => { t.old = s.ref; },
  store: (s, t) => { s.ref = t.old + 1; },
});

const refcount = defineModel({
  name: 'refcount',
  params: {},
  shared: () => ({ ref: 1 }),
  threads: () => [thread('C0', get), thread('C1', get)],
  finals: { 'no-lost-get': (s) => s.ref === 3 },
});

export default spec({ name: 'refcount/get', model: refcount, expect: 'pass' });
