import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { workflowEventsModule } from '../../engine/workflow-events.ts';
import { workflowTimersModule } from '../../engine/workflow-timers.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { MAX_CHAIN_DEPTH } from './evaluate.ts';
import { fire } from './fire.ts';
import { fireWorkflowTimers } from './fire-workflow-timers.ts';
import { PlanCache } from './plan-cache.ts';
import { snapshotOf } from './snapshot.ts';
import {
  acknowledge,
  applyPlan,
  declareIncident,
  outboxOf,
  publishUpdate,
  resolve,
  runsOf,
  timeline,
} from './testing.ts';

const MINUTE = 60_000;

const plan = (workflows: string, name = 'engine-test') => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: ${name} }
severities:
  - id: SEV1
    title: Critical
    targets: { acknowledge: 5m, statusPage: 15m, resolve: 4h }
    cadence: { internal: 30m, external: 1h }
    page: { servicePolicy: false } # these tests count workflow runs: no service-policy page rule
  - id: SEV2
    title: Major
    targets: { acknowledge: 30m }
    page: { servicePolicy: false }
roles:
  - { id: incident-commander, title: Incident Commander }
groups:
  - { id: service-owner, title: Service owner, serviceOwner: true }
  - { id: sre-oncall, title: SRE on call, schedule: sre }
  - { id: leadership, title: Leadership, leadership: true }
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }]
workflows:
${workflows}
`;

const WORKFLOWS = `
  - name: war room
    when: incident.declared
    if: { severity: SEV1 }
    then:
      - addResponders: [service-owner, sre-oncall]
      - page: service-owner
      - post: { channel: "#{channel_name}", message: "War room for {title} ({severity}) led by {incident_commander}, next update {next_update}" }
      - addChecklistItem: Open a bridge call
      - addTask: { title: "Check the {service} dashboards", due: 1h }
  - name: stakeholders after 30m
    when: { elapsed: 30m }
    if: { state: { not: resolved } }
    then: [{ notify: { group: leadership, message: "{title} is still open after 30 minutes" } }]
  - name: status page breach escalates
    when: target.breached
    if: { target: statusPage }
    then: [{ notify: { role: incident-commander, message: "status page target breached" } }]
  - name: after hours
    when: incident.declared
    if: { businessHours: false }
    then: [{ note: "declared outside business hours" }]
  - name: public update posted
    when: update.published
    if: { audience: external }
    then: [{ note: "external update out" }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z'); // a Monday
let engine: Engine;
let version: number;

const newEngine = () => new Engine({ db: t.db, clock }, [workflowTimersModule(), workflowEventsModule()]);
const advance = (minutes: number) => clock.advance(minutes * MINUTE);
const declare = (severity = 'SEV1', over: { plan?: string; version?: number; service?: string } = {}) =>
  declareIncident(t.db, {
    plan: over.plan ?? 'engine-test',
    version: over.version ?? version,
    severity,
    at: clock.now(),
    service: over.service ?? 'checkout',
  });
const runNames = async (id: string) => (await runsOf(t.db, id)).map((r) => r.workflow);
const kinds = async (id: string, kind: string) => (await timeline(t.db, id)).filter((e) => e.kind === kind);

beforeAll(async () => {
  t = await freshDb();
  version = await applyPlan(t.db, clock, plan(WORKFLOWS));
  engine = newEngine();
});
afterAll(() => t.close());
// Each test's incidents end resolved, so the next test's clock moves do not fire their timers.
afterEach(async () => {
  const open = await t.db.selectFrom('incidents').select('id').where('resolved_at', 'is', null).execute();
  for (const { id } of open) await resolve(t.db, String(id), clock.now());
  await engine.runUntilIdle();
});

describe('workflow engine', () => {
  it('runs the war-room workflow for a declared SEV1: responders, a page, a post, a checklist item, a task', async () => {
    const id = await declare('SEV1');
    await engine.runUntilIdle();
    const declared = (await kinds(id, EVENT_KINDS.declared))[0];
    const runs = await runsOf(t.db, id);
    expect(runs.map((r) => [r.workflow, r.trigger_key, r.source])).toEqual([
      ['war room', `event:${declared?.id}`, 'workflow'],
    ]);
    const responders = await t.db
      .selectFrom('incident_responders')
      .select(['responder', 'source'])
      .where('incident_id', '=', id)
      .orderBy('responder')
      .execute();
    expect(responders).toEqual([
      { responder: 'service-owner', source: 'workflow' },
      { responder: 'sre-oncall', source: 'workflow' },
    ]);
    const outbox = await outboxOf(t.db, id);
    // The page became an escalation (src/domain/paging); "service-owner" names nobody here (no
    // service), which its timeline entry says. The post is queued for the incident's channel.
    expect(outbox.map((o) => [o.channel, o.destination, o.status])).toEqual([
      ['chat', expect.stringMatching(/^#incident-\d+-checkout-failing-\d+$/), 'pending'],
    ]);
    const escalations = await t.db
      .selectFrom('escalations')
      .select(['source', 'status'])
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute();
    // Each responder a workflow adds is paged, as one added by hand is.
    expect(escalations).toEqual([
      { source: 'responder:service-owner', status: 'active' },
      { source: 'responder:sre-oncall', status: 'active' },
      { source: `run:${runs[0]?.id}:1`, status: 'active' },
    ]);
    const step = (await kinds(id, EVENT_KINDS.pageSent))[0];
    expect(step?.data).toMatchObject({ users: [], empty: ['group:service-owner'] });
    const post = outbox[0]?.payload as { text: string };
    expect(post.text).toMatch(
      /^War room for Checkout failing \d+ \(SEV1\) led by unassigned, next update \d{4}-\d\d-\d\d \d\d:\d\d UTC$/,
    );
    expect(outbox.every((o) => o.dedup_key?.startsWith(`workflow_run:${runs[0]?.id}:`))).toBe(true);
    const fired = await kinds(id, EVENT_KINDS.workflowFired);
    expect(fired.map((e) => e.data)).toMatchObject([
      { workflow: 'war room', actions: ['addResponders', 'page', 'post', 'addChecklistItem', 'addTask'] },
    ]);
    expect(await kinds(id, EVENT_KINDS.notificationQueued)).toHaveLength(1); // the post; the page: paging.*
    expect(await kinds(id, EVENT_KINDS.responderAdded)).toHaveLength(2);
    const task = await t.db.selectFrom('action_items').selectAll().where('incident_id', '=', id).execute();
    expect(task.map((a) => [a.title, a.kind, a.due_at?.getTime()])).toEqual([
      ['Check the checkout dashboards', 'task', clock.now().getTime() + 60 * MINUTE],
    ]);
    const items = await t.db
      .selectFrom('checklist_items')
      .selectAll()
      .where('incident_id', '=', id)
      .execute();
    expect(items.map((i) => [i.checklist, i.text, i.source])).toEqual([
      ['workflow', 'Open a bridge call', 'workflow'],
    ]);
    // Everything was consumed; another pass does nothing.
    const left = await t.db
      .selectFrom('incident_events')
      .select('id')
      .where('incident_id', '=', id)
      .where('processed_at', 'is', null)
      .execute();
    expect(left).toEqual([]);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'workflow.fired')
      .execute();
    expect(audit.some((a) => a.entity_id === id)).toBe(true);
  });

  it('does not run it for a SEV2', async () => {
    const id = await declare('SEV2');
    await engine.runUntilIdle();
    expect(await runNames(id)).toEqual([]);
  });

  it('runs an update.published workflow when an update is published, for the audience it names', async () => {
    const id = await declare('SEV2');
    await engine.runUntilIdle();
    await publishUpdate(t.db, id, 'internal', clock.now());
    await engine.runUntilIdle();
    expect(await runNames(id)).not.toContain('public update posted');
    await publishUpdate(t.db, id, 'external', clock.now());
    await engine.runUntilIdle();
    expect(await runNames(id)).toContain('public update posted');
    expect((await kinds(id, EVENT_KINDS.note)).map((e) => (e.data as { text: string }).text)).toContain(
      'external update out',
    );
  });

  it('fires an elapsed: 30m workflow exactly once, after 30 minutes and not before', async () => {
    const id = await declare('SEV2');
    await engine.runUntilIdle();
    advance(29);
    await engine.runUntilIdle();
    expect(await runNames(id)).not.toContain('stakeholders after 30m');
    advance(2);
    await engine.runUntilIdle();
    advance(30);
    for (let i = 0; i < 3; i++) await engine.tick();
    const runs = (await runsOf(t.db, id)).filter((r) => r.workflow === 'stakeholders after 30m');
    expect(runs.map((r) => [r.trigger_key, r.fired_at.getTime() - clock.now().getTime()])).toEqual([
      ['elapsed:30m', -30 * MINUTE],
    ]);
    const outbox = await outboxOf(t.db, id);
    expect(outbox.map((o) => o.destination)).toEqual(['group:leadership']);
  });

  it('records a target breach once however often the engine ticks, and user workflows react to it', async () => {
    const id = await declare('SEV1');
    await engine.runUntilIdle();
    advance(6);
    for (let i = 0; i < 5; i++) await engine.tick();
    advance(10); // statusPage (15m) is breached too
    for (let i = 0; i < 5; i++) await engine.tick();
    const breaches = await t.db
      .selectFrom('incident_target_breaches')
      .select(['target', 'due_at'])
      .where('incident_id', '=', id)
      .orderBy('due_at')
      .execute();
    expect(breaches.map((b) => b.target)).toEqual(['acknowledge', 'statusPage']);
    const events = await kinds(id, EVENT_KINDS.targetBreached);
    expect(events.map((e) => e.data.target)).toEqual(['acknowledge', 'statusPage']);
    const reaction = (await runsOf(t.db, id)).filter((r) => r.workflow === 'status page breach escalates');
    expect(reaction).toHaveLength(1);
    // Nobody holds the commander role: the notification goes to the incident channel instead.
    const outbox = await outboxOf(t.db, id);
    expect(
      outbox.filter((o) => (o.payload as { text: string }).text === 'status page target breached'),
    ).toHaveLength(1);
    // The status-page reminder went out at 10 minutes, before the breach.
    expect(await runNames(id)).toContain('plan: status page reminder');
  });

  it('fires each run once when two engines tick at the same time', async () => {
    const id = await declare('SEV1');
    const other = newEngine();
    for (const minutes of [0, 6, 10, 15, 31, 30]) {
      advance(minutes);
      await Promise.all([engine.tick(), other.tick(), engine.tick(), other.tick()]);
    }
    await Promise.all([engine.runUntilIdle(), other.runUntilIdle()]);
    const runs = await runsOf(t.db, id);
    const keys = runs.map((r) => `${r.workflow}|${r.trigger_key}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        `war room|event:${(await kinds(id, EVENT_KINDS.declared))[0]?.id}`,
        'stakeholders after 30m|elapsed:30m',
      ]),
    );
    expect(await kinds(id, EVENT_KINDS.workflowFired)).toHaveLength(runs.length);
    expect(await kinds(id, EVENT_KINDS.targetBreached)).toHaveLength(2);
  });

  it('claims the first firings of the incidents of a pass together, each once, in its own timeline order', async () => {
    const ids = [await declare('SEV1'), await declare('SEV1'), await declare('SEV1')];
    // The second incident's war room already ran (another engine, a crash after commit): not again.
    const declared = (await kinds(ids[1] as string, EVENT_KINDS.declared))[0];
    await t.db
      .insertInto('workflow_runs')
      .values({
        incident_id: ids[1] as string,
        plan_name: 'engine-test',
        plan_version: version,
        workflow: 'war room',
        trigger_key: `event:${declared?.id}`,
        fired_at: clock.now(),
        actions: '[]',
      })
      .execute();
    await engine.runUntilIdle();
    for (const id of ids) {
      const runs = (await runsOf(t.db, id)).filter((r) => r.workflow === 'war room');
      expect(runs).toHaveLength(1);
      const events = await timeline(t.db, id);
      const fired = events.filter(
        (e) => e.kind === EVENT_KINDS.workflowFired && e.data.workflow === 'war room',
      );
      const responders = events.findIndex((e) => e.kind === EVENT_KINDS.responderAdded);
      if (id === ids[1]) {
        expect(fired).toHaveLength(0);
        expect(responders).toBe(-1);
        continue;
      }
      expect(fired.map((e) => e.data.workflow_run)).toEqual([String(runs[0]?.id)]);
      // The claim's record comes before what its actions wrote, as when each firing claims alone.
      expect(events.indexOf(fired[0] as (typeof events)[number])).toBeLessThan(responders);
    }
  });

  it('does not double-act even without the engine lock: the run insert is the claim', async () => {
    const id = await declare('SEV2');
    await engine.runUntilIdle();
    advance(31);
    const plans = new PlanCache();
    const now = clock.now();
    const tickOnce = () => t.db.transaction().execute((tx) => fireWorkflowTimers({ tx, now, plans }));
    const fired = await Promise.all([tickOnce(), tickOnce(), tickOnce()]);
    expect(fired.reduce((a, b) => a + b, 0)).toBe(2); // stakeholders after 30m + the acknowledge breach
    expect(await runNames(id)).toEqual(['stakeholders after 30m', 'plan: acknowledge target']);
    expect(await outboxOf(t.db, id)).toHaveLength(1);
  });

  it('reminds about overdue updates at each cadence interval, counted from the last update', async () => {
    const id = await declare('SEV1');
    await acknowledge(t.db, id, clock.now());
    await engine.runUntilIdle();
    const overdue = async () =>
      (await kinds(id, EVENT_KINDS.updateOverdue)).map((e) => `${e.data.audience}@${e.data.due_at}`);
    const at = (m: number) => new Date(clock.now().getTime() + m * MINUTE).toISOString();
    const due30 = at(30);
    const due60 = at(60);
    const due100 = at(100);
    advance(29);
    await engine.runUntilIdle();
    expect(await overdue()).toEqual([]);
    advance(2);
    await engine.runUntilIdle();
    await engine.runUntilIdle();
    expect(await overdue()).toEqual([`internal@${due30}`]);
    advance(30); // 61m
    await engine.runUntilIdle();
    expect(await overdue()).toEqual([`internal@${due30}`, `internal@${due60}`, `external@${due60}`]);
    advance(9); // 70m: an internal update resets the internal clock
    await publishUpdate(t.db, id, 'internal', clock.now());
    await engine.runUntilIdle();
    advance(25); // 95m
    await engine.runUntilIdle();
    expect(await overdue()).toHaveLength(3);
    advance(6); // 101m
    await engine.runUntilIdle();
    expect((await overdue()).slice(3)).toEqual([`internal@${due100}`]);
    const reminders = (await outboxOf(t.db, id)).filter(
      (o) => (o.payload as { kind: string }).kind === 'remind',
    );
    expect(reminders.map((o) => (o.payload as { text: string }).text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          `^internal update overdue for .* it was due at ${due30.slice(0, 16).replace('T', ' ')} UTC$`,
        ),
      ]),
    );
    expect(reminders.length).toBeGreaterThanOrEqual(4);
  });

  it('sends reminders to whoever holds the role', async () => {
    const id = await declare('SEV1');
    const ctx = makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
    await addUser(ctx, 'selam');
    await assignRole({ ctx, input: { incidentId: id, role: 'incident-commander', user: 'selam' } });
    await engine.runUntilIdle();
    advance(31);
    await engine.runUntilIdle();
    const reminders = (await outboxOf(t.db, id)).filter(
      (o) => (o.payload as { kind: string }).kind === 'remind',
    );
    expect(reminders.map((o) => o.destination)).toContain('user:selam');
  });

  it('keeps evaluating an incident against the plan version it was declared under', async () => {
    const old = await declare('SEV1');
    const v2 = await applyPlan(
      t.db,
      clock,
      plan(`
  - name: only in v2
    when: incident.declared
    then: [{ note: "v2" }]
  - name: v2 after 10m
    when: { elapsed: 10m }
    then: [{ note: "v2 timer" }]`),
    );
    expect(v2).toBe(version + 1);
    const young = await declare('SEV1', { version: v2 });
    await engine.runUntilIdle();
    advance(11);
    await engine.runUntilIdle();
    expect(await runNames(old)).toContain('war room');
    expect(await runNames(old)).not.toContain('only in v2');
    expect(await runNames(old)).not.toContain('v2 after 10m');
    expect(await runNames(young)).toEqual(expect.arrayContaining(['only in v2', 'v2 after 10m']));
    expect(await runNames(young)).not.toContain('war room');
    const runs = await runsOf(t.db, old);
    expect(runs.every((r) => r.plan_version === version)).toBe(true);
    // Incidents are declared under the current version: the later tests' is the first one again.
    version = await applyPlan(t.db, clock, plan(WORKFLOWS));
  });

  it('stops timers when an incident is resolved', async () => {
    const id = await declare('SEV1');
    await acknowledge(t.db, id, clock.now());
    await engine.runUntilIdle();
    advance(3);
    await resolve(t.db, id, clock.now());
    await engine.runUntilIdle();
    const before = await runNames(id);
    advance(300);
    await engine.runUntilIdle();
    expect(await runNames(id)).toEqual(before);
    expect(before).not.toContain('stakeholders after 30m');
    expect(await kinds(id, EVENT_KINDS.updateOverdue)).toEqual([]);
  });

  it('settles the breaches of an incident resolved late between two ticks', async () => {
    const id = await declare('SEV1');
    await engine.runUntilIdle();
    clock.advance(20 * MINUTE); // nobody ticks in between
    await acknowledge(t.db, id, clock.now());
    await resolve(t.db, id, clock.now());
    await engine.runUntilIdle();
    const breaches = await t.db
      .selectFrom('incident_target_breaches')
      .select('target')
      .where('incident_id', '=', id)
      .orderBy('target')
      .execute();
    expect(breaches.map((b) => b.target)).toEqual(['acknowledge', 'statusPage']);
  });

  it('checks business hours on the engine clock', async () => {
    clock.set('2026-03-09T10:00:00Z'); // the next Monday
    const inHours = await declare('SEV2');
    await engine.runUntilIdle();
    expect(await runNames(inHours)).not.toContain('after hours');
    clock.set('2026-03-14T12:00:00Z'); // a Saturday
    const weekend = await declare('SEV2');
    await engine.runUntilIdle();
    expect(await runNames(weekend)).toContain('after hours');
    const notes = await kinds(weekend, EVENT_KINDS.note);
    expect(notes.map((n) => n.data.text)).toEqual(['declared outside business hours']);
  });
});

describe('loop guards', () => {
  it('stops two workflows that trigger each other', async () => {
    const v = await applyPlan(
      t.db,
      clock,
      plan(
        `
  - name: ping
    when: incident.field_changed
    then: [{ setField: { field: ball, value: ping } }]
  - name: pong
    when: incident.field_changed
    then: [{ setField: { field: ball, value: pong } }]
  - name: start
    when: incident.declared
    then: [{ setField: { field: ball, value: serve } }]`,
        'loop-test',
      ),
    );
    const id = await declare('SEV2', { plan: 'loop-test', version: v });
    await engine.runUntilIdle();
    const runs = await runsOf(t.db, id);
    const chained = runs.filter((r) => r.workflow === 'ping' || r.workflow === 'pong');
    expect(chained.length).toBeGreaterThan(0);
    // Each link of the chain fires at most the two of them, and the chain ends at MAX_CHAIN_DEPTH.
    expect(chained.length).toBeLessThanOrEqual(2 * MAX_CHAIN_DEPTH);
    const incident = await t.db
      .selectFrom('incidents')
      .select('fields')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(['ping', 'pong']).toContain(incident.fields.ball);
  });

  it('records a failing action on its run and goes on', async () => {
    const id = await declare('SEV2');
    await engine.runUntilIdle();
    const row = await t.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const { plan: p } = await loadPlanVersion(t.db, 'engine-test', version);
    const outcome = await t.db.transaction().execute((tx) =>
      fire(
        { tx, now: clock.now() },
        p,
        snapshotOf(row),
        {
          rule: {
            name: 'broken',
            source: 'workflow',
            when: 'incident.declared',
            then: [{ note: 'kept? no' }, { addTask: { title: 'x', due: 'soon' } }],
          },
          triggerKey: 'event:test',
          facts: {},
        },
        1,
      ),
    );
    expect(outcome).toBe('failed');
    const run = (await runsOf(t.db, id)).find((r) => r.workflow === 'broken');
    expect(run?.actions).toEqual([{ error: expect.stringContaining('not a duration') }]);
    expect((await kinds(id, EVENT_KINDS.note)).map((n) => n.data.text)).not.toContain('kept? no');
    expect((await kinds(id, EVENT_KINDS.workflowFired)).at(-1)?.data).toMatchObject({
      workflow: 'broken',
      error: expect.any(String),
    });
  });
});
