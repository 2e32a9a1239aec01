import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Issue 9's proof: a team's first hour, replayed end to end against a real Tocsin process on
// PostgreSQL 15 and a real SMTP server on loopback. Set-up by `tocsin apply` of one file
// (examples/day-one/team.yaml, its escalation shortened to seconds), an alert through /v2/enqueue, the
// page email with the incident link, escalation to the second person when nobody acknowledges,
// acknowledging from the email's link, resolving, and the same alert again paging again.

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const KEY = 'dayonewalletmonitoringkey0000001';

interface Mail {
  to: string[];
  mail: ParsedMail;
}

const mails: Mail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream).then(
      (mail) => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
        callback(null, `Ok: queued as Q${mails.length}`);
      },
      (error: Error) => callback(error),
    );
  },
});

let db: SystemDb;
let server: ServerHandle;
let dir: string;
const token = systemToken();

async function tocsin(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_URL: server.url, TOCSIN_TOKEN: token };
  return run(process.execPath, [join(root, 'bin/tocsin.js'), ...args], { env, timeout: 120_000 });
}

const enqueue = (summary: string) =>
  fetch(`${server.url}/v2/enqueue`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      routing_key: KEY,
      event_action: 'trigger',
      dedup_key: 'payments-db-pool',
      payload: { summary, source: 'db-payments-1', severity: 'critical', custom_details: { pool: '50/50' } },
    }),
  });

/** The first email to `address` whose subject contains `subject`. */
const mailTo = (address: string, subject: string) =>
  until(
    `an email to ${address} about "${subject}"`,
    async () => mails.find((m) => m.to.includes(address) && (m.mail.subject ?? '').includes(subject)),
    90_000,
  );

/** A link of the email, on the server under test (the link's host is TOCSIN_PUBLIC_URL's). */
function linkIn(mail: ParsedMail, path: RegExp): string {
  const match = (mail.text ?? '').match(new RegExp(`https?://[^\\s]+(${path.source})`));
  if (!match?.[1]) throw new Error(`no link ${path} in:\n${mail.text}`);
  return match[1];
}

beforeAll(async () => {
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  db = await systemDatabase(inject('pgAdminUrl'), 'day_one');
  server = await startServer({
    DATABASE_URL: db.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: '200',
    TOCSIN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    TOCSIN_SMTP_FROM: 'Tocsin <tocsin@example.com>',
    TOCSIN_OUTBOUND_ALLOW: '127.0.0.1/32',
  });
  dir = mkdtempSync(join(tmpdir(), 'tocsin-day-one-'));
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('day one', () => {
  it('set up from one file, an alert pages by email, escalates, is acknowledged from the link, resolves, and pages again when it recurs', async () => {
    // The README's file, with its 5-minute escalation made 3 seconds so the test does not wait.
    const file = join(dir, 'team.yaml');
    const yaml = readFileSync(join(root, 'examples/day-one/team.yaml'), 'utf8');
    writeFileSync(file, yaml.replace('escalateAfter: 5m', 'escalateAfter: 3s'));
    const applied = await tocsin('apply', '-f', file);
    expect(applied.stdout).toContain('service/wallet created');
    expect(applied.stderr).not.toContain('warning');

    expect((await enqueue('Payments DB connection pool exhausted')).status).toBe(202);
    const first = await mailTo('amara@example.com', 'Payments DB connection pool exhausted');
    const subject = first.mail.subject ?? '';
    const id = subject.match(/#(\d+)/)?.[1];
    expect(subject).toBe(`[SEV1] #${id} Payments DB connection pool exhausted (wallet)`);
    expect(first.mail.text).toContain(`/incidents/${id}`);
    expect(first.mail.text).toContain('Alert from db-payments-1: Payments DB connection pool exhausted');
    expect(first.mail.text).toContain('pool: 50/50');
    expect(first.mail.text).toContain('You are paged at step 1 of 2.');
    expect(first.mail.html).toContain('Acknowledge');

    // Nobody acknowledged: the second step pages kofi.
    const second = await mailTo('kofi@example.com', `#${id} `);
    expect(second.mail.text).toContain('You are paged at step 2 of 2.');

    // Amara acknowledges from her email's link: the page names the incident, the button acknowledges.
    const ack = linkIn(first.mail, /\/ack\/[A-Za-z0-9_-]+/);
    const asked = await fetch(server.url + ack);
    expect(await asked.text()).toContain(`Incident #${id}: Payments DB connection pool exhausted`);
    const acked = await fetch(server.url + ack, { method: 'POST' });
    expect(acked.status).toBe(200);
    const incident = await call(server, token, 'GET', `/api/v1/incidents/${id}`);
    expect(JSON.stringify(incident.json)).toMatch(/"acknowledged_at":"20/);

    await tocsin('incident', 'resolve', String(id));
    const alerts = await call(server, token, 'GET', '/api/v1/alerts?service=wallet&status=open');
    expect(alerts.json.alerts).toEqual([]);

    // The same alert again: a new incident, and amara is paged again.
    expect((await enqueue('Payments DB connection pool exhausted again')).status).toBe(202);
    const again = await mailTo('amara@example.com', 'exhausted again');
    const next = (again.mail.subject ?? '').match(/#(\d+)/)?.[1];
    expect(Number(next)).toBeGreaterThan(Number(id));
  }, 240_000);
});
