import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { applyDeclaredContacts } from '../contacts/apply-declared-contacts.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';

// Urgency (issue 11 §3.9) end to end: an alert through the real ingest and engine on the virtual
// clock, the service's rules deciding its incident's urgency; low pages best effort (first step,
// nothing that rings, no escalation), high escalates; raising urgency pages fully; bad rules refused.

const MINUTE = 60_000;

let t: TestApp;
let engine: Engine;
const integrations = new Map<string, Integration>();

async function fire(service: string, dedupKey: string, labels: Record<string, string> = {}) {
  await ingestAlertEvents({
    ctx: t.ctx(),
    input: {
      integration: integrations.get(service) as Integration,
      events: [
        {
          action: 'trigger',
          dedupKey,
          summary: `${dedupKey} failing`,
          severity: 'critical',
          labels,
          raw: {},
        },
      ] as InboundAlertEvent[],
    },
  });
  await engine.runUntilIdle();
  const alert = await t.db
    .selectFrom('alerts')
    .select(['routing', 'incident_id'])
    .where('dedup_key', '=', dedupKey)
    .executeTakeFirstOrThrow();
  return { ...alert, incidentId: String(alert.incident_id) };
}

const escalationsOf = (incidentId: string) =>
  t.db
    .selectFrom('escalations')
    .select(['id', 'channels', 'steps', 'repeat', 'step', 'status', 'message'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();

/** Handles of the people paged for the incident (every page lands in the person's inbox). */
const pagedOf = async (incidentId: string) =>
  (
    await t.db
      .selectFrom('inbox_items')
      .innerJoin('users', 'users.id', 'inbox_items.user_id')
      .select('users.handle')
      .distinct()
      .where('inbox_items.incident_id', '=', incidentId)
      .orderBy('users.handle')
      .execute()
  ).map((r) => r.handle);

const timelineText = async (incidentId: string) =>
  JSON.stringify(
    await t.db
      .selectFrom('incident_events')
      .select(['kind', 'data'])
      .where('incident_id', '=', incidentId)
      .execute(),
  );

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules());
  const ctx = t.ctx();
  await addUser(ctx, 'ana');
  await addUser(ctx, 'bob');
  await savePlan({
    ctx,
    input: {
      source: `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ops }
severities:
  - { id: P1, title: P1, page: { policy: fallback, channels: [phone, email] }, targets: { acknowledge: 15m } }
groups:
  - { id: first, title: First, users: [ana] }
  - { id: second, title: Second, users: [bob] }
escalationPolicies:
  - id: fallback
    steps:
      - { notify: [first], escalateAfter: 5m }
      - { notify: [second] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`,
    },
  });
  const services: Record<string, Record<string, unknown>> = {
    api: {},
    batch: { urgency: 'low' },
    web: { urgencyFrom: { label: 'priority', low: ['P4', 'P5'] } },
  };
  for (const [name, rules] of Object.entries(services)) {
    await saveService({ ctx, input: { service: { name, plan: 'ops', rules }, mode: 'create' } });
    integrations.set(name, await createIntegration({ ctx, input: { service: name, type: 'pagerduty' } }));
  }
});
afterAll(() => t.close());

describe('urgency from the service rules', () => {
  it('low urgency pages best effort: first step, nothing that rings, no escalation', async () => {
    const alert = await fire('batch', 'nightly-job');
    expect(alert.routing).toMatch(/^declared:/);
    const incident = await t.db
      .selectFrom('incidents')
      .select('urgency')
      .where('id', '=', alert.incidentId)
      .executeTakeFirstOrThrow();
    expect(incident.urgency).toBe('low');
    const [esc, ...more] = await escalationsOf(alert.incidentId);
    expect(more).toEqual([]);
    expect(esc?.channels).toEqual(['email']);
    expect(esc?.steps).toHaveLength(1);
    expect(esc?.repeat).toBe(0);
    expect(await timelineText(alert.incidentId)).toContain('low urgency: best effort, no escalation');

    t.clock.advance(30 * MINUTE);
    await engine.runUntilIdle();
    expect(await pagedOf(alert.incidentId)).toEqual(['ana']);
    expect((await escalationsOf(alert.incidentId)).map((e) => e.steps.length)).toEqual([1]);
  });

  it('high urgency (the default) pages as the plan says and escalates', async () => {
    const alert = await fire('api', 'checkout-down');
    const [esc] = await escalationsOf(alert.incidentId);
    expect(esc?.channels).toContain('voice');
    expect(esc?.steps).toHaveLength(2);
    t.clock.advance(6 * MINUTE);
    await engine.runUntilIdle();
    expect(await pagedOf(alert.incidentId)).toEqual(['ana', 'bob']);
  });

  it('reads urgency from a label with urgencyFrom, and shows it in the API', async () => {
    const low = await fire('web', 'slow-page', { priority: 'P5' });
    const high = await fire('web', 'web-down', { priority: 'P1' });
    const urgencyOf = async (id: string) =>
      (
        await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(t.adminToken) })
      ).json().incident.urgency;
    expect(await urgencyOf(low.incidentId)).toBe('low');
    expect(await urgencyOf(high.incidentId)).toBe('high');
  });
});

