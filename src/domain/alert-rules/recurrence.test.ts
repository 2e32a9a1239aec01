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
  });
});
