import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real worker threads and real processes: generous per-test limits on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Tests that start worker pools or processes compete for the two cores; two files at a time is enough.
    maxWorkers: 2,
  },
});
