import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';

// Related incidents (issue 11 §3.10): a link is symmetric — shown on both incidents, written to both
// timelines, audited — and linking again, or unlinking what is not linked, changes nothing.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: links }
severities: [{ id: SEV1, title: Critical }, { id: SEV2, title: Major }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
});
afterAll(async () => {
  await t.close();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
  headers = admin,
) {
  const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, body: res.json() };
}

async function declare(title: string, severity = 'SEV1'): Promise<string> {
  const res = await call('POST', '/api/v1/incidents', { title, severity });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.incident.id as string;
}

const kinds = async (id: string) =>
  (
    (await call('GET', `/api/v1/incidents/${id}/timeline`)).body.events as { kind: string; data: unknown }[]
  ).filter((e) => e.kind.startsWith('incident.') && e.kind.endsWith('linked'));

describe('linking incidents', () => {
  it('links both ways, in both timelines and the audit log, once', async () => {
    const a = await declare('Checkout errors');
    const b = await declare('Payments slow', 'SEV2');
    const linked = await call('POST', `/api/v1/incidents/${a}/links`, { incident_id: b });
    expect(linked.status, JSON.stringify(linked.body)).toBe(200);
    expect(linked.body).toMatchObject({
      changed: true,
      related: [{ id: b, title: 'Payments slow', state: 'investigating', severity: 'SEV2' }],
    });

    expect((await call('GET', `/api/v1/incidents/${a}`)).body.related).toMatchObject([{ id: b }]);
    expect((await call('GET', `/api/v1/incidents/${b}`)).body.related).toMatchObject([
      { id: a, title: 'Checkout errors', state: 'investigating', severity: 'SEV1' },
    ]);
    expect(await kinds(a)).toMatchObject([{ kind: 'incident.linked', data: { incident_id: b } }]);
    expect(await kinds(b)).toMatchObject([{ kind: 'incident.linked', data: { incident_id: a } }]);

    // Again, and from the other side: the same link, nothing new written.
    const again = await call('POST', `/api/v1/incidents/${b}/links`, { incident_id: a });
    expect(again.body).toMatchObject({ changed: false, related: [{ id: a }] });
    expect(await kinds(a)).toHaveLength(1);
    const audited = await t.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id'])
      .where('action', '=', 'incident.linked')
      .where('entity_id', '=', a)
      .execute();
    expect(audited).toHaveLength(1);

    const unlinked = await call('DELETE', `/api/v1/incidents/${b}/links/${a}`);
    expect(unlinked.body).toEqual({ changed: true, related: [] });
    expect((await call('GET', `/api/v1/incidents/${a}`)).body.related).toEqual([]);
    expect((await kinds(a)).map((e) => e.kind)).toEqual(['incident.linked', 'incident.unlinked']);
    expect((await kinds(b)).map((e) => e.kind)).toEqual(['incident.linked', 'incident.unlinked']);
    expect((await call('DELETE', `/api/v1/incidents/${b}/links/${a}`)).body).toEqual({
      changed: false,
      related: [],
    });
  });

  it('refuses a self link, an unknown incident, bad ids and callers who may not change incidents', async () => {
    const a = await declare('Login errors');
    const self = await call('POST', `/api/v1/incidents/${a}/links`, { incident_id: a });
    expect(self.status).toBe(400);
    expect(self.body.error.details).toMatchObject([{ path: 'incident_id' }]);
    expect((await call('POST', `/api/v1/incidents/${a}/links`, { incident_id: '999999' })).status).toBe(404);
    expect((await call('POST', `/api/v1/incidents/999999/links`, { incident_id: a })).status).toBe(404);
    expect((await call('DELETE', `/api/v1/incidents/${a}/links/999999`)).status).toBe(404);
    const selfUnlink = await call('DELETE', `/api/v1/incidents/${a}/links/${a}`);
    expect(selfUnlink.status).toBe(400);
    expect(selfUnlink.body.error.details).toMatchObject([{ path: 'other' }]);
    const bad = await call('POST', `/api/v1/incidents/${a}/links`, { incident_id: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toMatchObject([{ path: 'body.incident_id' }]);
    expect((await call('POST', `/api/v1/incidents/${a}/links`, {})).status).toBe(400);

    const b = await declare('Login slow');
    const viewer = auth(await t.tokenFor('viewer'));
    expect((await call('POST', `/api/v1/incidents/${a}/links`, { incident_id: b }, viewer)).status).toBe(403);
    expect((await call('GET', `/api/v1/incidents/${a}`)).body.related).toEqual([]);
    expect(await kinds(a)).toEqual([]);
  });
});
