import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createToken } from '../users/create-token.ts';
import { saveUser } from '../users/save-user.ts';

// Approvals of external updates as the "creator platform" plan asks: the incident commander AND a
// member of leadership, in every language of the plan, over HTTP on a real database.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: creator }
languages: [am, en]
severities: [{ id: SEV1, title: Critical }]
groups: [{ id: leadership, title: Company leadership, leadership: true }]
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
approvals: { external: [incident-commander, leadership] }
`;

let t: TestApp;
const tokens: Record<string, Record<string, string>> = {};

async function user(handle: string, leadership = false) {
  await saveUser({
    ctx: t.ctx(),
    input: {
      user: { handle, name: handle, email: null, role: 'responder', leadership, time_zone: 'UTC' },
      mode: 'upsert',
    },
  });
  tokens[handle] = auth((await createToken({ ctx: t.ctx(), input: { name: 'test', user: handle } })).token);
}

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  await user('abebe');
  await user('selam', true);
  await user('dawit');
});
afterAll(() => t.close());

async function call(method: string, url: string, payload?: unknown, who = 'abebe') {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers: tokens[who],
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

async function declare(): Promise<string> {
  const res = await call('POST', '/api/v1/incidents', { title: 'Uploads fail', severity: 'SEV1' });
  expect(res.status).toBe(201);
  const id = res.body.incident.id;
  expect(
    (await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'incident-commander', user: 'abebe' }))
      .status,
  ).toBe(200);
  return id;
}

const BOTH = { en: 'Uploads are failing; we are on it.', am: 'ፋይል መጫን አልተሳካም፤ እየሰራንበት ነው።' };

describe('an external update under the creator platform plan', () => {
  it('waits for the IC and leadership; publishing early is a 409 naming what is missing', async () => {
    const id = await declare();
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: BOTH,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.update.status).toBe('pending_approval');
    const uid = created.body.update.id;
    const early = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/publish`);
    expect(early.status).toBe(409);
    expect(early.body.error.message).toBe(
      'the update cannot be published yet: missing approval by incident-commander and leadership',
    );
    expect(early.body.error.details).toEqual([
      { path: 'approvals.incident-commander', message: 'missing approval' },
      { path: 'approvals.leadership', message: 'missing approval' },
    ]);
    // Not on the status page while it waits.
    expect((await t.app.inject({ url: '/status/api/v2/incidents.json' })).json().incidents).toEqual([]);

    const stranger = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'dawit');
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.message).toContain(
      'dawit cannot approve for incident-commander or leadership',
    );

    const ic = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, { comment: 'ok' });
    expect(ic.status, JSON.stringify(ic.body)).toBe(200);
    expect(ic.body).toMatchObject({ approved_for: 'incident-commander', published: false });
    const again = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {});
    expect(again.body).toMatchObject({ approved_for: 'incident-commander', published: false });
    const half = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/publish`);
    expect(half.status).toBe(409);
    expect(half.body.error.details).toEqual([{ path: 'approvals.leadership', message: 'missing approval' }]);

    const changes = await call(
      'POST',
      `/api/v1/incidents/${id}/updates/${uid}/request-changes`,
      { comment: 'Say when the next update comes' },
      'selam',
    );
    expect(changes.status).toBe(200);
    const noComment = await call(
      'POST',
      `/api/v1/incidents/${id}/updates/${uid}/request-changes`,
      {},
      'selam',
    );
    expect(noComment.status).toBe(400);

    const edited = await call('PATCH', `/api/v1/incidents/${id}/updates/${uid}`, {
      bodies: { en: `${BOTH.en} Next update at 10:30.`, am: `${BOTH.am} ቀጣይ መረጃ 10:30 ላይ።` },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.update.revision).toBe(2);
    let [listed] = (await call('GET', `/api/v1/incidents/${id}/updates`)).body.updates;
    expect(listed.approval.missing).toEqual(['incident-commander', 'leadership']);
    expect(listed.approval.changes_requested).toEqual([]);
    expect(listed.reviews.map((r: { verdict: string }) => r.verdict)).toEqual([
      'approved',
      'changes_requested',
    ]);

    expect((await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {})).body.published).toBe(
      false,
    );
    const last = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'selam');
    expect(last.body).toMatchObject({ approved_for: 'leadership', published: true });
    [listed] = (await call('GET', `/api/v1/incidents/${id}/updates`)).body.updates;
    expect(listed).toMatchObject({ status: 'published', publishable: false });
    expect(listed.approval.approved.map((a: { by: string }) => a.by)).toEqual(['abebe', 'selam']);

    for (const [lang, text] of [
      ['en', 'Next update at 10:30.'],
      ['am', 'ቀጣይ መረጃ 10:30 ላይ።'],
    ]) {
      const page = (await t.app.inject({ url: `/status/api/v2/incidents.json?lang=${lang}` })).json();
      expect(page.incidents[0].incident_updates[0].body).toContain(text);
    }
    const kinds = (await call('GET', `/api/v1/incidents/${id}/timeline`)).body.events.map(
      (e: { kind: string }) => e.kind,
    );
    expect(kinds.filter((k: string) => k.startsWith('update.'))).toEqual([
      'update.pending_approval',
      'update.approved',
      'update.changes_requested',
      'update.edited',
      'update.approved',
      'update.approved',
      'update.published',
    ]);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_type', '=', 'incident_update')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'update.created',
      'update.approved',
      'update.changes_requested',
      'update.edited',
      'update.approved',
      'update.approved',
      'update.published',
    ]);
    const late = await call('PATCH', `/api/v1/incidents/${id}/updates/${uid}`, { bodies: { en: 'x' } });
    expect(late.status).toBe(409);
  });

  it('is not published by approvals while a language is missing: the 409 lists it', async () => {
    const id = await declare();
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: { en: 'Only English so far' },
    });
    const uid = created.body.update.id;
    await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {});
    const both = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'selam');
    expect(both.body.published).toBe(false);
    const res = await call('POST', `/api/v1/incidents/${id}/updates/${uid}/publish`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toBe('the update cannot be published yet: missing text in am');
    expect(res.body.error.details).toEqual([{ path: 'bodies.am', message: 'missing' }]);
  });

  it('one person approves for one requirement only, even an IC who is in leadership', async () => {
    const id = await declare();
    await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'incident-commander', user: 'selam' });
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: BOTH,
    });
    const uid = created.body.update.id;
    expect(
      (await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'selam')).body.approved_for,
    ).toBe('incident-commander');
    const [u] = (await call('GET', `/api/v1/incidents/${id}/updates`)).body.updates;
    expect(u.approval.missing).toEqual(['leadership']);
    expect((await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'abebe')).status).toBe(
      403,
    );
  });

  it('internal updates need no approval here and publish at once', async () => {
    const id = await declare();
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { en: 'x' },
    });
    expect(created.body.update.status).toBe('published');
    const approve = await call(
      'POST',
      `/api/v1/incidents/${id}/updates/${created.body.update.id}/approve`,
      {},
    );
    expect(approve.status).toBe(409);
    expect((await call('POST', `/api/v1/incidents/${id}/updates/999999/approve`, {})).status).toBe(404);
  });
});

describe('tocsin update', () => {
  it('lists waiting updates and approves one from the command line', async () => {
    const tocsin = await cliAgainst(t);
    const id = await declare();
    await call('POST', `/api/v1/incidents/${id}/roles`, { role: 'incident-commander', user: 'admin' });
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: BOTH,
    });
    const uid = created.body.update.id;
    const listed = await tocsin('update', 'list', id);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`${uid}\\s+external\\s+pending_approval\\s+1\\s+incident-commander, leadership`),
    );
    const approved = await tocsin('update', 'approve', id, uid, '--comment', 'fine');
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toBe('approved for incident-commander\n');
    const early = await tocsin('update', 'publish', id, uid);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('missing approval by leadership');
  });
});

describe('guard rails on external text', () => {
  it('refuse internal details unless overridden with a reason, which the timeline keeps', async () => {
    const id = await declare();
    const leaky = { en: 'db-7.internal (10.0.3.17) is down', am: 'ችግር አለ' };
    const refused = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: leaky,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([
      { path: 'bodies.en', message: 'internal hostname: "db-7.internal"' },
      { path: 'bodies.en', message: 'IPv4 address: "10.0.3.17"' },
    ]);
    const internal = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { en: leaky.en },
    });
    expect(internal.status).toBe(201);
    const kept = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: leaky,
      guard_override_reason: 'the customer asked which host',
    });
    expect(kept.status).toBe(201);
    expect(kept.body.update.guard_override).toMatchObject({
      reason: 'the customer asked which host',
      by: 'abebe',
    });
    const events = (await call('GET', `/api/v1/incidents/${id}/timeline`)).body.events;
    expect(events.find((e: { kind: string }) => e.kind === 'update.guard_overridden').data).toMatchObject({
      rules: ['internal hostname', 'IPv4 address'],
      reason: 'the customer asked which host',
    });
    // An edit is checked again; team patterns from the status page settings count too.
    const settings = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/status-page/settings',
      headers: auth(t.adminToken),
      payload: { name: 'Status', guard_patterns: [{ name: 'ticket', pattern: '\\bOPS-\\d+\\b' }] },
    });
    expect(settings.statusCode).toBe(200);
    const edit = await call('PATCH', `/api/v1/incidents/${id}/updates/${kept.body.update.id}`, {
      bodies: { en: 'Fixed, see OPS-42' },
    });
    expect(edit.status).toBe(400);
    expect(edit.body.error.details).toEqual([{ path: 'bodies.en', message: 'ticket: "OPS-42"' }]);
  });
});

describe('an update’s own status', () => {
  it('is the author’s choice (default: the incident’s state); the status page shows it', async () => {
    const id = await declare();
    const bad = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { en: 'x' },
      status: 'fixed-ish',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      {
        path: 'status',
        message: 'not a status of the plan (investigating, identified, monitoring, resolved)',
      },
    ]);
    const created = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: BOTH,
      status: 'identified',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const uid = created.body.update.id;
    expect(created.body.update.state).toBe('identified');
    // Changing the status is an edit: a new revision, approvals asked for again.
    const edited = await call('PATCH', `/api/v1/incidents/${id}/updates/${uid}`, { status: 'monitoring' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.update).toMatchObject({ state: 'monitoring', revision: 2, bodies: BOTH });
    const empty = await call('PATCH', `/api/v1/incidents/${id}/updates/${uid}`, {});
    expect(empty.status).toBe(400);
    expect((await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {})).status).toBe(200);
    expect((await call('POST', `/api/v1/incidents/${id}/updates/${uid}/approve`, {}, 'selam')).status).toBe(
      200,
    );
    const incident = (await call('GET', `/api/v1/incidents/${id}`)).body.incident;
    expect(incident.state).toBe('investigating');
    const page = (await t.app.inject({ url: '/status/api/v2/incidents/unresolved.json' })).json();
    const shown = page.incidents.find((i: { id: string }) => i.id === id);
    expect(shown.status).toBe('monitoring');
    expect(shown.incident_updates[0]).toMatchObject({ status: 'monitoring' });
    const html = (await t.app.inject({ url: '/status?lang=am' })).body;
    expect(html).toContain('<b>በክትትል ላይ</b> - ፋይል መጫን አልተሳካም፤ እየሰራንበት ነው።');
    const draft = (await call('GET', `/api/v1/incidents/${id}/updates/draft?audience=external`)).body.draft;
    expect(draft).toMatchObject({
      status: 'investigating',
      statuses: ['investigating', 'identified', 'monitoring', 'resolved'],
    });
  });
});

describe('drafting from the plan’s templates', () => {
  it('fills the creator platform’s Amharic and English status template and says when the next update is due', async () => {
    const source = readFileSync(
      new URL('../../../examples/plans/creator-platform.yaml', import.meta.url),
      'utf8',
    );
    await savePlan({ ctx: t.ctx(), input: { source } });
    const declared = await call('POST', '/api/v1/incidents', {
      plan: 'creator-platform',
      title: 'Video uploads fail',
      severity: 'SEV1',
      service: 'uploads',
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    const id = declared.body.incident.id;
    const res = await call('GET', `/api/v1/incidents/${id}/updates/draft?audience=external`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { draft } = res.body;
    expect(draft.template).toBe('status-investigating');
    expect(draft.bodies.en).toContain('Investigating - Video uploads fail');
    expect(draft.bodies.en).toContain('affecting uploads');
    expect(draft.bodies.am).toContain('በምርመራ ላይ - Video uploads fail');
    expect(draft.missing_languages).toEqual([]);
    const internalDue = new Date(t.clock.now().getTime() + 15 * 60_000).toISOString();
    expect(draft.next_update_due).toEqual({ internal: internalDue, external: null });
    const internal = (await call('GET', `/api/v1/incidents/${id}/updates/draft?audience=internal`)).body
      .draft;
    // Times in messages read as date and time in UTC (the one placeholder renderer's format).
    expect(internal.bodies.en).toContain(
      `Next update: ${internalDue.slice(0, 10)} ${internalDue.slice(11, 16)} UTC`,
    );
    expect(internal.bodies.en).toContain('IC: unassigned');
    const unknown = await call('GET', `/api/v1/incidents/${id}/updates/draft?template=nope`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0]).toMatchObject({ path: 'template' });
  });
});
