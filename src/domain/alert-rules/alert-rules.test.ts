import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { ingestAlertEvents } from '../alerts/ingest-alert-events.ts';
import { createSuppression } from '../maintenance/create-suppression.ts';
import { endSuppression } from '../maintenance/end-suppression.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createIntegration } from '../services/create-integration.ts';
import { saveService } from '../services/save-service.ts';
import type { Integration } from '../services/services.ts';

// The alert-rules module end to end: alerts in through ingestAlertEvents (or /v2/enqueue), the real
// engine (every module) on the virtual clock, and what lands on alerts and incidents.

const MINUTE = 60_000;

const plan = (name: string, severities: string[], extra = '') => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ${name} }
severities:
${severities.map((id) => `  - { id: ${id}, title: ${id}, targets: { acknowledge: 15m } }`).join('\n')}
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
${extra}
`;

let t: TestApp;
let engine: Engine;
let count = 0;

interface TestService {
  name: string;
  integration: Integration;
  fire(...events: Partial<InboundAlertEvent>[]): Promise<void>;
}

async function service(
  rules: Record<string, unknown>,
  planName: string | null = 'ops',
): Promise<TestService> {
  count += 1;
  const name = `svc-${count}`;
  const ctx = t.ctx();
  await saveService({ ctx, input: { service: { name, plan: planName, rules }, mode: 'create' } });
  const integration = await createIntegration({ ctx, input: { service: name, type: 'pagerduty' } });
  return {
    name,
    integration,
    async fire(...events) {
      await ingestAlertEvents({
        ctx,
        input: {
          integration,
          events: events.map(
            (e) => ({ action: 'trigger', dedupKey: 'k', raw: {}, ...e }) as InboundAlertEvent,
          ),
        },
      });
    },
  };
}

const trigger = (dedupKey: string, extra: Partial<InboundAlertEvent> = {}): Partial<InboundAlertEvent> => ({
  action: 'trigger',
  dedupKey,
  summary: `${dedupKey} is failing`,
  severity: 'critical',
  ...extra,
});
const resolve = (dedupKey: string): Partial<InboundAlertEvent> => ({ action: 'resolve', dedupKey });

function alertsOf(s: TestService) {
  return t.db
    .selectFrom('alerts')
    .innerJoin('services', 'services.id', 'alerts.service_id')
    .selectAll('alerts')
    .where('services.name', '=', s.name)
    .orderBy('alerts.id')
    .execute();
}
async function alertOf(s: TestService, dedupKey: string) {
  const rows = (await alertsOf(s)).filter((a) => a.dedup_key === dedupKey);
  expect(rows).toHaveLength(1);
  return rows[0] as NonNullable<(typeof rows)[number]>;
}
function incidentsOf(s: TestService) {
  return t.db.selectFrom('incidents').selectAll().where('service', '=', s.name).orderBy('id').execute();
}
function timeline(incidentId: string) {
  return t.db
    .selectFrom('incident_events')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}
function alertEvents(alertId: string) {
  return t.db.selectFrom('alert_events').selectAll().where('alert_id', '=', alertId).orderBy('id').execute();
}
const advance = (ms: number) => t.clock.advance(ms);

beforeAll(async () => {
  t = await testApp();
  engine = new Engine({ db: t.db, clock: t.clock }, engineModules());
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: plan('ops', ['P1', 'P2', 'P3', 'P4']) } });
  await savePlan({ ctx, input: { source: plan('small', ['SEV1', 'SEV2']) } });
  await savePlan({
    ctx,
    input: { source: plan('healing', ['P1', 'P2'], 'automatedRecovery: { enabled: true, waitFor: 10m }') },
  });
});
afterAll(() => t.close());

describe('declaring incidents from alerts', () => {
  it('declares under the service’s plan, with the alert’s summary, labels, start and correlation id', async () => {
    const s = await service({});
    const startedAt = new Date(t.clock.now().getTime() - 4 * MINUTE);
    await s.fire(
      trigger('db-down', {
        summary: 'Database unreachable',
        startedAt,
        labels: { env: 'prod', correlation_id: 'req-42', __name__: 'up' },
      }),
    );
    await engine.runUntilIdle();
    const [incident, ...more] = await incidentsOf(s);
    expect(more).toHaveLength(0);
    expect(incident).toMatchObject({
      title: 'Database unreachable',
      plan_name: 'ops',
      severity: 'P1',
      service: s.name,
      labels: { env: 'prod', correlation_id: 'req-42' },
      correlation_id: 'req-42',
      created_by: 'alert-rules',
    });
    expect(incident?.detected_at?.toISOString()).toBe(startedAt.toISOString());
    const alert = await alertOf(s, 'db-down');
    expect(alert.routing).toBe(`declared:${incident?.id}`);
    expect(alert.incident_id).toBe(incident?.id);
    expect(alert.routed_at?.toISOString()).toBe(t.clock.now().toISOString());
    const events = await timeline(String(incident?.id));
    expect(events.map((e) => e.kind)).toContain('incident.declared');
    expect(events.find((e) => e.kind === 'incident.alert_attached')?.data).toMatchObject({
      alert_id: alert.id,
      how: 'declared',
      dedup_key: 'db-down',
    });
    // The workflow engine saw the declaration in the same pass.
    expect(events.every((e) => e.processed_at !== null)).toBe(true);
    const routed = (await alertEvents(alert.id)).find((e) => e.kind === 'routed');
    expect(routed?.data).toMatchObject({ routing: alert.routing, severity: 'P1', severity_by: 'default' });
    expect(JSON.stringify(routed?.data)).toContain('__name__');
  });

  it('measures detection from first sight when the source gives no start, and decides once', async () => {
    const s = await service({});
    await s.fire(trigger('no-start'));
    const seen = t.clock.now();
    advance(MINUTE);
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    expect(incident?.detected_at?.toISOString()).toBe(seen.toISOString());
    await s.fire(trigger('no-start'));
    advance(MINUTE);
    await engine.runUntilIdle();
    expect(await incidentsOf(s)).toHaveLength(1);
    expect((await alertOf(s, 'no-start')).count).toBe(2);
  });

  it('lists the alerts that fed an incident at GET /api/v1/incidents/:id/alerts', async () => {
    const s = await service({ groupWindow: '10m' });
    await s.fire(trigger('a'), trigger('b'));
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/incidents/${incident?.id}/alerts`,
      headers: auth(await t.tokenFor('viewer')),
    });
    expect(res.statusCode).toBe(200);
    const listed = res.json().alerts as { dedup_key: string; routing: string; raw?: unknown }[];
    expect(listed.map((a) => [a.dedup_key, a.routing])).toEqual([
      ['a', `declared:${incident?.id}`],
      ['b', `grouped:${incident?.id}`],
    ]);
    expect(listed[0]?.raw).toBeUndefined();
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/incidents/999999/alerts',
      headers: auth(t.adminToken),
    });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({
      method: 'GET',
      url: '/api/v1/incidents/x/alerts',
      headers: auth(t.adminToken),
    });
    expect(bad.statusCode).toBe(400);
    const anonymous = await t.app.inject({ method: 'GET', url: `/api/v1/incidents/${incident?.id}/alerts` });
    expect(anonymous.statusCode).toBe(401);
  });

  it('records only when the service has no plan, and says so in the alert’s events', async () => {
    const s = await service({}, null);
    await s.fire(trigger('orphan'));
    await engine.runUntilIdle();
    const alert = await alertOf(s, 'orphan');
    expect(alert.routing).toBe('no-plan');
    expect(alert.incident_id).toBeNull();
    const routed = (await alertEvents(alert.id)).find((e) => e.kind === 'routed');
    expect(routed?.data).toMatchObject({ reason: expect.stringMatching(/has no plan: recorded only/) });
  });

  it('accepts alerts through /v2/enqueue and declares from them', async () => {
    const s = await service({});
    const res = await t.app.inject({
      method: 'POST',
      url: '/v2/enqueue',
      payload: {
        routing_key: s.integration.key,
        event_action: 'trigger',
        dedup_key: 'disk',
        payload: {
          summary: 'Disk full on db-1',
          source: 'db-1',
          severity: 'error',
          timestamp: new Date(t.clock.now().getTime() - 2 * MINUTE).toISOString(),
        },
      },
    });
    expect(res.statusCode).toBe(202);
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    expect(incident).toMatchObject({ title: 'Disk full on db-1', severity: 'P2' });
  });
});

