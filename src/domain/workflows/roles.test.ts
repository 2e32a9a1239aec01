import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { loadPlan } from '../plans/plan.ts';
import { applyPlan } from './testing.ts';

// Roles the plan fills and watches: assignTo → eligible → fallback on declaration (skipping entries
// that name nobody), passed along when the holder does not accept (acknowledge) in time, a handover
// on the timeline each time; a required role left unfilled is reminded of, then escalated.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: roles }
severities: [{ id: SEV1, title: Critical }]
roles:
  - id: incident-commander
    title: Incident Commander
    required: true
    assignTo: primary
    fallback: [secondary, manager]
    acceptWithin: 5m
  - id: scribe
    title: Scribe
    required: true
    remindAfter: 10m
    escalateAfter: 20m
    escalateTo: [manager]
groups:
  - { id: primary, title: Primary on call, users: [] }
  - { id: secondary, title: Secondary, users: [ben] }
  - { id: manager, title: Manager, users: [cat] }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MIN = 60_000;

beforeAll(async () => {
  t = await freshDb();
  for (const h of ['ben', 'cat', 'dan']) await addUser(ctx(), h, { email: `${h}@example.com` });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

const advance = async (minutes: number) => {
  clock.advance(minutes * MIN);
  await engine.runUntilIdle();
};
const declare = async () => {
  const incident = await declareIncident({
    ctx: ctx(),
    input: { plan: 'roles', severity: 'SEV1', title: 'Down' },
  });
  await engine.runUntilIdle();
  return incident.id;
};
const assignments = async (id: string) =>
  (
    await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', id)
      .where('kind', '=', 'incident.role_assigned')
      .orderBy('id')
      .execute()
  ).map((e) => {
    const d = e.data as { role: string; user: string; previous: string | null; from?: string };
    return `${d.role}: ${d.previous ?? '-'} → ${d.user} (${d.from ?? 'by hand'})`;
  });
const outboxTexts = async (id: string) =>
  (
    await t.db.selectFrom('outbox').select(['destination', 'payload']).where('incident_id', '=', id).execute()
  ).map((o) => `${o.destination}: ${(o.payload as { text: string }).text}`);

describe('plan roles', () => {
  it('fills the role from the first chain entry that names someone, and passes it on when not accepted', async () => {
    const id = await declare();
    expect(await assignments(id)).toEqual(['incident-commander: - → ben (secondary)']);
    await advance(4);
    expect(await assignments(id)).toHaveLength(1);
    await advance(1); // 5m: ben did not acknowledge
    expect(await assignments(id)).toEqual([
      'incident-commander: - → ben (secondary)',
      'incident-commander: ben → cat (manager)',
    ]);
    await acknowledgeIncident({ ctx: ctx(), input: { incidentId: id } });
    await advance(5);
    expect(await assignments(id)).toHaveLength(2); // accepted: the chain stops
  });

  it('keeps a holder assigned by hand', async () => {
    const id = await declare();
    await assignRole({ ctx: ctx(), input: { incidentId: id, role: 'incident-commander', user: 'dan' } });
    await advance(10);
    expect((await assignments(id)).at(-1)).toBe('incident-commander: ben → dan (by hand)');
  });

  it('reminds about a required role left unfilled, then pages escalateTo', async () => {
    const id = await declare();
    await advance(9);
    expect((await outboxTexts(id)).filter((m) => m.includes('Scribe is still unfilled'))).toEqual([]);
    await advance(1);
    const reminder = (await outboxTexts(id)).filter((m) => m.includes('Scribe is still unfilled'));
    // The commander (cat by now: ben did not accept in 5m) is reminded.
    expect(reminder).toContainEqual(
      expect.stringMatching(
        /^user:cat: Scribe is still unfilled on \[SEV1\] Down: assign someone \(tocsin incident assign \d+ scribe <user>\)$/,
      ),
    );
    await advance(10);
    const escalations = await t.db
      .selectFrom('escalations')
      .select(['steps'])
      .where('incident_id', '=', id)
      .where('source', 'like', 'run:%')
      .execute();
    expect(JSON.stringify(escalations.map((e) => e.steps))).toContain('"name":"manager"');
  });

  it('validates the new fields at their line:col', () => {
    const bad = PLAN.replace(
      '    remindAfter: 10m\n    escalateAfter: 20m',
      '    remindAfter: 10m\n    escalateAfter: 5m',
    ).replace('    assignTo: primary\n    fallback: [secondary, manager]\n', '    assignTo: primary\n');
    expect(loadPlan(bad, 'r.yaml').errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).toEqual([
      '11:19: roles.0.acceptWithin: needs a chain to pass the role along: assignTo, eligible or fallback',
      '16:20: roles.1.escalateAfter: must be after remindAfter (10m)',
    ]);
    const notRequired = PLAN.replace('    title: Scribe\n    required: true\n', '    title: Scribe\n');
    expect(loadPlan(notRequired, 'r.yaml').errors.map((e) => e.message)).toEqual([
      'roles.1.remindAfter: only a required role is reminded and escalated: set required: true',
      'roles.1.escalateAfter: only a required role is reminded and escalated: set required: true',
      'roles.1.escalateTo: only a required role is reminded and escalated: set required: true',
    ]);
  });
});
