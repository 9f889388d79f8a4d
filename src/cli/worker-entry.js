// Entry of the thread that checks specs (see run-specs.ts). Plain JavaScript because a worker
// starts without the main thread's tsx hooks: it registers its own (register.js), so that it
// can import the spec files (TypeScript) itself. `ext`: worker.ts in the checkout, worker.js in
// the installed package.
import { ext } from './register.js';

await import(`./worker${ext}`);
