import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { actionItemRemindersModule } from '../../engine/action-item-reminders.ts';
import { Engine } from '../../engine/engine.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { saveService } from '../services/save-service.ts';
import { saveTeam } from '../users/save-team.ts';

// Issue 15 item 3: action items after an incident — owner, due date, priority, status, tracker link;
// open items per team; the owner reminded once when one passes its due date (engine, virtual clock).

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: shop }
severities:
  - { id: SEV1, title: Critical, postmortem: { required: true, due: 1w } }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
postmortem:
  actionItems: { tracker: JIRA, requireOwner: true, requireDue: true, dueWithin: { urgent: 4w, high: 8w } }
`;

const DAY = 24 * 60 * 60_000;
let t: TestApp;
let engine: Engine;
let incidentId: string;

beforeAll(async () => {
  t = await testApp();
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  await addUser(ctx, 'ana');
  await addUser(ctx, 'ben');
  await saveTeam({
    ctx,
    input: {
      team: { name: 'payments', description: '', members: [{ user: 'ana', role: 'member' }] },
      mode: 'create',
    },
  });
  await saveTeam({ ctx, input: { team: { name: 'search', description: '', members: [] }, mode: 'create' } });
  await saveService({
    ctx,
    input: { service: { name: 'checkout', plan: 'shop', team: 'payments' }, mode: 'create' },
  });
  const incident = await declareIncident({
    ctx,
    input: { title: 'Checkout down', severity: 'SEV1', service: 'checkout' },
  });
  incidentId = incident.id;
  await resolveIncident({ ctx, input: { incidentId } });
  engine = new Engine({ db: t.db, clock: t.clock }, [actionItemRemindersModule()]);
});
afterAll(() => t.close());

const api = async (method: 'GET' | 'PATCH' | 'POST', url: string, body?: unknown, token = t.adminToken) =>
  t.app.inject({
    method,
    url,
    headers: auth(token),
    ...(body === undefined ? {} : { payload: body as object }),
  });
const inDays = (n: number) => new Date(t.clock.now().getTime() + n * DAY).toISOString();

const create = (body: Record<string, unknown>) =>
  api('POST', '/api/v1/action-items', { incident_id: incidentId, ...body });

describe('action items', () => {
  it('are created with owner, due date, priority and tracker link; the team follows the service', async () => {
    const res = await create({
      title: 'Alert on queue depth',
      owner: 'ana',
      due_at: inDays(2),
      priority: 'high',
      tracker_url: 'https://jira.example.com/browse/OPS-12',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().action_item).toMatchObject({
      incident_id: incidentId,
      title: 'Alert on queue depth',
      owner: 'ana',
      due_at: inDays(2),
      priority: 'high',
      status: 'open',
      team: 'payments',
      tracker_url: 'https://jira.example.com/browse/OPS-12',
      overdue: false,
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id'])
      .where('entity_type', '=', 'action_item')
      .execute();
    expect(audit).toEqual([{ action: 'action_item.created', entity_id: res.json().action_item.id }]);
  });

  it('refuse bad input: tracker URLs that are not http(s), unknown owners and teams, and what the plan requires', async () => {
    const js = await create({
      title: 'x',
      owner: 'ana',
      due_at: inDays(1),
      tracker_url: 'javascript:alert(1)',
    });
    expect(js.statusCode).toBe(400);
    expect(js.json().error.details[0].path).toBe('body.tracker_url');
    const creds = await create({
      title: 'x',
      owner: 'ana',
      due_at: inDays(1),
      tracker_url: 'https://u:p@jira.example.com/',
    });
    expect(creds.statusCode).toBe(400);
    const ghost = await create({ title: 'x', owner: 'ghost', due_at: inDays(1) });
    expect(ghost.statusCode).toBe(400);
    expect(ghost.json().error.details).toEqual([{ path: 'owner', message: 'no user "ghost"' }]);
    const team = await create({ title: 'x', owner: 'ana', due_at: inDays(1), team: 'nobody' });
    expect(team.json().error.details).toEqual([{ path: 'team', message: 'no team "nobody"' }]);
    // postmortem.actionItems: requireOwner and requireDue.
    const bare = await create({ title: 'x' });
    expect(bare.statusCode).toBe(400);
    expect(bare.json().error.details.map((d: { path: string }) => d.path)).toEqual(['owner', 'due_at']);
    const noIncident = await api('POST', '/api/v1/action-items', {
      incident_id: '999',
      title: 'x',
      owner: 'ana',
      due_at: inDays(1),
    });
    expect(noIncident.statusCode).toBe(404);
    const viewer = await t.tokenFor('viewer');
    const refused = await api(
      'POST',
      '/api/v1/action-items',
      { incident_id: incidentId, title: 'x', owner: 'ana', due_at: inDays(1) },
      viewer,
    );
    expect(refused.statusCode).toBe(403);
  });

  it('change status, owner and team; done stamps done_at; the audit keeps before and after', async () => {
    const item = (
      await create({ title: 'Add a canary stage', owner: 'ben', due_at: inDays(3), team: 'search' })
    ).json().action_item;
    const res = await api('PATCH', `/api/v1/action-items/${item.id}`, {
      status: 'in_progress',
      priority: 'urgent',
    });
    expect(res.json().action_item).toMatchObject({
      status: 'in_progress',
      priority: 'urgent',
      done_at: null,
    });
    const done = await api('PATCH', `/api/v1/action-items/${item.id}`, { status: 'done' });
    expect(done.json().action_item).toMatchObject({ status: 'done', done_at: t.clock.now().toISOString() });
    const clearDue = await api('PATCH', `/api/v1/action-items/${item.id}`, { due_at: null });
    expect(clearDue.statusCode).toBe(400);
    expect(clearDue.json().error.details[0].path).toBe('due_at');
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'before', 'after'])
      .where('entity_type', '=', 'action_item')
      .where('entity_id', '=', item.id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'action_item.created',
      'action_item.updated',
      'action_item.updated',
    ]);
    expect(audit[1]).toMatchObject({
      before: { status: 'open', priority: 'medium' },
      after: { status: 'in_progress', priority: 'urgent' },
    });
    expect((await api('PATCH', '/api/v1/action-items/999', { status: 'done' })).statusCode).toBe(404);
    expect((await api('PATCH', `/api/v1/action-items/${item.id}`, {})).statusCode).toBe(400);
  });

  it('list open items per team and per incident', async () => {
    await create({ title: 'Search index alarm', owner: 'ben', due_at: inDays(5), team: 'search' });
    const teams = (await api('GET', '/api/v1/action-items/teams')).json().teams;
    expect(teams).toEqual([
      { team: 'payments', open: 1, overdue: 0 },
      { team: 'search', open: 1, overdue: 0 },
    ]);
    const payments = (await api('GET', '/api/v1/action-items?team=payments')).json().action_items;
    expect(payments.map((i: { title: string }) => i.title)).toEqual(['Alert on queue depth']);
    const all = (await api('GET', `/api/v1/action-items?incident=${incidentId}&status=all`)).json()
      .action_items;
    expect(all).toHaveLength(3);
  });
});

describe('overdue reminders', () => {
  const reminders = () =>
    t.db
      .selectFrom('outbox')
      .select(['destination', 'payload', 'dedup_key'])
      .where('dedup_key', 'like', 'action-item-overdue:%')
      .orderBy('id')
      .execute();

  it('remind the owner once when an item passes its due date, again only after a new due date passes', async () => {
    await engine.runUntilIdle();
    expect(await reminders()).toEqual([]);
    t.clock.advance(2 * DAY + 1000);
    await engine.runUntilIdle();
    await engine.runUntilIdle();
    const sent = await reminders();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      destination: 'user:ana',
      payload: { kind: 'notify', subject: 'Overdue action item: Alert on queue depth' },
    });
    const overdue = (await api('GET', '/api/v1/action-items?overdue=true')).json().action_items;
    expect(overdue.map((i: { title: string; overdue: boolean }) => [i.title, i.overdue])).toEqual([
      ['Alert on queue depth', true],
    ]);
    expect((await api('GET', '/api/v1/action-items/teams')).json().teams[0]).toEqual({
      team: 'payments',
      open: 1,
      overdue: 1,
    });
    // A new due date re-arms the reminder.
    const id = overdue[0].id;
    await api('PATCH', `/api/v1/action-items/${id}`, { due_at: inDays(1) });
    await engine.runUntilIdle();
    expect(await reminders()).toHaveLength(1);
    t.clock.advance(DAY + 1000);
    await engine.runUntilIdle();
    expect(await reminders()).toHaveLength(2);
    // A finished item is never reminded.
    await api('PATCH', `/api/v1/action-items/${id}`, { status: 'done', due_at: inDays(-1) });
    await engine.runUntilIdle();
    expect(await reminders()).toHaveLength(2);
  });
});

describe('the CLI', () => {
  it('adds, lists per team, and finishes an action item', async () => {
    const tocsin = await cliAgainst(t);
    const add = await tocsin(
      'action-item',
      'add',
      incidentId,
      'Runbook for failover',
      '--owner',
      'ana',
      '--due',
      inDays(7),
      '--json',
    );
    expect(add.stderr).toBe('');
    const item = JSON.parse(add.stdout);
    expect(item).toMatchObject({ title: 'Runbook for failover', team: 'payments', priority: 'medium' });
    const list = await tocsin('action-item', 'list', '--team', 'payments');
    expect(list.stdout).toContain('Runbook for failover');
    const done = await tocsin('action-item', 'update', item.id, '--status', 'done');
    expect(done.stdout).toBe(`action item #${item.id}: done\n`);
    const teams = await tocsin('action-item', 'teams', '--json');
    expect(JSON.parse(teams.stdout)).toEqual([{ team: 'search', open: 1, overdue: 0 }]);
  });
});

