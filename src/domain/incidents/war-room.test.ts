import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';

// The war-room link (plan warRoom.url): rendered once when an incident is declared at (or first
// reaches) a severity the war room is for, stored on the incident, answered by the API and filled
// into texts by {war_room}; a bad template is a plan error at its line:col.

let t: TestApp;

const plan = (url: string) => `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: rooms }
languages: [en]
severities: [{ id: SEV1, title: Outage }, { id: SEV2, title: Degraded }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
warRoom: { tool: Jitsi, severities: [SEV1], url: "${url}" }
templates:
  - { id: internal, kind: internal, body: { en: "Join {war_room} for {title}" } }
`;

async function apply(content: string) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'rooms.yaml', content }] },
  });
}

async function call(method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await t.app.inject({
    method,
    url,
    headers: auth(t.adminToken),
    ...(payload ? { payload } : {}),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

beforeAll(async () => {
  t = await testApp();
  const res = await apply(plan('https://meet.jit.si/acme-incident-{id}-{severity}'));
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(() => t.close());

describe('war room', () => {
  it('is stored at declaration for a war-room severity and fills {war_room}', async () => {
    const { incident } = await call('POST', '/api/v1/incidents', {
      plan: 'rooms',
      severity: 'SEV1',
      title: 'Down',
    });
    expect(incident.war_room_url).toBe(`https://meet.jit.si/acme-incident-${incident.id}-SEV1`);
    const detail = await call('GET', `/api/v1/incidents/${incident.id}`);
    expect(detail.incident.war_room_url).toBe(incident.war_room_url);
    const { draft } = await call('GET', `/api/v1/incidents/${incident.id}/updates/draft?audience=internal`);
    expect(draft.bodies.en).toBe(`Join ${incident.war_room_url} for Down`);
  });

  it('opens when the incident first reaches a war-room severity, and then stays', async () => {
    const { incident } = await call('POST', '/api/v1/incidents', {
      plan: 'rooms',
      severity: 'SEV2',
      title: 'Slow',
    });
    expect(incident.war_room_url).toBeNull();
    const up = await call('POST', `/api/v1/incidents/${incident.id}/severity`, {
      severity: 'SEV1',
      reason: 'worse',
    });
    expect(up.incident.war_room_url).toBe(`https://meet.jit.si/acme-incident-${incident.id}-SEV1`);
    const down = await call('POST', `/api/v1/incidents/${incident.id}/severity`, {
      severity: 'SEV2',
      reason: 'better',
    });
    expect(down.incident.war_room_url).toBe(up.incident.war_room_url);
  });

  it('refuses a template that is not https or names an unknown placeholder', async () => {
    for (const [url, message] of [
      ['http://zoom.us/j/1', 'an https:// URL'],
      ['https://zoom.us/j/{nope}', 'nope'],
    ] as const) {
      const res = await apply(plan(url));
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(message);
      expect(res.body).toMatch(/rooms\.yaml:7:\d+/);
    }
  });
});
