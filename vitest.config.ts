import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/e2e/**', 'node_modules/**', 'dist/**'],
    // Two cores on the CI machine: keep parallelism modest so timing-sensitive
    // socket tests are not starved.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    env: { FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true' },
  },
});
