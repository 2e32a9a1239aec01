import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSlashCommand } from '../../../test/fakes/slack.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';

// `/tocsin` slash commands from Slack: verified with the v0 signing secret and the timestamp window,
// run as the Tocsin user whose verified Slack contact sent them, each through the operation the API
// calls (so its permission check and audit apply): declare, ack, status, update, note, resolve.

const SECRET = 'slack-signing-secret-for-commands';
let t: TestApp;

const SETUP = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: noor }
spec:
  name: Noor
  role: responder
  contacts: [{ kind: slack, address: U0NOOR123, label: slack, verified: true }]
---
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: vic }
spec:
  name: Vic
  role: viewer
  contacts: [{ kind: slack, address: U0VIEWER1, label: slack, verified: true }]
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: chat }
languages: [en, am]
severities: [{ id: SEV1, title: Outage }, { id: SEV2, title: Degraded }]
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

beforeAll(async () => {
  process.env.TOCSIN_SLACK_SIGNING_SECRET = SECRET;
  t = await testApp();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'setup.yaml', content: SETUP }] },
  });
  expect(res.statusCode, res.body).toBe(200);
});
afterAll(async () => {
  delete process.env.TOCSIN_SLACK_SIGNING_SECRET;
  await t.close();
});

async function slash(text: string, userId = 'U0NOOR123', at = t.clock.now(), secret = SECRET) {
  const c = slackSlashCommand(secret, { text, userId }, at);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/slack/commands',
    headers: c.headers,
    payload: c.body,
  });
  return {
    status: res.statusCode,
    body: res.json() as { response_type?: string; text?: string; error?: string },
  };
}

const incidentRow = (id: string) =>
  t.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('/tocsin slash commands', () => {
  it('refuses a wrong signature, a stale timestamp and an unsigned request', async () => {
    expect((await slash('status 1', 'U0NOOR123', t.clock.now(), 'wrong-secret')).status).toBe(401);
    expect(
      (await slash('status 1', 'U0NOOR123', new Date(t.clock.now().getTime() - 6 * 60_000))).status,
    ).toBe(401);
    const unsigned = await t.app.inject({
      method: 'POST',
      url: '/api/v1/slack/commands',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'command=%2Ftocsin&text=declare+SEV1+x&user_id=U0NOOR123',
    });
    expect(unsigned.statusCode).toBe(401);
    expect(await t.db.selectFrom('incidents').select('id').execute()).toEqual([]);
  });

  it('declares, tells the status, acknowledges, updates, notes and resolves as the mapped user', async () => {
    const declared = await slash('declare SEV1 Checkout <b>down</b>');
    expect(declared.body.response_type).toBe('in_channel');
    const id = /#(\d+)/.exec(declared.body.text ?? '')?.[1] ?? '';
    expect(declared.body.text).toBe(
      `noor declared incident #${id} [SEV1] Checkout &lt;b&gt;down&lt;/b&gt;: http://tocsin.test/incidents/${id}`,
    );
    expect((await incidentRow(id)).title).toBe('Checkout <b>down</b>');

    const status = await slash(`status ${id}`);
    expect(status.body).toMatchObject({ response_type: 'ephemeral' });
    expect(status.body.text).toContain(`#${id} [SEV1] Checkout &lt;b&gt;down&lt;/b&gt;: investigating`);

    expect((await slash(`ack ${id}`)).body.text).toBe(
      `Incident #${id} acknowledged by noor. Paging stopped.`,
    );
    expect((await slash(`ack ${id}`)).body.text).toBe(`Incident #${id} was already acknowledged.`);
    expect((await incidentRow(id)).acknowledged_at).not.toBeNull();

    expect((await slash(`update ${id} Rolled back; watching.`)).body.text).toBe(
      `Update on #${id} by noor: Rolled back; watching.`,
    );
    const updates = await t.db
      .selectFrom('incident_updates')
      .selectAll()
      .where('incident_id', '=', id)
      .execute();
    expect(updates.map((u) => [u.audience, u.bodies, u.created_by])).toEqual([
      ['internal', { en: 'Rolled back; watching.' }, 'noor'],
    ]);
    expect((await slash(`note ${id} checked the dashboards`)).body.text).toBe(`Noted on #${id}.`);
    expect((await slash(`resolve ${id} rolled back`)).body.text).toBe(`Incident #${id} resolved by noor.`);
    const resolved = await incidentRow(id);
    expect([resolved.state, resolved.resolution]).toEqual(['resolved', 'rolled back']);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('entity_id', '=', id)
      .where('actor_name', '=', 'noor')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['incident.declared', 'incident.resolved']),
    );
  });

  it('checks permission in the operation, and answers bad input and strangers with what went wrong', async () => {
    const before = (await t.db.selectFrom('incidents').select('id').execute()).length;
    const viewer = await slash('declare SEV1 Viewer tries', 'U0VIEWER1');
    expect(viewer.body.response_type).toBe('ephemeral');
    expect(viewer.body.text).toMatch(/^Not done: /);
    expect((await t.db.selectFrom('incidents').select('id').execute()).length).toBe(before);

    expect((await slash('declare SEV9 Unknown severity')).body.text).toMatch(/^Not done: .*SEV9/);
    expect((await slash('ack 999999')).body.text).toMatch(/^Not done: .*999999/);
    expect((await slash('ack abc')).body.text).toMatch(/^Not done: /);
    expect((await slash('declare')).body.text).toBe('Usage: /tocsin declare &lt;severity&gt; &lt;title&gt;');
    expect((await slash('')).body.text).toContain('Usage: /tocsin &lt;command&gt;');
    expect((await slash('status 1', 'U0STRANGER')).body.text).toContain('not a verified contact');
    const malformed = slackSlashCommand(SECRET, { text: 'x' }, t.clock.now());
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/slack/commands',
      headers: malformed.headers,
      payload: malformed.body.replace(/user_id=[^&]*&/, ''),
    });
    expect(res.statusCode).toBe(401); // the body changed, so the signature no longer matches
  });
});
