import { defineConfig } from 'vitest/config';

// Most files share one module graph per worker (isolate: false): each gets its own database from the
// migrated template, its own virtual clock and server, and leaves nothing in a module behind; sharing
// saves importing the ~400-module app again for every file. A file stays isolated (a fresh module graph)
// when it changes what modules read once or keep: environment variables read into a module (providers,
// TOCSIN_PUBLIC_URL), spies or stubbed globals, the OIDC discovery cache keyed by a fake's loopback port.
// A new file is shared unless it does one of these; when in doubt, add it here.
const ISOLATED = [
  // vi.stubEnv: environment read once by modules (outbound allow-list, providers, public URL).
  'src/domain/incidents/affected-users.test.ts',
  'src/domain/subscribers/subscribers.test.ts',
  'src/engine/status-page-maintenance.test.ts',
  'src/integrations/email-in/email-in.test.ts',
  'src/integrations/email-in/smtp-security.test.ts',
  'test/docs/integrations.test.ts',
  // process.env set for the file (signing secrets, provider tokens, Prometheus, a service key).
  'src/domain/chat/slash-commands.test.ts',
  'src/domain/paging/ack-routes.test.ts',
  'src/domain/verification/verification.test.ts',
  'src/domain/config/kinds/service.test.ts',
  // OIDC: discovery documents are cached per issuer URL, and each file's fake issuer has its own port.
  'src/domain/auth/oidc.test.ts',
  'src/domain/auth/sign-in.test.ts',
  'src/http/console.test.ts',
];

const FILES = [
  'src/**/*.test.ts',
  'test/unit/**/*.test.ts',
  'test/smoke/**/*.test.ts',
  'test/docs/**/*.test.ts',
  'scripts/**/*.test.ts',
];

export default defineConfig({
  test: {
    // Guards against a hang, not a measure of speed: generous, so a busy machine never fails a test.
    // 120 s was not: at load 15–22 on 2 cores, tests that start the CLI ten times in a row and the
    // paging smoke tests (hours of virtual time, engine tick by tick) ran past it (2026-12-03).
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Two files at a time even on 2 cores (vitest's default is cores - 1): much of a file's time is
    // spent waiting on PostgreSQL and on the CLI processes it starts.
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'shared', include: FILES, exclude: ISOLATED, isolate: false },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED },
      },
    ],
  },
});
