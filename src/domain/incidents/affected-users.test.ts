import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auth, freshDb, type TestApp, testApp } from '../../../test/helpers.ts';
import { type Mailbox, startMailbox } from '../../../test/mailbox.ts';
import { drillEngine } from '../../engine/drill-engine.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { emailProvider } from '../../notify/providers/email.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { runDrill } from '../drills/run-drill.ts';
import { scenarioSchema } from '../drills/scenario.ts';
import { savePlan } from '../plans/save-plan.ts';

// The post-incident email: the customers an incident affects are recorded on it by email address,
// and a plan group with `customers: affected` reaches them — here the job-application plan's "email
// the affected users when it resolves", with the summary and the incident's link, through the real
// outbox to an SMTP server on loopback.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: jobs }
severities: [{ id: SEV1, title: Critical }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
groups:
  - { id: affected-users, title: Affected users, customers: affected }
templates:
  - id: user-email
    kind: email
    subject: { en: "Service disruption {date} - resolved" }
    body: { en: "What happened: {summary}. Resolution: {resolution}. Details: {url}" }
workflows:
  - name: post-incident user email
    when: incident.resolved
    then:
      - notify: { group: affected-users, template: user-email, via: [email] }
`;

let t: TestApp;
let admin: Record<string, string>;
let mailbox: Mailbox;
let engine: Engine;

beforeAll(async () => {
  vi.stubEnv('TOCSIN_PUBLIC_URL', 'http://tocsin.test');
  mailbox = await startMailbox();
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  const providers = providerRegistry([
    emailProvider({ url: `smtp://127.0.0.1:${mailbox.port}`, from: 'status@tocsin.test' }),
  ]);
  engine = new Engine(
    { db: t.db, clock: t.clock, log: pino({ level: 'silent' }) },
    engineModules({ providers }),
  );
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await t.close();
  await mailbox.close();
});

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url,
    headers: admin,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json() as Record<string, unknown> };
}

async function declare(title: string): Promise<string> {
  const r = await call('POST', '/api/v1/incidents', {
    plan: 'jobs',
    severity: 'SEV1',
    title,
    summary: 'Applications could not be submitted',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return (r.body.incident as { id: string }).id;
}

/** Runs the engine until idle; the outbox sends by SMTP outside the tick, so wait for the mails. */
async function runEngine(expectMails: number) {
  await engine.runUntilIdle();
  for (let i = 0; i < 1200 && mailbox.mails.length < expectMails; i++) {
    await new Promise((r) => setTimeout(r, 50));
    await engine.runUntilIdle();
  }
}

describe('affected users and the post-incident email', () => {
  it('refuses bad addresses, empty lists and unknown incidents, naming the field', async () => {
    const id = await declare('Refusals');
    const bad = await call('POST', `/api/v1/incidents/${id}/affected-users`, {
      emails: ['ok@example.com', 'not an address'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ details: [expect.objectContaining({ path: 'body.emails.1' })] });
    expect((await call('POST', `/api/v1/incidents/${id}/affected-users`, { emails: [] })).status).toBe(400);
    expect(
      (await call('POST', `/api/v1/incidents/${id}/affected-users`, { email: 'x@example.com' })).status,
    ).toBe(400);
    expect(
      (await call('POST', '/api/v1/incidents/999999/affected-users', { emails: ['x@example.com'] })).status,
    ).toBe(404);
    // Nothing of the refused request was kept.
    expect((await call('GET', `/api/v1/incidents/${id}/affected-users`)).body).toEqual({ emails: [] });
    const viewer = await t.tokenFor('viewer');
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${id}/affected-users`,
      headers: auth(viewer),
      payload: { emails: ['x@example.com'] },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('records addresses once each and emails them when the incident resolves, with the summary and link', async () => {
    const id = await declare('Applications failing');
    const first = await call('POST', `/api/v1/incidents/${id}/affected-users`, {
      emails: ['Ana@Example.com', 'ben@example.com'],
    });
    expect(first).toEqual({
      status: 200,
      body: { added: 2, emails: ['ana@example.com', 'ben@example.com'] },
    });
    const again = await call('POST', `/api/v1/incidents/${id}/affected-users`, {
      emails: ['ana@example.com', 'cy@example.com'],
    });
    expect(again.body).toEqual({
      added: 1,
      emails: ['ana@example.com', 'ben@example.com', 'cy@example.com'],
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'incident.affected_users_added')
      .execute();
    expect(audit).toHaveLength(2);

    await runEngine(0);
    expect(mailbox.mails).toHaveLength(0); // nothing before it resolves

    const resolved = await call('POST', `/api/v1/incidents/${id}/resolve`, {
      resolution: 'rolled back the release',
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await runEngine(3);
    await engine.runUntilIdle(); // a second pass sends nothing twice
    const to = mailbox.mails.map((m) => JSON.stringify(m.to)).sort();
    expect(to).toHaveLength(3);
    expect(to.join()).toContain('ana@example.com');
    expect(to.join()).toContain('cy@example.com');
    const mail = mailbox.mails[0];
    expect(mail?.subject).toBe('Service disruption 2026-03-02 - resolved');
    expect(mail?.text).toContain(
      'What happened: Applications could not be submitted. Resolution: rolled back the release.',
    );
    expect(mail?.text).toContain(`http://tocsin.test/incidents/${id}`);
  });

  it('reaches nobody, on the timeline, when no affected user was recorded', async () => {
    const id = await declare('Nobody recorded');
    expect((await call('POST', `/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);
    const before = mailbox.mails.length;
    await runEngine(before);
    expect(mailbox.mails.length).toBe(before);
    const unrouted = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', id)
      .where('kind', '=', 'message.unrouted')
      .execute();
    expect(unrouted.map((e) => e.data)).toEqual([
      expect.objectContaining({ recipient: 'group:affected-users' }),
    ]);
  });
});

describe('a drill', () => {
  it('shows the post-incident email to the affected users it records among the messages', async () => {
    const d = await freshDb();
    try {
      const scenario = scenarioSchema.parse({
        steps: [
          { at: '0', do: 'declare' },
          { at: '5m', do: 'affected', emails: ['ana@example.com'] },
          { at: '30m', do: 'resolve', text: 'rolled back' },
        ],
      });
      const report = await runDrill(d.db, { planSource: PLAN, planFile: 'jobs.yaml', scenario }, drillEngine);
      expect(report.steps.filter((s) => !s.ok)).toEqual([]);
      expect(report.messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ at_offset: '+30m', channel: 'email', to: 'ana@example.com' }),
        ]),
      );
    } finally {
      await d.close();
    }
  });

  it('refuses an affected step with a bad address', () => {
    const parsed = scenarioSchema.safeParse({ steps: [{ at: '0', do: 'affected', emails: ['nope'] }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['steps', 0, 'emails', 0]);
  });
});
