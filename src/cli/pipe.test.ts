import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import type { InboundAlertEvent } from '../domain/alerts/alerts.ts';
import { ingestAlertEvents } from '../domain/alerts/ingest-alert-events.ts';
import { createIntegration } from '../domain/services/create-integration.ts';
import { saveService } from '../domain/services/save-service.ts';

// Day one (issue 9, item 8): CLI output arrives whole through a pipe. stdout to a pipe is
// asynchronous in Node, so exiting right after the command wrote 1 MB dropped all but the first 64 KiB.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  const ctx = t.ctx();
  await saveService({ ctx, input: { service: { name: 'noisy', plan: null, rules: {} }, mode: 'create' } });
  const integration = await createIntegration({ ctx, input: { service: 'noisy', type: 'pagerduty' } });
  const events = Array.from({ length: 5000 }, (_, i) => ({
    action: 'trigger',
    dedupKey: `disk-${i}`,
    summary: `Disk ${i} is filling up on a host with a long name, as real alerts have`,
    severity: 'warning',
    labels: { host: `db-${i}.eu-west-1.example.internal`, team: 'storage' },
    raw: {},
  }));
  await ingestAlertEvents({ ctx, input: { integration, events: events as InboundAlertEvent[] } });
  tocsin = await cliAgainst(t, { process: true });
});
afterAll(() => t.close());

describe('output through a pipe', () => {
  it('arrives whole: 5000 alerts as JSON (more than 1 MB) parse', async () => {
    const out = await tocsin('alert', 'list', '--limit', '5000', '--json');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.length).toBeGreaterThan(1_000_000);
    const alerts = JSON.parse(out.stdout) as unknown[];
    expect(alerts).toHaveLength(5000);
  });
});

describe('a reader that leaves early', () => {
  it('ends the command quietly (exit 0, no stack trace), as `tocsin --help | head -0` does', async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../bin/tocsin.js'), '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader closes its end before reading a byte: every write of the help fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