describe('below the threshold', () => {
  it('records alerts less severe than rules.declare', async () => {
    const s = await service({ declare: 'error' });
    await s.fire(trigger('slow', { severity: 'warning' }), trigger('broken', { severity: 'error' }));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'slow')).routing).toBe('recorded');
    expect((await alertOf(s, 'broken')).routing).toMatch(/^declared:/);
    expect(await incidentsOf(s)).toHaveLength(1);
  });
});

describe('severity mapping', () => {
  it('maps by default: critical → first, error → second, warning → third, info → last', async () => {
    const s = await service({ declare: 'info' });
    await s.fire(
      trigger('c', { severity: 'critical' }),
      trigger('e', { severity: 'error' }),
      trigger('w', { severity: 'warning' }),
      trigger('i', { severity: 'info' }),
    );
    await engine.runUntilIdle();
    expect(Object.fromEntries((await incidentsOf(s)).map((i) => [i.title, i.severity]))).toEqual({
      'c is failing': 'P1',
      'e is failing': 'P2',
      'w is failing': 'P3',
      'i is failing': 'P4',
    });
  });

  it('falls back to the plan’s last severity when it has fewer', async () => {
    const s = await service({ declare: 'info' }, 'small');
    await s.fire(trigger('w', { severity: 'warning' }), trigger('i', { severity: 'info' }));
    await engine.runUntilIdle();
    expect((await incidentsOf(s)).map((i) => i.severity)).toEqual(['SEV2', 'SEV2']);
  });

  it('follows rules.severity, and a label naming the plan severity before it', async () => {
    const s = await service({
      declare: 'info',
      severity: { warning: 'P1', critical: 'P9' },
      severityLabel: 'sev',
    });
    await s.fire(
      trigger('mapped', { severity: 'warning' }),
      trigger('labelled', { severity: 'info', labels: { sev: 'P2' } }),
      trigger('unknown-label', { severity: 'warning', labels: { sev: 'P7' } }),
      trigger('unknown-map', { severity: 'critical' }),
    );
    await engine.runUntilIdle();
    const bySeverity = Object.fromEntries((await incidentsOf(s)).map((i) => [i.title, i.severity]));
    expect(bySeverity).toEqual({
      'mapped is failing': 'P1',
      'labelled is failing': 'P2',
      'unknown-label is failing': 'P1',
      'unknown-map is failing': 'P1',
    });
    const routed = (await alertEvents((await alertOf(s, 'unknown-label')).id)).find(
      (e) => e.kind === 'routed',
    );
    expect(routed?.data).toMatchObject({ severity_by: 'map', notes: [expect.stringMatching(/sev="P7"/)] });
  });
});