describe("the plan's due-date limit per priority (postmortem.actionItems.dueWithin)", () => {
  // its own incident (no service, so no team), after the other tests: their counts stay as they are
  let other: string;
  const createFor = (incident: string, body: Record<string, unknown>) =>
    api('POST', '/api/v1/action-items', { incident_id: incident, ...body });
  beforeAll(async () => {
    other = (await declareIncident({ ctx: t.ctx(), input: { title: 'Retry storm', severity: 'SEV1' } })).id;
  });

  it('take their due date from the plan per priority (dueWithin) and refuse a later one', async () => {
    // Atlassian: priority actions are done within 4 (urgent) or 8 (high) weeks.
    const urgent = await createFor(other, { title: 'Fix the retry storm', owner: 'ana', priority: 'urgent' });
    expect(urgent.statusCode).toBe(201);
    expect(urgent.json().action_item.due_at).toBe(inDays(28));
    const late = await createFor(other, { title: 'x', owner: 'ana', priority: 'high', due_at: inDays(60) });
    expect(late.statusCode).toBe(400);
    expect(late.json().error.details[0]).toMatchObject({
      path: 'due_at',
      message: expect.stringContaining('8w'),
    });
    const ok = await createFor(other, {
      title: 'Slow fix',
      owner: 'ana',
      priority: 'high',
      due_at: inDays(50),
    });
    expect(ok.statusCode).toBe(201);
    // a priority without a limit is still refused without a due date (requireDue)
    expect((await createFor(other, { title: 'x', owner: 'ana', priority: 'low' })).statusCode).toBe(400);
    // raising the priority tightens the limit; clearing the due date of a limited item is refused
    const raise = await api('PATCH', `/api/v1/action-items/${ok.json().action_item.id}`, {
      priority: 'urgent',
    });
    expect(raise.statusCode).toBe(400);
    expect(raise.json().error.details[0].path).toBe('due_at');
    const clear = await api('PATCH', `/api/v1/action-items/${urgent.json().action_item.id}`, {
      due_at: null,
    });
    expect(clear.statusCode).toBe(400);
    const sooner = await api('PATCH', `/api/v1/action-items/${urgent.json().action_item.id}`, {
      due_at: inDays(7),
    });
    expect(sooner.json().action_item.due_at).toBe(inDays(7));
  });
});