describe('raising urgency', () => {
  const raise = (id: string, payload: Record<string, unknown>, token = t.adminToken) =>
    t.app.inject({ method: 'POST', url: `/api/v1/incidents/${id}/urgency`, headers: auth(token), payload });

  it('pages fully from the first step, with timeline and audit; viewers and bad values are refused', async () => {
    const alert = await fire('batch', 'backups-stale');
    expect(await pagedOf(alert.incidentId)).toEqual(['ana']);

    const viewer = await t.tokenFor('viewer');
    expect((await raise(alert.incidentId, { urgency: 'high' }, viewer)).statusCode).toBe(403);
    const low = await raise(alert.incidentId, { urgency: 'low' });
    expect(low.statusCode).toBe(400);
    expect(low.json().error.details[0].path).toBe('body.urgency');
    expect((await raise(alert.incidentId, { urgency: 'high', extra: 1 })).statusCode).toBe(400);

    const raised = await raise(alert.incidentId, { urgency: 'high', reason: 'customers affected' });
    expect(raised.statusCode).toBe(200);
    expect(raised.json().incident.urgency).toBe('high');
    const escalations = await escalationsOf(alert.incidentId);
    expect(escalations).toHaveLength(2);
    expect(escalations[1]?.channels).toContain('voice');
    expect(escalations[1]?.steps).toHaveLength(2);
    expect(await timelineText(alert.incidentId)).toContain('incident.urgency_raised');
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', alert.incidentId)
      .where('action', '=', 'incident.urgency_raised')
      .execute();
    expect(audit).toHaveLength(1);

    t.clock.advance(6 * MINUTE);
    await engine.runUntilIdle();
    expect(await pagedOf(alert.incidentId)).toEqual(['ana', 'bob']);

    // Already high: unchanged, no second page.
    expect((await raise(alert.incidentId, { urgency: 'high' })).statusCode).toBe(200);
    expect(await escalationsOf(alert.incidentId)).toHaveLength(2);
  });
});

describe('quiet hours', () => {
  it('hold a low-urgency page until they end; a high-urgency page goes at once', async () => {
    // ana (UTC) is quiet all day but the last minute, so the virtual clock is inside the window.
    await applyDeclaredContacts({
      ctx: t.ctx(),
      input: {
        user: 'ana',
        declared: {
          contacts: [
            { kind: 'email', address: 'ana@example.com', label: 'mail', verified: true, disabled: false },
          ],
          notificationRules: [{ contact: 'mail', after: '0m' }],
          quietHours: { start: '00:00', end: '23:59' },
        },
      },
    });
    const now = t.clock.now().getTime();
    const sentAt = async (incidentId: string) =>
      (
        await t.db
          .selectFrom('outbox')
          .select('next_attempt_at')
          .where('incident_id', '=', incidentId)
          .where('destination', '=', 'ana@example.com')
          .execute()
      ).map((r) => new Date(r.next_attempt_at).getTime());
    const low = await fire('batch', 'quiet-low');
    const [held] = await sentAt(low.incidentId);
    expect(held).toBeGreaterThan(now);
    const high = await fire('api', 'quiet-high');
    const [direct] = await sentAt(high.incidentId);
    expect(direct).toBe(now);
  });
});

describe('bad urgency rules', () => {
  it('refuses an unknown urgency and a malformed label mapping at file:line:col', async () => {
    const doc = (rules: string) => `apiVersion: tocsin.dev/v1
kind: Service
metadata: { name: bad-svc }
spec:
  plan: ops
  rules:
${rules}
`;
    const refusal = async (content: string) => {
      try {
        await applyDocuments({ ctx: t.ctx(), input: { sources: [{ file: 'svc.yaml', content }] } });
      } catch (error) {
        return (error as { details: { path: string; message: string }[] }).details;
      }
      throw new Error('applied');
    };
    const unknown = await refusal(doc('    urgency: medium'));
    expect(unknown[0]?.path).toBe('svc.yaml:7:14');
    const malformed = await refusal(doc('    urgencyFrom: { label: priority, low: P4 }'));
    expect(malformed[0]?.path).toMatch(/^svc\.yaml:7:\d+$/);
    const noLabel = await refusal(doc('    urgencyFrom: { low: [P4] }'));
    expect(noLabel[0]?.path).toMatch(/^svc\.yaml:7:\d+$/);
  });
});
