import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { updateIncident } from '../incidents/update-incident.ts';
import { saveSchedule } from '../schedules/save-schedule.ts';
import { saveTeam } from '../users/save-team.ts';
import { applyPlan } from '../workflows/testing.ts';
import { loadPlan } from './plan.ts';
import { PAGE_TARGET_KINDS, type PageTargetKind, parseTarget } from './target-kinds.ts';

// The table of page target kinds drives both the validator and the engine: every kind validates in
// a workflow `page` and in `addResponders`, and a page to each kind reaches the people it names.

const TARGET_OF: Record<PageTargetKind, string> = {
  policy: 'chain',
  group: 'owners',
  role: 'incident-commander',
  user: 'user:kim',
  schedule: 'schedule:kinds-primary',
  team: 'team:kinds-team',
  email: 'list@example.com',
  chat: '#incidents',
};

const REACHES: Record<PageTargetKind, (to: string[]) => boolean> = {
  policy: (to) => to.includes('lee'),
  group: (to) => to.includes('mo'),
  role: (to) => to.includes('kim'),
  user: (to) => to.includes('kim'),
  schedule: (to) => to.includes('lee'),
  team: (to) => to.includes('mo') && to.includes('kim'),
  email: (to) => to.includes('list@example.com'),
  chat: (to) => to.includes('#incidents'),
};

const kinds = PAGE_TARGET_KINDS.map((k) => k.kind);

const plan = (workflows: string) => `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: kinds }
severities: [{ id: SEV1, title: Critical }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: owners, title: Owners, users: [mo] }]
escalationPolicies: [{ id: chain, steps: [{ notify: [owners], escalateAfter: 5m }] }]
communication: { channels: [{ name: "#incidents" }] }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
workflows:
${workflows}`;

const pageWorkflows = kinds
  .map(
    (k) => `  - name: page ${k}
    when: incident.field_changed
    if: { fields: { kind: ${k} } }
    then: [{ page: "${TARGET_OF[k]}" }]`,
  )
  .join('\n');

describe('page target kinds: the validator', () => {
  it('accepts every kind in page and addResponders, and rejects anything else at its line:col', () => {
    const responders = `  - name: responders
    when: incident.declared
    then: [{ addResponders: [${kinds.map((k) => `"${TARGET_OF[k]}"`).join(', ')}] }]`;
    expect(loadPlan(plan(`${pageWorkflows}\n${responders}`), 'p.yaml').errors).toEqual([]);
    const bad = loadPlan(
      plan(`  - name: bad
    when: incident.declared
    then: [{ page: nobody }, { addResponders: [owners, "role:ghost", "user:"] }]`),
      'p.yaml',
    ).errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
    expect(bad).toEqual([
      expect.stringMatching(/^14:20: workflows\.0\.then\.0\.page: "nobody" is not an escalation policy/),
      expect.stringMatching(/^14:56: workflows\.0\.then\.1\.addResponders\.1: undefined role "ghost"/),
      expect.stringMatching(/^14:70: workflows\.0\.then\.1\.addResponders\.2: "user:" names no user/),
    ]);
  });

  it('parses each written form to its kind', () => {
    const p = { escalationPolicies: [{ id: 'chain' }], groups: [{ id: 'owners' }], roles: [{ id: 'ic' }] };
    const parsed = (who: string) => parseTarget(who, p as never);
    expect(parsed('chain')).toEqual({ kind: 'policy', name: 'chain' });
    expect(parsed('group:owners')).toEqual({ kind: 'group', name: 'owners' });
    expect(parsed('ic')).toEqual({ kind: 'role', name: 'ic' });
    expect(parsed('user:{fields.owner}')).toEqual({ kind: 'user', name: '{fields.owner}' });
  });
});

describe('page target kinds: the engine', () => {
  let t: TestDb;
  const clock = new VirtualClock('2026-03-02T10:00:00Z');
  let engine: Engine;
  const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

  beforeAll(async () => {
    t = await freshDb();
    for (const h of ['kim', 'lee', 'mo']) await addUser(ctx(), h, { email: `${h}@example.com` });
    await saveTeam({
      ctx: ctx(),
      input: {
        team: {
          name: 'kinds-team',
          description: '',
          members: [
            { user: 'mo', role: 'member' },
            { user: 'kim', role: 'member' },
          ],
        },
        mode: 'create',
      },
    });
    await saveSchedule({
      ctx: ctx(),
      input: {
        schedule: {
          name: 'kinds-primary',
          time_zone: 'UTC',
          layers: [{ type: 'daily', handoff: '00:00', start: '2026-03-01', participants: ['lee'] }],
        },
        mode: 'create',
      },
    });
    // The policy's first step pages the owners group; its people are mo. Lee comes from the schedule.
    await applyPlan(
      t.db,
      clock,
      plan(pageWorkflows)
        .replace('notify: [owners]', 'notify: [owners, oncall]')
        .replace(
          'groups: [{ id: owners, title: Owners, users: [mo] }]',
          'groups: [{ id: owners, title: Owners, users: [mo] }, { id: oncall, title: On call, schedule: kinds-primary }]',
        ),
    );
    engine = new Engine(
      { db: t.db, clock, log: pino({ level: 'silent' }) },
      engineModules({ deliver: false }),
    );
  });
  afterAll(() => t.close());

  it.each(kinds)('a workflow page to a %s target reaches who it names', async (kind) => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'kinds', severity: 'SEV1', title: `page ${kind}` },
    });
    await assignRole({
      ctx: ctx(),
      input: { incidentId: incident.id, role: 'incident-commander', user: 'kim' },
    });
    await updateIncident({ ctx: ctx(), input: { incidentId: incident.id, fields: { kind } } });
    await engine.runUntilIdle();
    const rows = await t.db
      .selectFrom('outbox')
      .leftJoin('users', 'users.id', 'outbox.user_id')
      .select(['users.handle', 'outbox.destination'])
      .where('outbox.incident_id', '=', incident.id)
      .execute();
    const to = rows.map((r) => r.handle ?? r.destination);
    expect(REACHES[kind](to), `${kind} reached ${to.join(', ')}`).toBe(true);
  });
});
