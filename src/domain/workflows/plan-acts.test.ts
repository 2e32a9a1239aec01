import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { getIncident } from '../incidents/get-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { changePostmortemStatus } from '../postmortems/change-postmortem-status.ts';
import { applyPlan } from './testing.ts';

// Plan fields that used to be stored only: raising severity runs the new severity's page and
// responders, target due times after a change are never in the past, checklists start by name,
// and post-mortem timers run after resolution.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: acts }
severities:
  - id: SEV1
    title: Critical
    page: { to: oncall }
    responders: [managers]
    checklists: [war-room]
    targets: { acknowledge: 5m }
    postmortem: { required: true, due: 48h, remindAfter: 24h }
  - id: SEV2
    title: Major
    targets: { acknowledge: 30m }
roles: [{ id: incident-commander, title: Incident Commander }]
groups:
  - { id: oncall, title: On call, users: [ona] }
  - { id: managers, title: Managers, users: [max] }
checklists:
  war-room: ["Open the bridge", "Page the vendor for {service}"]
  verify: ["Error rate below 0.1% for 30 minutes"]
lifecycle:
  states:
    - { id: investigating }
    - { id: monitoring, checklists: [verify] }
    - { id: resolved }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MIN = 60_000;

beforeAll(async () => {
  t = await freshDb();
  for (const h of ['ona', 'max']) await addUser(ctx(), h, { email: `${h}@example.com` });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

const advance = async (minutes: number) => {
  clock.advance(minutes * MIN);
  await engine.runUntilIdle();
};
const escalationSources = async (id: string) =>
  (
    await t.db
      .selectFrom('escalations')
      .select('source')
      .where('incident_id', '=', id)
      .orderBy('id')
      .execute()
  ).map((e) => e.source);

describe('plan fields that act', () => {
  it('raising the severity pages the new severity and its responders, and starts its checklists', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'acts', severity: 'SEV2', title: 'Slow', service: 'checkout' },
    });
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toEqual([]);
    await advance(20);
    await changeSeverity({
      ctx: ctx(),
      input: { incidentId: incident.id, severity: 'SEV1', reason: 'worse' },
    });
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toEqual(['severity:SEV1', 'responders:SEV1']);
    const detail = await getIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    expect(detail.checklists.map((c) => [c.name, c.items.map((i) => i.text)])).toEqual([
      ['war-room', ['Open the bridge', 'Page the vendor for checkout']],
    ]);
    // SEV1's 5m acknowledge target counted from declaration would be due 15 minutes ago: it is due
    // at the change instead, never in the past.
    const ack = detail.targets.find((x) => x.target === 'acknowledge');
    expect(ack?.due_at.toISOString()).toBe('2026-03-02T10:20:00.000Z');
    // Lowering it pages nobody new.
    await changeSeverity({
      ctx: ctx(),
      input: { incidentId: incident.id, severity: 'SEV2', reason: 'better' },
    });
    await engine.runUntilIdle();
    expect(await escalationSources(incident.id)).toHaveLength(2);
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
  });

  it('starts a state checklist by name on entering the state', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'acts', severity: 'SEV2', title: 'Flaky' },
    });
    await transitionIncident({ ctx: ctx(), input: { incidentId: incident.id, to: 'monitoring' } });
    await engine.runUntilIdle();
    const detail = await getIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    expect(detail.checklists.map((c) => c.name)).toEqual(['verify']);
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
  });

  it('keeps post-mortem timers running after resolution', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'acts', severity: 'SEV1', title: 'Down' },
    });
    await advance(30);
    const resolved = await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    await engine.runUntilIdle();
    const due = new Date((resolved.resolved_at as Date).getTime() + 48 * 60 * MIN);
    const dueText = `${due.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const texts = async () =>
      (
        await t.db
          .selectFrom('outbox')
          .select('payload')
          .where('incident_id', '=', incident.id)
          .where('dedup_key', 'like', 'workflow_run:%')
          .execute()
      )
        .map((o) => (o.payload as { text: string }).text)
        .filter((x) => x.startsWith('Post-mortem'));
    await advance(23 * 60);
    expect(await texts()).toEqual([]);
    await advance(60);
    expect(await texts()).toEqual([`Post-mortem for Down (SEV1) is due ${dueText}`]);
    await advance(24 * 60);
    expect(await texts()).toEqual([
      `Post-mortem for Down (SEV1) is due ${dueText}`,
      `Post-mortem for Down (SEV1) is due now (${dueText})`,
    ]);
  });

  it('stops reminding once the post-mortem is published', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'acts', severity: 'SEV1', title: 'Published early' },
    });
    await resolveIncident({ ctx: ctx(), input: { incidentId: incident.id } });
    await engine.runUntilIdle();
    await advance(60);
    for (const to of ['in_review', 'published'] as const) {
      await changePostmortemStatus({ ctx: ctx(), input: { incidentId: incident.id, to } });
    }
    const reminders = async () =>
      (
        await t.db
          .selectFrom('outbox')
          .select('payload')
          .where('incident_id', '=', incident.id)
          .where('dedup_key', 'like', 'workflow_run:%')
          .execute()
      ).filter((o) => (o.payload as { text: string }).text.startsWith('Post-mortem'));
    // Past the 24h reminder and the 48h due time: neither reminds about a published post-mortem.
    await advance(49 * 60);
    expect(await reminders()).toEqual([]);
  });
});