describe('grace period for self-healing', () => {
  it('opens no incident for an alert resolved within the grace period, but records it', async () => {
    const s = await service({ grace: '5m' });
    await s.fire(trigger('flap'));
    await engine.runUntilIdle();
    const held = await alertOf(s, 'flap');
    expect(held.routing).toBeNull();
    expect((await alertEvents(held.id)).map((e) => e.kind)).toEqual(['trigger', 'held']);
    advance(3 * MINUTE);
    await engine.runUntilIdle();
    expect((await alertOf(s, 'flap')).routing).toBeNull();
    await s.fire(resolve('flap'));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'flap')).routing).toBe('self-healed');
    expect(await incidentsOf(s)).toHaveLength(0);
  });

  it('declares once the grace period passes unresolved', async () => {
    const s = await service({ grace: '5m' });
    await s.fire(trigger('stuck'));
    advance(5 * MINUTE - 1000);
    await engine.runUntilIdle();
    expect(await incidentsOf(s)).toHaveLength(0);
    advance(1000);
    await engine.runUntilIdle();
    expect(await incidentsOf(s)).toHaveLength(1);
    // Resolving after the grace period does not undo the incident.
    await s.fire(resolve('stuck'));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'stuck')).routing).toMatch(/^declared:/);
  });

  it('takes the grace period from the plan’s automated recovery when the service sets none', async () => {
    const s = await service({}, 'healing');
    await s.fire(trigger('auto-fixed'), trigger('not-fixed'));
    advance(9 * MINUTE);
    await s.fire(resolve('auto-fixed'));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'auto-fixed')).routing).toBe('self-healed');
    expect((await alertOf(s, 'not-fixed')).routing).toBeNull();
    advance(MINUTE);
    await engine.runUntilIdle();
    expect((await alertOf(s, 'not-fixed')).routing).toMatch(/^declared:/);
  });
});

