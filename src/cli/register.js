// Makes TypeScript spec files and models loadable in this thread: tsx's hooks, and smpcheck's
// own (hooks.js). bin/smpcheck.js imports it in the main thread, worker-entry.js in each worker.
// Plain JavaScript, copied as it is into the package's dist/src/cli/.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

/** The checkout runs its TypeScript sources (src/cli/main.ts); the installed package its compiled JavaScript. */
export const fromSource = existsSync(new URL('./main.ts', import.meta.url));
/** How the modules next to this one are named: `.ts` in the checkout, `.js` in the package. */
export const ext = fromSource ? '.ts' : '.js';

registerTsx();
register('./hooks.js', { parentURL: import.meta.url, data: { fromSource } });
