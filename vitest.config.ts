import { defineConfig } from 'vitest/config';

// Pure unit tests: no database, server, process, environment variable, clock or module-level state
// of their own, each checked by reading the file. They share one module graph per worker
// (isolate: false): measured 2026-12-03, these 29 files took 42.5 CPU s isolated and 18.6 CPU s
// shared, with the same 318 tests passing. Every other file gets a fresh module graph (isolated).
// A file belongs here only once it is shown free of such state; when in doubt, leave it isolated.
const SHARED_MODULES = [
  'src/notify/providers/teams.test.ts',
  'src/notify/providers/slack.test.ts',
  'src/notify/providers/page-layout.test.ts',
  'src/notify/providers/ntfy.test.ts',
  'src/notify/providers/chat-webhook.test.ts',
  'src/notify/providers/twilio.test.ts',
  'src/notify/inbound/slack.test.ts',
  'src/notify/inbound/twilio.test.ts',
  'src/lib/outbound-guard.test.ts',
  'src/lib/html.test.ts',
  'src/lib/duration.test.ts',
  'src/domain/plans/placeholders.test.ts',
  'src/domain/plans/plan-docs.test.ts',
  'src/domain/schedules/ical.test.ts',
  'src/domain/schedules/shifts.test.ts',
  'src/domain/incidents/targets.test.ts',
  'src/domain/incidents/describe-event.test.ts',
  'src/domain/incidents/incident.test.ts',
  'src/domain/updates/cadence.test.ts',
  'src/domain/updates/guard-rails.test.ts',
  'src/domain/workflows/compile-plan-rules.test.ts',
  'src/domain/workflows/business-hours.test.ts',
  'src/domain/workflows/evaluate.test.ts',
  'src/domain/events/events.test.ts',
  'src/domain/alert-rules/alert-rules.unit.test.ts',
  'src/domain/status-page/status-page.test.ts',
  'src/domain/status-page/labels.test.ts',
  'src/domain/drills/judge.test.ts',
  'test/unit/plan-corpus.test.ts',
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
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: SHARED_MODULES, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'src/**/*.test.ts',
            'test/unit/**/*.test.ts',
            'test/smoke/**/*.test.ts',
            'test/docs/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: SHARED_MODULES,
          globalSetup: ['test/global-setup.ts'],
        },
      },
    ],
  },
});
