import { defineConfig } from 'vitest/config';

// System tests: Debian's PostgreSQL 15 as an external server (scripts/system-deps.sh installs it),
// several Tocsin processes, real HTTP. The integration suite runs again on that server too.
export default defineConfig({
  test: {
    include: ['test/system/**/*.test.ts', 'src/**/*.test.ts'],
    globalSetup: ['test/system/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
