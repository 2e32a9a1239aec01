import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { ALL_ALERTS_RESOLVED } from '../alert-rules/alert-rules.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';

// Merging (issue 11 §3.10): a duplicate incident's alerts move to the incident that takes it over,
// and their later events act there; the duplicate is resolved as merged, both timelines say so.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: merge }
severities: [{ id: SEV1, title: Critical }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

let t: TestApp;
let admin: Record<string, string>;
let engine: Engine;
const integrations: Record<string, Integration> = {};

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules({ deliver: false }));
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  for (const name of ['db', 'api']) {
    const rules = { resolveIncidentWithAlerts: true };
    await saveService({ ctx, input: { service: { name, plan: 'merge', rules }, mode: 'create' } });
    integrations[name] = await createIntegration({ ctx, input: { service: name, type: 'pagerduty' } });
  }
});
afterAll(() => t.close());

async function send(service: string, action: 'trigger' | 'resolve') {
  const event = {
    action,
    dedupKey: `${service}-down`,
    summary: `${service} down`,
    severity: 'critical',
    raw: {},
  };
  const integration = integrations[service];
  if (!integration) throw new Error(`no integration ${service}`);
  await ingestAlertEvents({ ctx: t.ctx(), input: { integration, events: [event as InboundAlertEvent] } });
  await engine.runUntilIdle();
}

async function call(method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  const res = await t.app.inject({ method, url, headers: admin, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

const incidentOf = async (service: string) =>
  String(
    (
      await t.db
        .selectFrom('alerts')
        .select('incident_id')
        .where('dedup_key', '=', `${service}-down`)
        .executeTakeFirstOrThrow()
    ).incident_id,
  );
const detail = async (id: string) => (await call('GET', `/api/v1/incidents/${id}`)).body;

describe('merging incidents', () => {
  it('moves the alerts, resolves the duplicate as merged, and later alert events act on the target', async () => {
    await send('db', 'trigger');
    await send('api', 'trigger');
    const dup = await incidentOf('db');
    const target = await incidentOf('api');
    expect(dup).not.toBe(target);

    const merged = await call('POST', `/api/v1/incidents/${dup}/merge`, {
      into: target,
      reason: 'same outage',
    });
    expect(merged.status, JSON.stringify(merged.body)).toBe(200);
    expect(merged.body.incident).toMatchObject({ state: 'resolved', merged_into: target });
    expect(await incidentOf('db')).toBe(target);
    const alert = await t.db
      .selectFrom('alerts')
      .select('status')
      .where('dedup_key', '=', 'db-down')
      .executeTakeFirstOrThrow();
    expect(alert.status).toBe('triggered'); // moved, not resolved with the duplicate

    const dupDetail = await detail(dup);
    const targetDetail = await detail(target);
    expect(dupDetail.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'incident.merged_into',
        data: expect.objectContaining({ incident_id: target, alerts_moved: 1 }),
      }),
    );
    expect(targetDetail.timeline).toContainEqual(
      expect.objectContaining({
        kind: 'incident.merged_in',
        data: expect.objectContaining({ incident_id: dup, reason: 'same outage' }),
      }),
    );
    expect(targetDetail.related).toMatchObject([{ id: dup, state: 'resolved' }]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('after')
      .where('action', '=', 'incident.merged')
      .execute();
    expect(audit).toMatchObject([{ after: { merged_into: target, alerts_moved: 1 } }]);

    // The target's own alert resolving is not enough: the moved alert feeds it now.
    await send('api', 'resolve');
    expect((await detail(target)).incident.state).toBe('investigating');
    await send('db', 'resolve');
    const after = await detail(target);
    expect(after.incident.state).toBe('resolved');
    expect(after.timeline).toContainEqual(
      expect.objectContaining({ kind: 'note', data: { text: ALL_ALERTS_RESOLVED } }),
    );
    // The duplicate, already resolved, got no second note or resolution.
    expect((await detail(dup)).timeline.filter((e: { kind: string }) => e.kind === 'note')).toEqual([]);
  });

  it('refuses itself, a merged or resolved target, a cycle and unknown incidents, with the reason', async () => {
    const declare = async (title: string) =>
      (await call('POST', '/api/v1/incidents', { title, severity: 'SEV1' })).body.incident.id as string;
    const a = await declare('A');
    const b = await declare('B');
    const c = await declare('C');
    const self = await call('POST', `/api/v1/incidents/${a}/merge`, { into: a });
    expect(self.status).toBe(409);
    expect(self.body.error.message).toContain('into itself');
    expect((await call('POST', `/api/v1/incidents/${a}/merge`, { into: '999999' })).status).toBe(404);
    expect((await call('POST', `/api/v1/incidents/999999/merge`, { into: a })).status).toBe(404);
    expect((await call('POST', `/api/v1/incidents/${a}/merge`, { into: 'x' })).status).toBe(400);

    expect((await call('POST', `/api/v1/incidents/${b}/merge`, { into: a })).status).toBe(200);
    // b is merged (and resolved): the reverse is a cycle, b cannot be merged again, nor be a target.
    const cycle = await call('POST', `/api/v1/incidents/${a}/merge`, { into: b });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error.message).toContain('cycle');
    const intoMerged = await call('POST', `/api/v1/incidents/${c}/merge`, { into: b });
    expect(intoMerged.status).toBe(409);
    expect(intoMerged.body.error.message).toContain(`it was merged into ${a}`);
    expect((await call('POST', `/api/v1/incidents/${b}/merge`, { into: c })).status).toBe(409);
    expect((await call('POST', `/api/v1/incidents/${c}/resolve`, {})).status).toBe(200);
    const intoResolved = await call('POST', `/api/v1/incidents/${a}/merge`, { into: c });
    expect(intoResolved.status).toBe(409);
    expect(intoResolved.body.error.message).toContain('resolved');
    expect((await detail(a)).incident).toMatchObject({ state: 'investigating', merged_into: null });

    const viewer = auth(await t.tokenFor('viewer'));
    const d = await declare('D');
    const denied = await t.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${d}/merge`,
      headers: viewer,
      payload: { into: a },
    });
    expect(denied.statusCode).toBe(403);
  });
});