describe('grouping', () => {
  it('joins an open incident declared within the window, and opens a new one after it', async () => {
    const s = await service({ groupWindow: '10m' });
    await s.fire(trigger('one'));
    await engine.runUntilIdle();
    advance(9 * MINUTE);
    await s.fire(trigger('two'));
    await engine.runUntilIdle();
    advance(2 * MINUTE);
    await s.fire(trigger('three'));
    await engine.runUntilIdle();
    const [first, second, ...rest] = await incidentsOf(s);
    expect(rest).toHaveLength(0);
    expect((await alertOf(s, 'two')).routing).toBe(`grouped:${first?.id}`);
    expect((await alertOf(s, 'three')).routing).toBe(`declared:${second?.id}`);
    const attached = (await timeline(String(first?.id))).filter((e) => e.kind === 'incident.alert_attached');
    expect(attached.map((e) => [e.data.dedup_key, e.data.how])).toEqual([
      ['one', 'declared'],
      ['two', 'grouped'],
    ]);
  });

  it('does not join a resolved incident', async () => {
    const s = await service({ groupWindow: '1h' });
    await s.fire(trigger('first'));
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/incidents/${incident?.id}/resolve`,
      headers: auth(t.adminToken),
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    await s.fire(trigger('second'));
    await engine.runUntilIdle();
    expect(await incidentsOf(s)).toHaveLength(2);
  });

  it('joins by equal label values with groupBy', async () => {
    const s = await service({ groupBy: ['cluster', 'team'] });
    // One request each: the order they arrive in is the order they are decided in.
    await s.fire(trigger('a1', { labels: { cluster: 'a', team: 'x' } }));
    await s.fire(trigger('b1', { labels: { cluster: 'b', team: 'x' } }));
    await s.fire(trigger('a2', { labels: { cluster: 'a', team: 'x', pod: 'p2' } }));
    await s.fire(trigger('a3', { labels: { cluster: 'a' } }));
    await engine.runUntilIdle();
    const incidents = await incidentsOf(s);
    expect(incidents).toHaveLength(3);
    const [a, b, noTeam] = incidents;
    expect((await alertOf(s, 'a1')).routing).toBe(`declared:${a?.id}`);
    expect((await alertOf(s, 'b1')).routing).toBe(`declared:${b?.id}`);
    expect((await alertOf(s, 'a2')).routing).toBe(`grouped:${a?.id}`);
    expect((await alertOf(s, 'a3')).routing).toBe(`declared:${noTeam?.id}`);
  });

  it('turns an alert storm into one incident with every alert attached', async () => {
    const s = await service({ groupWindow: '5m' });
    const keys = Array.from({ length: 200 }, (_, i) => `storm-${i}`);
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(keys.slice(i, i + 20).map((k) => s.fire(trigger(k))));
      advance(1000);
    }
    await engine.runUntilIdle();
    const incidents = await incidentsOf(s);
    expect(incidents).toHaveLength(1);
    const id = String(incidents[0]?.id);
    const alerts = await alertsOf(s);
    expect(alerts).toHaveLength(200);
    expect(alerts.every((a) => a.incident_id === id)).toBe(true);
    const attached = (await timeline(id)).filter((e) => e.kind === 'incident.alert_attached');
    expect(attached).toHaveLength(200);
    expect(new Set(attached.map((e) => e.data.alert_id)).size).toBe(200);
  });

  it('gives one incident per group when two engines run at once', async () => {
    const s = await service({ groupBy: ['cluster'] });
    const events = Array.from({ length: 30 }, (_, i) =>
      trigger(`c${i}`, { labels: { cluster: `k${i % 3}` } }),
    );
    await s.fire(...events);
    const other = new Engine({ db: t.db, clock: t.clock }, engineModules());
    await Promise.all([engine.runUntilIdle(), other.runUntilIdle(), engine.tick(), other.tick()]);
    await Promise.all([engine.runUntilIdle(), other.runUntilIdle()]);
    expect(await incidentsOf(s)).toHaveLength(3);
    const alerts = await alertsOf(s);
    expect(alerts.every((a) => a.routing !== null && a.incident_id !== null)).toBe(true);
    const routed = await t.db
      .selectFrom('alert_events')
      .select('alert_id')
      .where(
        'alert_id',
        'in',
        alerts.map((a) => a.id),
      )
      .where('kind', '=', 'routed')
      .execute();
    expect(routed).toHaveLength(30);
  });
});

describe('maintenance windows and silences', () => {
  it('records alerts a silence matches, and stops once it is ended', async () => {
    const s = await service({});
    const silence = await createSuppression({
      ctx: t.ctx(),
      input: {
        kind: 'silence',
        suppression: {
          service: s.name,
          matchers: [
            { name: 'env', op: '=', value: 'prod' },
            { name: 'alertname', op: '=~', value: 'Disk.*' },
          ],
          duration: '1h',
          comment: 'disk migration',
        },
      },
    });
    await s.fire(
      trigger('disk', { labels: { env: 'prod', alertname: 'DiskFull' } }),
      trigger('cpu', { labels: { env: 'prod', alertname: 'CpuHigh' } }),
    );
    await engine.runUntilIdle();
    const disk = await alertOf(s, 'disk');
    expect(disk.routing).toBe(`suppressed:${silence.id}`);
    expect(disk.incident_id).toBeNull();
    const routed = (await alertEvents(disk.id)).find((e) => e.kind === 'routed');
    expect(routed?.data).toMatchObject({
      suppression_kind: 'silence',
      reason: expect.stringMatching(/disk migration/),
    });
    expect((await alertOf(s, 'cpu')).routing).toMatch(/^declared:/);
    advance(MINUTE);
    await endSuppression({ ctx: t.ctx(), input: { kind: 'silence', id: silence.id } });
    advance(MINUTE);
    await s.fire(trigger('disk2', { labels: { env: 'prod', alertname: 'DiskFull' } }));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'disk2')).routing).toMatch(/^declared:/);
  });

  it('records every alert of a service during its maintenance window, and none after it', async () => {
    const s = await service({});
    const window = await createSuppression({
      ctx: t.ctx(),
      input: {
        kind: 'maintenance',
        suppression: { service: s.name, duration: '30m', comment: 'database upgrade' },
      },
    });
    await s.fire(trigger('during', { severity: 'critical' }));
    advance(31 * MINUTE);
    await engine.runUntilIdle();
    // It fired during the window: suppressed even though it is decided after the window ended.
    expect((await alertOf(s, 'during')).routing).toBe(`suppressed:${window.id}`);
    await s.fire(trigger('after'));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'after')).routing).toMatch(/^declared:/);
    expect(await incidentsOf(s)).toHaveLength(1);
  });

  it('does not suppress before a scheduled window starts, nor other services', async () => {
    const s = await service({});
    const other = await service({});
    const startsAt = new Date(t.clock.now().getTime() + 10 * MINUTE);
    await createSuppression({
      ctx: t.ctx(),
      input: {
        kind: 'maintenance',
        suppression: { service: s.name, starts_at: startsAt.toISOString(), duration: '1h', comment: 'later' },
      },
    });
    await s.fire(trigger('early'));
    await other.fire(trigger('elsewhere'));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'early')).routing).toMatch(/^declared:/);
    expect((await alertOf(other, 'elsewhere')).routing).toMatch(/^declared:/);
  });

  it('silences an alert still waiting out its grace period', async () => {
    const s = await service({ grace: '5m' });
    await s.fire(trigger('noisy', { labels: { check: 'ping' } }));
    await engine.runUntilIdle();
    advance(2 * MINUTE);
    const silence = await createSuppression({
      ctx: t.ctx(),
      input: {
        kind: 'silence',
        suppression: {
          matchers: [{ name: 'check', op: '=', value: 'ping' }],
          duration: '1h',
          comment: 'known',
        },
      },
    });
    advance(4 * MINUTE);
    await engine.runUntilIdle();
    expect((await alertOf(s, 'noisy')).routing).toBe(`suppressed:${silence.id}`);
  });

  it('matches alert fields when the alert has no such label (PagerDuty events carry none)', async () => {
    const s = await service({});
    const silence = await createSuppression({
      ctx: t.ctx(),
      input: {
        kind: 'silence',
        suppression: {
          service: s.name,
          matchers: [
            { name: 'source', op: '=~', value: 'canary-.*' },
            { name: 'severity', op: '!=', value: 'info' },
          ],
          duration: '1h',
          comment: 'canaries',
        },
      },
    });
    await s.fire(trigger('x', { source: 'canary-3' }), trigger('y', { source: 'prod-1' }));
    await engine.runUntilIdle();
    expect((await alertOf(s, 'x')).routing).toBe(`suppressed:${silence.id}`);
    expect((await alertOf(s, 'y')).routing).toMatch(/^declared:/);
  });
});

describe('when all alerts resolve', () => {
  it('notes it in the timeline and leaves the incident open', async () => {
    const s = await service({ groupWindow: '10m' });
    await s.fire(trigger('p'), trigger('q'));
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    const id = String(incident?.id);
    await s.fire(resolve('p'));
    await engine.runUntilIdle();
    const notes = async () =>
      (await timeline(id)).filter((e) => e.kind === 'note' && e.data.text === 'all alerts resolved');
    expect(await notes()).toHaveLength(0);
    advance(MINUTE);
    await s.fire(resolve('q'));
    await engine.runUntilIdle();
    await engine.runUntilIdle();
    expect(await notes()).toHaveLength(1);
    expect((await incidentsOf(s))[0]?.resolved_at).toBeNull();
    // A later alert joins and resolves: noted again.
    advance(MINUTE);
    await s.fire(trigger('r'));
    await engine.runUntilIdle();
    advance(MINUTE);
    await s.fire(resolve('r'));
    await engine.runUntilIdle();
    expect(await notes()).toHaveLength(2);
  });

  it('resolves the incident too with resolveIncidentWithAlerts', async () => {
    const s = await service({ resolveIncidentWithAlerts: true });
    await s.fire(trigger('gone'));
    await engine.runUntilIdle();
    advance(MINUTE);
    await s.fire(resolve('gone'));
    await engine.runUntilIdle();
    const [incident] = await incidentsOf(s);
    expect(incident?.state).toBe('resolved');
    expect(incident?.resolved_at?.toISOString()).toBe(t.clock.now().toISOString());
    expect(incident?.resolution).toMatch(/resolveIncidentWithAlerts/);
  });
});
