import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { inTx } from '../../db/tx.ts';
import { auditRowOf } from '../audit/queries.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { savePlan } from '../plans/save-plan.ts';
import { declareIncident } from './declare-incident.ts';
import { EVENT_KINDS } from './events.ts';
import * as incidents from './queries.ts';
import { PAYMENTS_PLAN } from './testing.ts';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PAYMENTS_PLAN } });
  for (const handle of ['alice', 'bob']) await t.tokenFor('responder', handle);
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

async function declare(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/api/v1/incidents', {
    title: 'Payment outage',
    severity: 'P1',
    service: 'payments-api',
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.incident.id;
}

async function counts() {
  const n = async (table: 'incidents' | 'incident_events' | 'audit_log' | 'incident_updates') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    incidents: await n('incidents'),
    events: await n('incident_events'),
    audit: await n('audit_log'),
    updates: await n('incident_updates'),
  };
}

describe('declaring', () => {
  it('declares under the only plan with channel, checklists, responders, links and audit', async () => {
    const id = await declare({ correlation_id: 'req:42', service: 'payments api' });
    const { status, body } = await call('GET', `/api/v1/incidents/${id}`);
    expect(status).toBe(200);
    expect(body.incident).toMatchObject({
      plan_name: 'payments',
      plan_version: 1,
      state: 'investigating',
      severity: 'P1',
      channel_name: 'incident-2026-03-02-payment-outage',
      correlation_id: 'req:42',
    });
    // Only the declare checklist now; the resolved one arrives with the resolved state.
    expect(body.checklists.map((c: { name: string; items: unknown[] }) => [c.name, c.items.length])).toEqual([
      ['declare', 2],
    ]);
    expect(body.checklists[0].items[0]).toMatchObject({ text: 'Open the war room', source: 'plan' });
    expect(body.responders.map((r: { responder: string }) => r.responder)).toEqual([
      'service-owner',
      'sre-oncall',
      'senior-eng-lead',
      'product-rep',
    ]);
    expect(body.responders.every((r: { source: string }) => r.source === 'plan')).toBe(true);
    expect(body.links.traces).toBe('https://tempo.example.com/search?q=req%3A42&svc=payments%20api');
    expect(body.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      EVENT_KINDS.declared,
      ...Array(4).fill(EVENT_KINDS.responderAdded),
    ]);
    const auditRow = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'incident.declared')
      .where('entity_id', '=', id)
      .executeTakeFirst();
    expect(auditRow?.actor_name).toBe('admin');
  });

  it('generates a correlation id containing the incident id', async () => {
    const id = await declare();
    const { body } = await call('GET', `/api/v1/incidents/${id}`);
    expect(body.incident.correlation_id).toMatch(new RegExp(`^inc-${id}-[0-9a-f]{8}$`));
    expect(body.links.traces).toContain(encodeURIComponent(body.incident.correlation_id));
  });

  it('refuses an unknown severity or plan, a future detected_at, and writes nothing', async () => {
    const before = await counts();
    const sev = await call('POST', '/api/v1/incidents', { title: 'x', severity: 'SEV9' });
    expect(sev.status).toBe(400);
    expect(sev.body.error.details[0]).toMatchObject({ path: 'severity' });
    expect(sev.body.error.details[0].message).toContain('P1, P2');
    const plan = await call('POST', '/api/v1/incidents', { title: 'x', severity: 'P1', plan: 'nope' });
    expect(plan.status).toBe(400);
    expect(plan.body.error.details[0].path).toBe('plan');
    const future = await call('POST', '/api/v1/incidents', {
      title: 'x',
      severity: 'P1',
      detected_at: '2030-01-01T00:00:00Z',
    });
    expect(future.status).toBe(400);
    expect(future.body.error.details[0].path).toBe('detected_at');
    expect(await counts()).toEqual(before);
  });

  it('rolls back the incident and its audit row together when the surrounding transaction fails', async () => {
    const before = await counts();
    await expect(
      inTx(t.db, async (tx) => {
        const ctx = makeCtx({ db: tx, clock: t.clock }, SYSTEM_ACTOR);
        await declareIncident({ ctx, input: { title: 'Doomed', severity: 'P2' } });
        throw new Error('boom after declaring');
      }),
    ).rejects.toThrow('boom');
    expect(await counts()).toEqual(before);
  });
});

