// Entry of a helper thread of a split search (src/explore/split-search.ts): like worker-entry.js,
// it registers the hooks that load TypeScript spec files, then runs split-helper.
import { ext } from './register.js';

await import(`./split-helper${ext}`);
