import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { applyPlan, outboxOf, timeline } from '../workflows/testing.ts';
import { createActionItem } from './create-action-item.ts';
import { updateActionItem } from './update-action-item.ts';

// Due tasks (issue 11 §1) with the real engine on the virtual clock: a task with a due time
// reminds its owner tasks.remindBefore ahead, pages tasks.escalateTo once it is overdue, each once
// (and again only for a new due time), on the incident's timeline.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: due }
severities:
  - { id: P1, title: Outage }
roles: [{ id: incident-commander, title: Incident commander }]
groups:
  - { id: leads, title: Leads, users: [cat] }
tasks: { remindBefore: 20m, escalateTo: [leads] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
workflows:
  - name: customer comms
    when: incident.declared
    then: [{ addTask: { title: Draft the customer email, owner: ana, due: 1h } }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MIN = 60_000;

async function advance(ms: number) {
  clock.advance(ms);
  await engine.runUntilIdle();
}

const kinds = async (id: string, kind: string) => (await timeline(t.db, id)).filter((e) => e.kind === kind);
const taskEscalations = (id: string) =>
  t.db
    .selectFrom('escalations')
    .select(['source', 'message'])
    .where('incident_id', '=', id)
    .where('source', 'like', 'task-overdue:%')
    .execute();

beforeAll(async () => {
  t = await freshDb();
  engine = new Engine({ db: t.db, clock }, engineModules());
  await addUser(ctx(), 'ana', { email: 'ana@example.com' });
  await addUser(ctx(), 'cat', { email: 'cat@example.com' });
  await applyPlan(t.db, clock, PLAN);
});
afterAll(() => t.close());

describe('a task with a due time', () => {
  it('reminds its owner before it is due and pages escalateTo once overdue, each once', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'due', severity: 'P1', title: 'Down' },
    });
    await engine.runUntilIdle();
    const task = await t.db
      .selectFrom('action_items')
      .select(['id', 'due_at'])
      .where('incident_id', '=', incident.id)
      .executeTakeFirstOrThrow();
    expect(task.due_at?.toISOString()).toBe('2026-03-02T11:00:00.000Z');
    const soon = () =>
      outboxOf(t.db, incident.id).then((o) => o.filter((m) => m.dedup_key?.startsWith('task-due-soon:')));

    await advance(39 * MIN); // 10:39, 21 minutes before due: not yet
    expect(await soon()).toEqual([]);
    await advance(2 * MIN); // 10:41: inside remindBefore (20m)
    expect((await soon()).map((m) => m.destination)).toEqual(['user:ana']);
    expect(await kinds(incident.id, 'task.due_soon')).toHaveLength(1);
    expect(await taskEscalations(incident.id)).toEqual([]);

    await advance(20 * MIN); // 11:01: overdue
    expect(await taskEscalations(incident.id)).toEqual([
      {
        source: `task-overdue:${task.id}`,
        message: expect.stringMatching(/Overdue task .*Draft the customer email/),
      },
    ]);
    const overdue = await kinds(incident.id, 'task.overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]?.data).toMatchObject({ action_item_id: task.id, escalated_to: ['leads'] });
    const outbox = await outboxOf(t.db, incident.id);
    // The owner hears it is overdue too (the existing overdue reminder, now for tasks as well).
    expect(outbox.filter((m) => m.dedup_key?.startsWith('action-item-overdue:'))).toHaveLength(1);

    // Later ticks change nothing: once each per due time.
    await advance(30 * MIN);
    expect(await soon()).toHaveLength(1);
    expect(await taskEscalations(incident.id)).toHaveLength(1);
    expect(await kinds(incident.id, 'task.overdue')).toHaveLength(1);
  });

  it('an action item does the same, and a new due time re-arms both', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'due', severity: 'P1', title: 'Again' },
    });
    await engine.runUntilIdle();
    const due = (ms: number) => new Date(clock.now().getTime() + ms).toISOString();
    const item = await createActionItem({
      ctx: ctx(),
      input: { incident_id: incident.id, title: 'Add a disk alert', owner: 'ana', due_at: due(60 * MIN) },
    });
    // The plan's workflow task of this incident is due at the same time: count this item's events.
    const mine = async (kind: string) =>
      (await kinds(incident.id, kind)).filter(
        (e) => (e.data as { action_item_id?: string }).action_item_id === item.id,
      );
    await advance(41 * MIN);
    expect(await mine('task.due_soon')).toHaveLength(1);
    await advance(20 * MIN);
    expect(await mine('task.overdue')).toHaveLength(1);
    await updateActionItem({ ctx: ctx(), input: { id: item.id, due_at: due(60 * MIN) } });
    await advance(41 * MIN);
    expect(await mine('task.due_soon')).toHaveLength(2);
    await advance(20 * MIN);
    const overdue = await mine('task.overdue');
    expect(overdue).toHaveLength(2);
    expect(overdue[1]?.data).toMatchObject({ kind: 'action_item', escalated_to: ['leads'] });
  });
});

describe('planted errors', () => {
  it('refuses an unknown escalateTo and a remindBefore over a week at line:col', () => {
    const bad = PLAN.replace('escalateTo: [leads]', 'escalateTo: [nobody]');
    const r = loadPlan(bad, 'due.yaml');
    expect(r.errors.map((e) => `${e.file}:${e.line}:${e.col}`)).toEqual(['due.yaml:10:42']);
    const long = loadPlan(PLAN.replace('remindBefore: 20m', 'remindBefore: 2w'), 'due.yaml');
    expect(long.errors.map((e) => [`${e.line}:${e.col}`, e.message])).toEqual([
      ['10:24', expect.stringMatching(/at most 1w/)],
    ]);
  });
});
