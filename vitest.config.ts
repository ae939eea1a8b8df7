import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Native addons crash under worker threads: run test files in child processes.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    // Builds dist/ once (CLI tests run it); test files never rebuild it concurrently.
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
