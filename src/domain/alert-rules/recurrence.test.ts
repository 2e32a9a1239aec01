import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { listIncidentPages } from '../paging/list-pages.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';

// Day one (issue 9, item 2): resolving an incident resolves the alerts that fed it, so the same alert
// firing again opens a new incident and pages, instead of bumping a counter on a forgotten alert.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: recur }
severities:
  - { id: SEV1, title: Critical, page: { to: on-call } }
groups:
  - { id: on-call, title: On call, users: [ana] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestApp;
let engine: Engine;
let integration: Integration;

const fire = async () => {
  const event = { action: 'trigger', dedupKey: 'db-down', summary: 'DB down', severity: 'critical', raw: {} };
  await ingestAlertEvents({ ctx: t.ctx(), input: { integration, events: [event as InboundAlertEvent] } });
  await engine.runUntilIdle();
};
const incidents = () =>
  t.db.selectFrom('incidents').select(['id', 'state']).where('service', '=', 'db').orderBy('id').execute();
const alerts = () =>
  t.db.selectFrom('alerts').select(['id', 'status', 'count', 'incident_id']).orderBy('id').execute();

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules({ deliver: false }));
  const ctx = t.ctx();
  await addUser(ctx, 'ana', { email: 'ana@example.com' });
  await savePlan({ ctx, input: { source: PLAN } });
  await saveService({ ctx, input: { service: { name: 'db', plan: 'recur', rules: {} }, mode: 'create' } });
  integration = await createIntegration({ ctx, input: { service: 'db', type: 'pagerduty' } });
});
afterAll(() => t.close());

describe('an alert after its incident was resolved', () => {
  it('resolving the incident resolves its alerts; the recurrence opens a new incident and pages again', async () => {
    await fire();
    const [first] = await incidents();
    expect(first).toBeDefined();
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: String(first?.id) } });
    expect(await alerts()).toEqual([expect.objectContaining({ status: 'resolved', incident_id: first?.id })]);
    const events = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', String(first?.id))
      .where('kind', '=', 'incident.resolved')
      .execute();
    expect(events[0]?.data).toMatchObject({ alerts_resolved: 1 });

    t.clock.advance(60_000);
    await fire();
    const all = await incidents();
    expect(all).toHaveLength(2);
    const second = all[1];
    expect(second?.state).toBe('investigating');
    const latest = (await alerts())[1];
    expect(latest).toMatchObject({ status: 'triggered', count: 1, incident_id: second?.id });
    const pages = await listIncidentPages({ ctx: t.ctx(), input: { incidentId: String(second?.id) } });
    expect(pages.messages.map((m) => m.user)).toContain('ana');
    // The page's parts travel with it, for Slack blocks and Teams cards.
    const queued = await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('incident_id', '=', String(second?.id))
      .where('channel', '=', 'email')
      .executeTakeFirstOrThrow();
    expect(queued.payload).toMatchObject({
      kind: 'page',
      page: {
        service: 'db',
        alert: { summary: 'DB down' },
        step: 1,
        steps: 1,
        resolve: `npx tocsin incident resolve ${second?.id}`,
      },
    });
  });
});

// Issue 9, items 2 and 3: a service may detach its alerts instead of resolving them, and a plan may
// reopen the resolved incident when its alert recurs within lifecycle.reopenWithin.

const REOPEN_PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: reopen }
severities:
  - { id: SEV1, title: Critical, page: { to: on-call } }
