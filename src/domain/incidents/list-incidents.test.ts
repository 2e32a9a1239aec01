import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';
import { listIncidents } from './list-incidents.ts';
import { listIncidentsJson } from './list-incidents-json.ts';
import { PAYMENTS_PLAN } from './testing.ts';

// The incident list's team and "mine" filters: who is involved comes from roles, responders and
// pages sent (through the real operations).
let t: TestApp;
let admin: Record<string, string>;
let alice: Record<string, string>;
let bob: Record<string, string>;
let carol: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PAYMENTS_PLAN } });
  alice = auth(await t.tokenFor('responder', 'alice'));
  bob = auth(await t.tokenFor('responder', 'bob'));
  const carolId = await addUser(t.ctx(), 'carol', { email: 'carol@example.com' });
  carol = auth(await t.tokenFor('responder', 'carol'));
  // A verified email and a rule using it, as in the paging tests (verification is tested there).
  const method = await t.db
    .insertInto('contact_methods')
    .values({
      user_id: carolId,
      kind: 'email',
      address: 'carol@example.com',
      verified_at: t.clock.now(),
      created_at: t.clock.now(),
      updated_at: t.clock.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.db
    .insertInto('notification_rules')
    .values({ user_id: carolId, position: 0, contact_method_id: method.id, delay_seconds: 0 })
    .execute();
});
afterAll(() => t.close());

async function call(method: string, url: string, payload?: unknown, headers = admin) {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.json() };
}

async function declare(title: string, service: string): Promise<string> {
  const res = await call('POST', '/api/v1/incidents', { title, severity: 'P2', service });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.incident.id;
}

const titles = async (query: string, headers = admin) => {
  const res = await call('GET', `/api/v1/incidents?state=all&${query}`, undefined, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.incidents.map((i: { title: string }) => i.title).sort();
};

describe('listing incidents by team and mine', () => {
  it("filters by the team owning the incident's service, and by service", async () => {
    expect((await call('POST', '/api/v1/teams', { name: 'payments-team' })).status).toBe(201);
    expect((await call('POST', '/api/v1/teams', { name: 'search-team' })).status).toBe(201);
    expect((await call('POST', '/api/v1/services', { name: 'checkout', team: 'payments-team' })).status).toBe(
      201,
    );
    expect((await call('POST', '/api/v1/services', { name: 'ledger', team: 'payments-team' })).status).toBe(
      201,
    );
    expect((await call('POST', '/api/v1/services', { name: 'search', team: 'search-team' })).status).toBe(
      201,
    );
    await declare('Checkout slow', 'checkout');
    await declare('Ledger behind', 'ledger');
    await declare('Search down', 'search');
    await declare('Unowned thing', 'nobody-owns-this');

    expect(await titles('team=payments-team')).toEqual(['Checkout slow', 'Ledger behind']);
    expect(await titles('team=search-team')).toEqual(['Search down']);
    expect(await titles('team=no-such-team')).toEqual([]);
    expect(await titles('service=ledger')).toEqual(['Ledger behind']);
    // Keyset pages keep the filter: one row a page, the same rows as one big page.
    const first = await call('GET', '/api/v1/incidents?state=all&team=payments-team&limit=1');
    expect(first.body.incidents).toHaveLength(1);
    const second = await call(
      'GET',
      `/api/v1/incidents?state=all&team=payments-team&limit=1&cursor=${first.body.next}`,
    );
    expect(second.body.incidents).toHaveLength(1);
    expect(second.body.next).toBeNull();
    expect([first.body.incidents[0].title, second.body.incidents[0].title].sort()).toEqual([
      'Checkout slow',
      'Ledger behind',
    ]);
  });

  it('lists as mine the incidents where I hold a role, respond or was paged', async () => {
    const roleId = await declare('Alice commands', 'mine-a');
    const responderId = await declare('Bob responds', 'mine-b');
    const pagedId = await declare('Carol paged', 'mine-c');
    await declare('Nobody involved', 'mine-d');
    const roled = await call('POST', `/api/v1/incidents/${roleId}/roles`, {
      role: 'incident-commander',
      user: 'alice',
    });
    expect(roled.status, JSON.stringify(roled.body)).toBe(200);
    const joined = await call('POST', `/api/v1/incidents/${responderId}/responders`, {
      responder: 'database expert',
      user: 'bob',
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    // Carol is paged through her team, not named as a responder: only the page queued for her links her.
    expect((await call('POST', '/api/v1/teams', { name: 'dba', members: [{ user: 'carol' }] })).status).toBe(
      201,
    );
    const teamPaged = await call('POST', `/api/v1/incidents/${pagedId}/responders`, {
      responder: 'team:dba',
    });
    expect(teamPaged.status, JSON.stringify(teamPaged.body)).toBe(201);

    expect(await titles('mine=true', alice)).toEqual(['Alice commands']);
    expect(await titles('mine=true', bob)).toEqual(['Bob responds']);
    expect(await titles('mine=true', carol)).toEqual(['Carol paged']);
    expect(await titles('mine=true&service=mine-a', alice)).toEqual(['Alice commands']);
    expect(await titles('mine=true&service=mine-b', alice)).toEqual([]);
    expect(await titles('mine=false', alice)).toContain('Nobody involved');
    const bad = await call('GET', '/api/v1/incidents?mine=yes');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0]).toMatchObject({ path: 'querystring.mine' });
  });
});

describe('the list answer built by PostgreSQL (listIncidentsJson)', () => {
  it('is the document JSON.stringify writes of listIncidents, every column included', async () => {
    const id = await declare('Every column set', 'checkout');
    // Every nullable column given a value (times with microseconds: both keep the milliseconds).
    await sql`
      update incidents set detected_at = declared_at - interval '1.234567 minutes',
        acknowledged_at = declared_at + interval '1.000999 s', triaged_at = declared_at + interval '2 s',
        first_update_at = declared_at + interval '3 s', status_page_at = declared_at + interval '4 s',
        mitigated_at = declared_at + interval '5 s', resolved_at = declared_at + interval '6 s',
        severity_changed_at = declared_at + interval '7 s', type = 'security', code_name = 'Bluebird',
        war_room_url = 'https://meet.example.com/x', mitigation = '{"steps":["roll back"],"risk":"low"}',
        labels = '{"team":"payments","quote":"\\"é\\u0001"}', fields = '{"n":1.5,"list":[1,"two",null]}',
        merged_into = id, title = 'Tab	and "quotes" and ünïcode'
      where id = ${id}`.execute(t.db);
    const input = { state: 'all' as const, limit: 500 };
    const objects = await listIncidents({ ctx: t.ctx(), input });
    const text = (await listIncidentsJson({ ctx: t.ctx(), input })).toString('utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(objects)));
    const row = objects.incidents.find((i) => i.id === id);
    expect(row && Object.values(row).every((v) => v !== null)).toBe(true);
    // No column of the table is left out of the JSON (a new column must be added to INCIDENT_JSON).
    const { rows } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'incidents'`.execute(t.db);
    const listed = JSON.parse(text).incidents.find((i: { id: string }) => i.id === id);
    expect(Object.keys(listed).sort()).toEqual(rows.map((r) => r.column_name).sort());
    // The HTTP answer is that document, with a cursor page too.
    const res = await call('GET', '/api/v1/incidents?state=all&limit=1');
    expect(res.status).toBe(200);
    const page = await listIncidents({ ctx: t.ctx(), input: { state: 'all', limit: 1 } });
    expect(res.body).toEqual(JSON.parse(JSON.stringify(page)));
  });
});
