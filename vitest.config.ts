import { defineConfig } from 'vitest/config';

// Spec files (specs/*.spec.ts) are inputs of `smpcheck check`, not vitest suites.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    env: { SMPCHECK_FREEZE: '1' },
  },
});