groups:
  - { id: on-call, title: On call, users: [ana] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
  reopenWithin: 30m
`;

async function serviceWith(name: string, plan: string, rules: Record<string, unknown>) {
  await saveService({ ctx: t.ctx(), input: { service: { name, plan, rules }, mode: 'create' } });
  return createIntegration({ ctx: t.ctx(), input: { service: name, type: 'pagerduty' } });
}

async function fireAt(into: Integration, key: string) {
  const event = {
    action: 'trigger',
    dedupKey: key,
    summary: `${key} failing`,
    severity: 'critical',
    raw: {},
  };
  await ingestAlertEvents({
    ctx: t.ctx(),
    input: { integration: into, events: [event as InboundAlertEvent] },
  });
  await engine.runUntilIdle();
}

const incidentsOf = (service: string) =>
  t.db
    .selectFrom('incidents')
    .select(['id', 'state', 'resolved_at'])
    .where('service', '=', service)
    .orderBy('id')
    .execute();
const alertsOf = (key: string) =>
  t.db
    .selectFrom('alerts')
    .select(['id', 'status', 'count', 'incident_id', 'detached_from', 'routing'])
    .where('dedup_key', '=', key)
    .orderBy('id')
    .execute();
const pagedUsers = async (incidentId: string) =>
  (await listIncidentPages({ ctx: t.ctx(), input: { incidentId } })).messages.map((m) => m.user);
const timeline = (incidentId: string) =>
  t.db
    .selectFrom('incident_events')
    .select(['kind', 'data'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();

describe('onIncidentResolved: detach', () => {
  it('leaves the alert triggered and unlinked; its next trigger opens a new incident that pages', async () => {
    const into = await serviceWith('cache', 'recur', { onIncidentResolved: 'detach' });
    await fireAt(into, 'cache-miss');
    const [first] = await incidentsOf('cache');
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: String(first?.id) } });
    expect(await alertsOf('cache-miss')).toEqual([
      expect.objectContaining({ status: 'triggered', incident_id: null, detached_from: first?.id }),
    ]);
    const resolved = (await timeline(String(first?.id))).find((e) => e.kind === 'incident.resolved');
    expect(resolved?.data).toMatchObject({ alerts_detached: 1 });
    expect(resolved?.data).not.toHaveProperty('alerts_resolved');

    t.clock.advance(60_000);
    await fireAt(into, 'cache-miss');
    const all = await incidentsOf('cache');
    expect(all).toHaveLength(2);
    // The same (still open) alert row, decided again: it declared the second incident.
    const [alert] = await alertsOf('cache-miss');
    expect(alert).toMatchObject({
      status: 'triggered',
      count: 2,
      incident_id: all[1]?.id,
      detached_from: null,
    });
    expect(alert?.routing).toBe(`declared:${all[1]?.id}`);
    expect(await pagedUsers(String(all[1]?.id))).toContain('ana');

    // Triggering again while the new incident is open only counts: no third incident.
    await fireAt(into, 'cache-miss');
    expect(await incidentsOf('cache')).toHaveLength(2);

    // Detached again; the recurrence arrives in a mixed batch (the one-statement-per-event path).
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: String(all[1]?.id) } });
    const mixed = [
      {
        action: 'trigger',
        dedupKey: 'cache-miss',
        summary: 'cache-miss failing',
        severity: 'critical',
        raw: {},
      },
      { action: 'resolve', dedupKey: 'unrelated', raw: {} },
    ];
    await ingestAlertEvents({
      ctx: t.ctx(),
      input: { integration: into, events: mixed as InboundAlertEvent[] },
    });
    await engine.runUntilIdle();
    expect(await incidentsOf('cache')).toHaveLength(3);
  });

  it('is refused unless resolve or detach', async () => {
    await expect(serviceWith('bad-rule', 'recur', { onIncidentResolved: 'ignore' })).rejects.toThrow(
      /onIncidentResolved/,
    );
  });
});

describe('lifecycle.reopenWithin', () => {
  beforeAll(async () => {
    await savePlan({ ctx: t.ctx(), input: { source: REOPEN_PLAN } });
  });

  it('a recurrence within the window reopens the resolved incident and pages again; after it, a new incident', async () => {
    const into = await serviceWith('queue', 'reopen', {});
    await fireAt(into, 'queue-stuck');
    const [first] = await incidentsOf('queue');
    const id = String(first?.id);
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: id } });
    const pagesBefore = (await pagedUsers(id)).length;

    t.clock.advance(10 * 60_000);
    await fireAt(into, 'queue-stuck');
    expect(await incidentsOf('queue')).toEqual([
      expect.objectContaining({ id: first?.id, state: 'investigating', resolved_at: null }),
    ]);
    const [, recurrence] = await alertsOf('queue-stuck');
    expect(recurrence).toMatchObject({ incident_id: first?.id, routing: `reopened:${id}` });
    const events = await timeline(id);
    expect(events.find((e) => e.kind === 'incident.state_changed' && e.data?.reopened)?.data).toMatchObject({
      from: 'resolved',
      to: 'investigating',
      reopened: true,
    });
    expect(events.filter((e) => e.kind === 'incident.alert_attached').map((e) => e.data?.how)).toEqual([
      'declared',
      'reopened',
    ]);
    const paged = await pagedUsers(id);
    expect(paged.length).toBeGreaterThan(pagesBefore);
    expect(paged.filter((u) => u === 'ana').length).toBeGreaterThanOrEqual(2);

    // Resolved again, and the alert recurs after the window: a new incident.
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: id } });
    t.clock.advance(31 * 60_000);
    await fireAt(into, 'queue-stuck');
    const all = await incidentsOf('queue');
    expect(all).toHaveLength(2);
    expect(all[1]?.state).toBe('investigating');
    expect(await pagedUsers(String(all[1]?.id))).toContain('ana');
  });

  it('also reopens the incident a detached alert left', async () => {
    const into = await serviceWith('worker', 'reopen', { onIncidentResolved: 'detach' });
    await fireAt(into, 'worker-down');
    const [first] = await incidentsOf('worker');
    await resolveIncident({ ctx: t.ctx(), input: { incidentId: String(first?.id) } });
    t.clock.advance(5 * 60_000);
    await fireAt(into, 'worker-down');
    expect(await incidentsOf('worker')).toEqual([
      expect.objectContaining({ id: first?.id, state: 'investigating' }),
    ]);
    expect(await alertsOf('worker-down')).toEqual([
      expect.objectContaining({
        incident_id: first?.id,
        detached_from: null,
        routing: `reopened:${first?.id}`,
      }),
    ]);
  });
});
