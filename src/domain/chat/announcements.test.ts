import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { Engine } from '../../engine/engine.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';

// Announcement channels (communication.channels[].announce): the engine queues a chat post in the
// outbox when an incident is declared, changes severity or resolves, for the severities the channel
// names; a bad channel entry is a plan error at its line:col.

let t: TestApp;

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: loud }
languages: [en]
severities: [{ id: SEV1, title: Outage }, { id: SEV2, title: Degraded }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
warRoom: { url: "https://meet.jit.si/loud-{id}" }
communication:
  channels:
    - { name: "#incidents", announce: [declared, severity_changed, resolved] }
    - { name: "#exec", announce: [declared], severities: [SEV1] }
    - { name: "#quiet" }
`;

async function apply(content: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'loud.yaml', content }] },
  });
}

async function call(url: string, payload: Record<string, unknown>) {
  const res = await t.app.inject({ method: 'POST', url, headers: auth(t.adminToken), payload });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

async function announcements(incidentId: string) {
  await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [
    workflowEventsModule(),
  ]).runUntilIdle();
  const rows = await t.db
    .selectFrom('outbox')
    .select(['channel', 'destination', 'payload'])
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  return rows.map((r) => `${r.channel} ${r.destination}: ${String((r.payload as { text: string }).text)}`);
}

beforeAll(async () => {
  t = await testApp();
  const res = await apply(PLAN);
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(() => t.close());

describe('announcement channels', () => {
  it('hear of declaration, severity changes and resolution, once each, for their severities', async () => {
    const { incident } = await call('/api/v1/incidents', {
      plan: 'loud',
      severity: 'SEV2',
      title: 'Slow <search>',
    });
    await call(`/api/v1/incidents/${incident.id}/severity`, { severity: 'SEV1', reason: 'all regions' });
    await call(`/api/v1/incidents/${incident.id}/resolve`, { resolution: 'rolled back' });
    const url = `/incidents/${incident.id}`;
    const got = await announcements(incident.id);
    expect(got).toHaveLength(3);
    expect(got[0]).toMatch(
      new RegExp(`^chat #incidents: Incident #${incident.id} \\[SEV2\\] Slow <search> declared by`),
    );
    expect(got[0]).toContain(`Channel: #${incident.channel_name}`);
    expect(got[0]).toContain(url);
    expect(got[1]).toContain('severity SEV2 → SEV1 (all regions)');
    // Declared at SEV2: #exec (SEV1 only) heard nothing; the war room opened with SEV1.
    expect(got[1]).toContain(`War room: https://meet.jit.si/loud-${incident.id}`);
    expect(got[2]).toContain('[SEV1] Slow <search> resolved: rolled back');
    expect(await announcements(incident.id)).toHaveLength(3);

    const { incident: big } = await call('/api/v1/incidents', {
      plan: 'loud',
      severity: 'SEV1',
      title: 'Down',
    });
    const loud = await announcements(big.id);
    expect(loud.map((l) => l.split(':')[0])).toEqual(['chat #incidents', 'chat #exec']);
    expect(loud[1]).toContain(`War room: https://meet.jit.si/loud-${big.id}`);
  });

  it('refuses an unknown severity and a channel that is not #name', async () => {
    const bad = PLAN.replace('severities: [SEV1] }', 'severities: [SEV9] }').replace(
      '{ name: "#incidents"',
      '{ name: "incidents"',
    );
    const res = await apply(bad);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('loud.yaml:10:');
    expect(res.body).toContain('#name');
    expect(res.body).toContain('loud.yaml:11:');
    expect(res.body).toContain('SEV9');
  });
});
