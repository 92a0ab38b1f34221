import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the real claude against the simulator, through the built
// ccs. The global setup installs the pinned claude into a cache outside the
// repository (about 400 MB the first time) and fails when it cannot.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    maxWorkers: 1,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    env: { FORCE_COLOR: '0', NO_COLOR: '1', CI: 'true' },
  },
});
