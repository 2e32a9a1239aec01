import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test/unit/**/*.test.ts',
      'test/smoke/**/*.test.ts',
      'test/docs/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    // Guards against a hang, not a measure of speed: generous, so a busy machine never fails a test.
    // 120 s was not: at load 15–22 on 2 cores, tests that start the CLI ten times in a row and the
    // paging smoke tests (hours of virtual time, engine tick by tick) ran past it (2026-12-03).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default is cores - 1): much of a file's time is
    // spent waiting on PostgreSQL and on the CLI processes it starts.
    maxWorkers: 2,
  },
});
