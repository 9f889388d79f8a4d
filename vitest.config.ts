import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Spec files (specs/*.spec.ts) are inputs of `smpcheck check`, not vitest suites.
export default defineConfig({
  // `smpcheck`, `smpcheck/kernel` and `smpcheck/vitest` are the checkout's TypeScript sources
  // (the 'smpcheck-source' condition of package.json's exports), as for tsc and the CLI.
  ssr: { resolve: { conditions: ['smpcheck-source', ...defaultServerConditions] } },
  test: {
    // examples/*.test.ts: the vitest example for users (README, vitest).
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // Heavy tests are sized by work (counts, runs), never by the clock: a busy machine must not
    // fail them. The limit is only a safety net against a hang.
    testTimeout: 20 * 60_000,
    hookTimeout: 20 * 60_000,
    // vitest's default is one worker fewer than the CPUs: a single worker on the 2-core CI
    // machine. The suite's files are independent and CPU-bound, so use both cores.
    maxWorkers: 2,
    env: { SMPCHECK_FREEZE: '1' },
  },
});
