// Entry of the thread that checks specs (see run-specs.ts). Plain JavaScript because a worker
// starts without the main thread's tsx hooks: it registers its own, so that it can import the
// spec files (TypeScript) itself.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