describe('lifecycle', () => {
  it('writes a move read without a lock only while the row is as read (else the locked path)', async () => {
    const id = await declare();
    const read = await incidents.findIncidentWithPlanDigest(t.db, id);
    if (!read) throw new Error('declared incident not found');
    expect(read.incident.state).toBe('investigating');
    // Another writer moves it first: the stale move matches no row and writes no event or audit entry.
    expect((await call('POST', `/api/v1/incidents/${id}/transition`, { to: 'identified' })).status).toBe(200);
    const before = await counts();
    const now = t.clock.now();
    const stale = await incidents.moveStateIfUnchanged(
      t.db,
      read.incident,
      { state: 'resolved', state_entered_at: now, updated_at: now },
      { incidentId: id, kind: EVENT_KINDS.stateChanged, at: now, actor: SYSTEM_ACTOR, data: {} },
      auditRowOf(SYSTEM_ACTOR, now, {
        action: 'incident.state_changed',
        entityType: 'incident',
        entityId: id,
        before: null,
        after: null,
      }),
    );
    expect(stale).toBeUndefined();
    expect(await counts()).toEqual(before);
    const row = await t.db
      .selectFrom('incidents')
      .select('state')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.state).toBe('identified');
  });

  it('moves an incident changed elsewhere since this process wrote it from where it is now', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}`;
    // Another instance moves it: this process still knows it as investigating (move-basis.ts), so
    // its move conditional on that changes nothing, and it reads the row.
    await t.db.updateTable('incidents').set({ state: 'identified' }).where('id', '=', id).execute();
    const repeat = await call('POST', `${url}/transition`, { to: 'identified' });
    expect(repeat.status).toBe(200);
    expect(repeat.body.incident.state).toBe('identified');
    const moved = await call('POST', `${url}/transition`, { to: 'monitoring' });
    expect(moved.status).toBe(200);
    expect(moved.body.incident.state).toBe('monitoring');
    const { body } = await call('GET', `${url}/timeline`);
    const changes = body.events.filter((e: { kind: string }) => e.kind === EVENT_KINDS.stateChanged);
    expect(changes.map((e: { data: unknown }) => e.data)).toEqual([{ from: 'identified', to: 'monitoring' }]);
  });

  it('allows legal transitions only, resolves and reopens', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}`;
    expect((await call('POST', `${url}/transition`, { to: 'identified' })).status).toBe(200);
    const illegal = await call('POST', `${url}/transition`, { to: 'resolved' });
    expect(illegal.status).toBe(409);
    expect(illegal.body.error.message).toContain('allowed: investigating, monitoring');
    const unknown = await call('POST', `${url}/transition`, { to: 'exploded' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('to');
    expect((await call('POST', `${url}/transition`, { to: 'monitoring' })).status).toBe(200);
    t.clock.advance(60_000);
    const resolved = await call('POST', `${url}/resolve`, { resolution: 'rolled back the deploy' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.incident).toMatchObject({
      state: 'resolved',
      resolution: 'rolled back the deploy',
      resolved_at: t.clock.now().toISOString(),
    });
    // A repeat is harmless; other changes wait for a reopen; notes still go in.
    expect((await call('POST', `${url}/resolve`, {})).status).toBe(200);
    const triage = await call('POST', `${url}/triage`, {});
    expect(triage.status).toBe(409);
    expect(triage.body.error.message).toContain('resolved');
    expect((await call('PATCH', url, { title: 'later' })).status).toBe(409);
    expect((await call('POST', `${url}/notes`, { text: 'post-mortem on Thursday' })).status).toBe(201);
    const reopened = await call('POST', `${url}/transition`, { to: 'investigating', reason: 'it is back' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.incident).toMatchObject({ state: 'investigating', resolved_at: null });
    const { body } = await call('GET', `${url}/timeline`);
    const kinds = body.events.map((e: { kind: string }) => e.kind);
    expect(kinds.filter((k: string) => k === EVENT_KINDS.stateChanged)).toHaveLength(4);
    expect(kinds).toContain(EVENT_KINDS.resolved);
    expect(body.events.at(-1).data).toMatchObject({ from: 'resolved', to: 'investigating', reopened: true });
    // Each move's audit entry, written in the statement that moves the row: state and resolved_at.
    const entries = await t.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('entity_type', '=', 'incident')
      .where('entity_id', '=', String(id))
      .where('action', 'in', ['incident.state_changed', 'incident.reopened'])
      .orderBy('id')
      .execute();
    expect(entries.at(-2)).toEqual({
      action: 'incident.state_changed',
      before: { state: 'identified', resolved_at: null },
      after: { state: 'monitoring', resolved_at: null },
    });
    expect(entries.at(-1)).toMatchObject({
      action: 'incident.reopened',
      before: { state: 'resolved', resolved_at: resolved.body.incident.resolved_at },
      after: { state: 'investigating', resolved_at: null, reason: 'it is back' },
    });
  });

  it('triages once, confirming severity and summary with events for each change', async () => {
    const id = await declare();
    t.clock.advance(120_000);
    const res = await call('POST', `/api/v1/incidents/${id}/triage`, { severity: 'P2', summary: 'EU cards' });
    expect(res.body.incident).toMatchObject({
      severity: 'P2',
      summary: 'EU cards',
      triaged_at: t.clock.now().toISOString(),
    });
    t.clock.advance(60_000);
    const again = await call('POST', `/api/v1/incidents/${id}/triage`, {});
    expect(again.body.incident.triaged_at).toBe(res.body.incident.triaged_at);
    const { body } = await call('GET', `/api/v1/incidents/${id}/timeline`);
    const later = body.events
      .slice(5)
      .map((e: { kind: string; data: Record<string, unknown> }) => [e.kind, e.data]);
    expect(later).toEqual([
      [EVENT_KINDS.severityChanged, { from: 'P1', to: 'P2', reason: 'confirmed at triage' }],
      [EVENT_KINDS.fieldChanged, { field: 'summary', from: '', to: 'EU cards' }],
      [EVENT_KINDS.triaged, { severity: 'P2' }],
    ]);
  });

  it('lets a viewer read but not change an incident', async () => {
    const id = await declare();
    const viewer = auth(await t.tokenFor('viewer'));
    const before = await counts();
    expect((await call('GET', `/api/v1/incidents/${id}`, undefined, viewer)).status).toBe(200);
    expect((await call('POST', `/api/v1/incidents/${id}/acknowledge`, {}, viewer)).status).toBe(403);
    expect((await call('POST', `/api/v1/incidents/${id}/notes`, { text: 'hi' }, viewer)).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it('acknowledges idempotently', async () => {
    const id = await declare();
    const first = await call('POST', `/api/v1/incidents/${id}/acknowledge`);
    t.clock.advance(1000);
    const again = await call('POST', `/api/v1/incidents/${id}/acknowledge`, {});
    expect(again.status).toBe(200);
    expect(again.body.incident.acknowledged_at).toBe(first.body.incident.acknowledged_at);
    const events = await call('GET', `/api/v1/incidents/${id}/timeline`);
    expect(
      events.body.events.filter((e: { kind: string }) => e.kind === EVENT_KINDS.acknowledged),
    ).toHaveLength(1);
  });
});

describe('roles, severity, hypotheses, checklists, mitigation, responders', () => {
  it('assigns and reassigns a role, visible in the timeline', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}/roles`;
    expect((await call('POST', url, { role: 'incident-commander', user: 'alice' })).status).toBe(200);
    const re = await call('POST', url, { role: 'incident-commander', user: 'bob' });
    expect(re.body.assignment).toEqual({ role: 'incident-commander', user: 'bob', previous: 'alice' });
    const badRole = await call('POST', url, { role: 'pilot', user: 'bob' });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.details[0].path).toBe('role');
    const badUser = await call('POST', url, { role: 'scribe', user: 'nobody' });
    expect(badUser.status).toBe(400);
    expect(badUser.body.error.details[0].path).toBe('user');
    const { body } = await call('GET', `/api/v1/incidents/${id}`);
    expect(body.roles).toMatchObject([{ role: 'incident-commander', user: 'bob' }]);
    const assigned = body.timeline.filter((e: { kind: string }) => e.kind === EVENT_KINDS.roleAssigned);
    expect(assigned.map((e: { data: unknown }) => e.data)).toEqual([
      { role: 'incident-commander', user: 'alice', previous: null },
      { role: 'incident-commander', user: 'bob', previous: 'alice' },
    ]);
  });

  it('changes severity only with a reason and records before and after', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}/severity`;
    const noReason = await call('POST', url, { severity: 'P2' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details[0].path).toBe('body.reason');
    const ok = await call('POST', url, { severity: 'P2', reason: 'only EU cards affected' });
    expect(ok.body.incident.severity).toBe('P2');
    const ev = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', id)
      .where('kind', '=', EVENT_KINDS.severityChanged)
      .executeTakeFirstOrThrow();
    expect(ev.data).toEqual({ from: 'P1', to: 'P2', reason: 'only EU cards affected' });
    const auditRow = await t.db
      .selectFrom('audit_log')
      .select(['before', 'after'])
      .where('action', '=', 'incident.severity_changed')
      .where('entity_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(auditRow).toEqual({
      before: { severity: 'P1' },
      after: { severity: 'P2', reason: 'only EU cards affected' },
    });
  });

  it('takes hypotheses from proposed to confirmed or rejected with a result', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}/hypotheses`;
    const added = await call('POST', url, {
      statement: 'the deploy broke TLS',
      test_plan: 'roll back canary',
    });
    expect(added.status).toBe(201);
    const hid = added.body.hypothesis.id;
    expect(added.body.hypothesis.status).toBe('proposed');
    const noResult = await call('PATCH', `${url}/${hid}`, { status: 'confirmed' });
    expect(noResult.status).toBe(400);
    expect(noResult.body.error.details[0].path).toBe('result');
    const confirmed = await call('PATCH', `${url}/${hid}`, { status: 'confirmed', result: 'errors stopped' });
    expect(confirmed.body.hypothesis).toMatchObject({ status: 'confirmed', result: 'errors stopped' });
    expect((await call('PATCH', `${url}/${hid}`, { status: 'rejected', result: 'x' })).status).toBe(409);
    expect((await call('PATCH', `${url}/99999`, { status: 'rejected', result: 'x' })).status).toBe(404);
  });

  it('adds, completes and un-completes checklist items', async () => {
    const id = await declare();
    const other = await declare();
    const url = `/api/v1/incidents/${id}/checklist`;
    const added = await call('POST', url, { text: 'Call the bank', checklist: 'declare' });
    expect(added.body.item).toMatchObject({ checklist: 'declare', position: 2, source: 'manual' });
    const itemId = added.body.item.id;
    const done = await call('PATCH', `${url}/${itemId}`, { done: true });
    expect(done.body.item).toMatchObject({ done_by: 'admin', done_at: t.clock.now().toISOString() });
    const undone = await call('PATCH', `${url}/${itemId}`, { done: false });
    expect(undone.body.item.done_at).toBeNull();
    expect(
      (await call('PATCH', `/api/v1/incidents/${other}/checklist/${itemId}`, { done: true })).status,
    ).toBe(404);
  });

  it('instantiates a state’s checklist on entering it, once, and lets it be worked after resolution', async () => {
    const id = await declare();
    expect((await call('POST', `/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);
    const names = async () =>
      (await call('GET', `/api/v1/incidents/${id}`)).body.checklists.map(
        (c: { name: string; items: unknown[] }) => [c.name, c.items.length],
      );
    expect(await names()).toEqual([
      ['declare', 2],
      ['resolved', 1],
    ]);
    const detail = await call('GET', `/api/v1/incidents/${id}`);
    const item = detail.body.checklists[1].items[0];
    expect(item.text).toBe('Schedule the post-mortem');
    const done = await call('PATCH', `/api/v1/incidents/${id}/checklist/${item.id}`, { done: true });
    expect(done.status).toBe(200);
    // A final external update after resolution is normal (the status page's "Resolved" post).
    const update = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: { en: 'Resolved.', am: 'ተፈትቷል።' },
    });
    expect(update.status).toBe(201);
    // Reopen and resolve again: the resolved checklist is not duplicated.
    expect((await call('POST', `/api/v1/incidents/${id}/transition`, { to: 'investigating' })).status).toBe(
      200,
    );
    expect((await call('POST', `/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);
    expect(await names()).toEqual([
      ['declare', 2],
      ['resolved', 1],
    ]);
  });

  it('sets a mitigation plan with who agreed, and marks mitigated', async () => {
    const id = await declare();
    const url = `/api/v1/incidents/${id}/mitigation`;
    const bad = await call('PUT', url, { steps: ['fail over'], agreed_by: ['alice', 'ghost'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'agreed_by.1', message: 'no user "ghost"' }]);
    const ok = await call('PUT', url, {
      steps: ['fail over to eu-west', 'drain eu-central'],
      risk: 'higher latency for 10 minutes',
      rollback: 'fail back once eu-central is healthy',
      agreed_by: ['alice', 'bob'],
      mitigated: true,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.incident.mitigation).toMatchObject({
      agreed_by: ['alice', 'bob'],
      steps: ['fail over to eu-west', 'drain eu-central'],
    });
    expect(ok.body.incident.mitigated_at).toBe(t.clock.now().toISOString());
  });

  it('adds responders once', async () => {
    const id = await declare({ severity: 'P2' });
    const url = `/api/v1/incidents/${id}/responders`;
    const first = await call('POST', url, { responder: 'database on-call', user: 'alice' });
    expect(first.status).toBe(201);
    const again = await call('POST', url, { responder: 'database on-call' });
    expect(again.body.responder.id).toBe(first.body.responder.id);
    const { body } = await call('GET', `/api/v1/incidents/${id}`);
    expect(body.responders).toMatchObject([
      { responder: 'database on-call', user: 'alice', source: 'manual' },
    ]);
  });

  it('edits fields with field_changed events and merges labels', async () => {
    const id = await declare({ labels: { region: 'eu', team: 'pay' } });
    const res = await call('PATCH', `/api/v1/incidents/${id}`, {
      summary: 'cards declined',
      labels: { team: null, tier: '1' },
      fields: { customers: 1200 },
    });
    expect(res.status).toBe(200);
    expect(res.body.incident.labels).toEqual({ region: 'eu', tier: '1' });
    expect(res.body.incident.fields).toEqual({ customers: 1200 });
    const changed = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', id)
      .where('kind', '=', EVENT_KINDS.fieldChanged)
      .execute();
    expect(changed.map((e) => (e.data as { field: string }).field).sort()).toEqual([
      'fields',
      'labels',
      'summary',
    ]);
    expect((await call('PATCH', `/api/v1/incidents/${id}`, {})).status).toBe(400);
  });
});

describe('updates and target clocks', () => {
  it('refuses an external update missing a language (409) and writes nothing', async () => {
    const id = await declare();
    const before = await counts();
    const res = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: { en: 'We are investigating failed payments.' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('missing: am');
    expect(res.body.error.details).toEqual([{ path: 'bodies.am', message: 'missing' }]);
    const foreign = await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { fr: 'bonjour' },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.details[0].path).toBe('bodies.fr');
    expect(await counts()).toEqual(before);
  });

  it('moves target clocks from pending to met or breached on the virtual clock', async () => {
    const id = await declare();
    const targets = async () =>
      Object.fromEntries(
        (await call('GET', `/api/v1/incidents/${id}/targets`)).body.targets.map(
          (x: { target: string; status: string }) => [x.target, x.status],
        ),
      );
    expect(await targets()).toEqual({
      acknowledge: 'pending',
      triage: 'pending',
      firstUpdate: 'pending',
      statusPage: 'pending',
      resolve: 'pending',
    });
    t.clock.advance(3 * 60_000);
    await call('POST', `/api/v1/incidents/${id}/acknowledge`);
    t.clock.advance(10 * 60_000);
    await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'internal',
      bodies: { en: 'looking' },
    });
    t.clock.advance(5 * 60_000); // 18 minutes in: triage (15m) is late
    expect(await targets()).toMatchObject({
      acknowledge: 'met',
      firstUpdate: 'met',
      triage: 'breached',
      statusPage: 'pending',
    });
    await call('POST', `/api/v1/incidents/${id}/updates`, {
      audience: 'external',
      bodies: { en: 'Payments are failing', am: 'ክፍያዎች እየተሳኩ አይደሉም' },
    });
    const { body } = await call('GET', `/api/v1/incidents/${id}`);
    expect(body.incident.status_page_at).toBe(t.clock.now().toISOString());
    expect(body.updates.map((u: { audience: string; status: string }) => [u.audience, u.status])).toEqual([
      ['internal', 'published'],
      ['external', 'published'],
    ]);
    expect(await targets()).toMatchObject({ statusPage: 'met', resolve: 'pending' });
    // Each published update is in the timeline (workflows with `when: update.published` fire on it).
    const timeline = await call('GET', `/api/v1/incidents/${id}/timeline`);
    const published = timeline.body.events.filter(
      (e: { kind: string }) => e.kind === EVENT_KINDS.updatePublished,
    );
    expect(published.map((e: { data: unknown }) => e.data)).toEqual([
      expect.objectContaining({ audience: 'internal', languages: ['en'] }),
      expect.objectContaining({ audience: 'external', languages: ['am', 'en'] }),
    ]);
    t.clock.advance(4 * 3_600_000);
    expect((await targets()).resolve).toBe('breached');
  });

  it('keeps the plan version the incident was declared under', async () => {
    const id = await declare();
    const v2 = PAYMENTS_PLAN.replace('acknowledge: 5m, triage', 'acknowledge: 1m, triage');
    expect((await savePlan({ ctx: t.ctx(), input: { source: v2 } })).version).toBe(2);
    const old = await call('GET', `/api/v1/incidents/${id}`);
    expect(old.body.incident.plan_version).toBe(1);
    expect(old.body.targets.find((x: { target: string }) => x.target === 'acknowledge').duration_ms).toBe(
      300_000,
    );
    const newer = await declare();
    const fresh = await call('GET', `/api/v1/incidents/${newer}`);
    expect(fresh.body.incident.plan_version).toBe(2);
    expect(fresh.body.targets.find((x: { target: string }) => x.target === 'acknowledge').duration_ms).toBe(
      60_000,
    );
  });
});

describe('access and bad input', () => {
  it('needs a token to declare, and a responder role', async () => {
    const before = await counts();
    const body = { title: 'x', severity: 'P1' };
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/incidents', payload: body });
    expect(anonymous.statusCode).toBe(401);
    const viewer = auth(await t.tokenFor('viewer'));
    expect((await call('POST', '/api/v1/incidents', body, viewer)).status).toBe(403);
    expect((await call('GET', '/api/v1/incidents', undefined, viewer)).status).toBe(200);
    const responder = auth(await t.tokenFor('responder'));
    expect((await call('POST', '/api/v1/incidents', body, responder)).status).toBe(201);
    expect((await counts()).incidents).toBe(before.incidents + 1);
  });

  it('answers 400/404 for bad ids, 400 for malformed JSON and unknown fields, 413 for big bodies', async () => {
    expect((await call('GET', '/api/v1/incidents/abc')).status).toBe(400);
    expect((await call('GET', '/api/v1/incidents/99999999')).status).toBe(404);
    expect((await call('GET', '/api/v1/incidents/99999999999999999999999')).status).toBe(400);
    expect((await call('POST', '/api/v1/incidents/99999/notes', { text: 'x' })).status).toBe(404);
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: '{"title": "x",',
    });
    expect(malformed.statusCode).toBe(400);
    const extra = await call('POST', '/api/v1/incidents', { title: 'x', severity: 'P1', colour: 'red' });
    expect(extra.status).toBe(400);
    const big = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: JSON.stringify({ title: 'x', severity: 'P1', summary: 'x'.repeat(300_000) }),
    });
    expect(big.statusCode).toBe(413);
  });

  it('requires the plan when several exist', async () => {
    await savePlan({
      ctx: t.ctx(),
      input: { source: readFileSync('examples/plans/minimal.yaml', 'utf8') },
    });
    const res = await call('POST', '/api/v1/incidents', { title: 'x', severity: 'SEV1' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'plan' });
    const ok = await call('POST', '/api/v1/incidents', {
      title: 'Slow search',
      severity: 'SEV2',
      plan: 'minimal',
    });
    expect(ok.body.incident).toMatchObject({
      state: 'investigating',
      channel_name: 'incident-2026-03-02-slow-search',
    });
  });

  it('lists incidents newest first with filters', async () => {
    const all = await call('GET', '/api/v1/incidents?state=all&limit=500');
    const ids = all.body.incidents.map((i: { id: string }) => Number(i.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const resolved = await call('GET', '/api/v1/incidents?state=resolved');
    expect(resolved.body.incidents.every((i: { resolved_at: string | null }) => i.resolved_at !== null)).toBe(
      true,
    );
    const minimal = await call('GET', '/api/v1/incidents?plan=minimal');
    expect(minimal.body.incidents).toHaveLength(1);
    const p2 = await call('GET', '/api/v1/incidents?severity=P2&state=open');
    expect(p2.body.incidents.length).toBeGreaterThan(0);
    expect(p2.body.incidents.every((i: { severity: string }) => i.severity === 'P2')).toBe(true);
    expect((await call('GET', '/api/v1/incidents?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/v1/incidents?bogus=1')).status).toBe(400);
  });

  it('pages through incidents and the audit log with a next cursor, and refuses a bad one', async () => {
    await declare({ title: 'Paged one', plan: 'payments' });
    await declare({ title: 'Paged two', plan: 'payments' });
    // Walks a list two rows at a time through `next`: the same rows as one big page, in order.
    const walk = async (path: string, key: string) => {
      const rows: string[] = [];
      let next: string | null = null;
      do {
        const sep = path.includes('?') ? '&' : '?';
        const res = await call('GET', `${path}${sep}limit=2${next ? `&cursor=${next}` : ''}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body[key].length).toBeLessThanOrEqual(2);
        rows.push(...res.body[key].map((r: { id: string }) => String(r.id)));
        next = res.body.next;
      } while (next);
      return rows;
    };
    const all = await call('GET', '/api/v1/incidents?state=all&limit=500');
    expect(all.body.next).toBeNull();
    expect(await walk('/api/v1/incidents?state=all', 'incidents')).toEqual(
      all.body.incidents.map((i: { id: string }) => i.id),
    );
    const p1 = await call('GET', '/api/v1/incidents?severity=P1&limit=500');
    expect(await walk('/api/v1/incidents?severity=P1', 'incidents')).toEqual(
      p1.body.incidents.map((i: { id: string }) => i.id),
    );
    const audit = await call('GET', '/api/v1/audit?entity_type=incident&limit=1000');
    expect(await walk('/api/v1/audit?entity_type=incident', 'entries')).toEqual(
      audit.body.entries.map((e: { id: string }) => String(e.id)),
    );

    const first = await call('GET', '/api/v1/incidents?limit=1');
    const both = await call('GET', `/api/v1/incidents?limit=1&offset=1&cursor=${first.body.next}`);
    expect(both.status).toBe(400);
    expect(both.body.error.details[0]).toMatchObject({ path: 'offset' });
    for (const bad of ['nonsense', Buffer.from('["x"]').toString('base64url')]) {
      const res = await call('GET', `/api/v1/incidents?cursor=${bad}`);
      expect(res.status).toBe(400);
      expect(res.body.error.details[0]).toMatchObject({ path: 'cursor' });
    }
  });

  it('documents the incident routes in OpenAPI', async () => {
    const { body } = await call('GET', '/api/v1/openapi.json');
    expect(Object.keys(body.paths)).toContain('/api/v1/incidents/{id}/transition');
    expect(body.paths['/api/v1/incidents'].post.tags).toEqual(['incidents']);
  });
});
