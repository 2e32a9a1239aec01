import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Forbidden } from '../../errors.ts';
import { type Actor, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { applyPlan } from '../workflows/testing.ts';
import { assignRole } from './assign-role.ts';
import { declareIncident } from './declare-incident.ts';
import { getIncident } from './get-incident.ts';
import { resolveIncident } from './resolve-incident.ts';
import { transitionIncident } from './transition-incident.ts';

// lifecycle.states[].by acts: only the holders of the roles and the members of the groups it names
// may move an incident into the state; anyone else gets 403 naming the rule.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: movers }
severities: [{ id: SEV1, title: Critical }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: managers, title: Managers, users: [max] }]
lifecycle:
  states:
    - { id: investigating }
    - { id: monitoring }
    - { id: resolved, by: [incident-commander, managers] }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const system = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const as = (handle: string, userId: string) =>
  makeCtx({ db: t.db, clock }, {
    kind: 'user',
    userId,
    name: handle,
    role: 'responder',
    leadership: false,
  } satisfies Actor);
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, PLAN);
  for (const h of ['ann', 'bob', 'max']) ids[h] = await addUser(system(), h);
});
afterAll(() => t.close());

const declare = async () =>
  (await declareIncident({ ctx: system(), input: { plan: 'movers', severity: 'SEV1', title: 'Down' } })).id;

describe('lifecycle.states[].by', () => {
  it('refuses a move into the state to anyone it does not name, with the rule', async () => {
    const id = await declare();
    const bob = as('bob', ids.bob as string);
    await transitionIncident({ ctx: bob, input: { incidentId: id, to: 'monitoring' } }); // open to anyone
    const refused = resolveIncident({ ctx: bob, input: { incidentId: id } });
    await expect(refused).rejects.toBeInstanceOf(Forbidden);
    await expect(refused).rejects.toThrow(
      'only incident-commander or managers may move an incident to resolved (plan movers, lifecycle.states[2].by); bob is neither',
    );
    await expect(transitionIncident({ ctx: bob, input: { incidentId: id, to: 'resolved' } })).rejects.toThrow(
      Forbidden,
    );
  });

  it('offers each caller only the moves it may make (what the console shows)', async () => {
    const id = await declare();
    const offered = async (ctx: ReturnType<typeof system>) =>
      (await getIncident({ ctx, input: { incidentId: id } })).allowed_states;
    expect(await offered(as('bob', ids.bob as string))).toEqual(['monitoring']);
    expect(await offered(as('max', ids.max as string))).toEqual(['monitoring', 'resolved']);
    const viewer = makeCtx({ db: t.db, clock }, {
      kind: 'user',
      userId: ids.bob as string,
      name: 'bob',
      role: 'viewer',
      leadership: false,
    } satisfies Actor);
    expect(await offered(viewer)).toEqual([]);
  });

  it('lets the role holder on this incident and the group members move it', async () => {
    const first = await declare();
    await assignRole({
      ctx: system(),
      input: { incidentId: first, role: 'incident-commander', user: 'ann' },
    });
    const resolved = await resolveIncident({
      ctx: as('ann', ids.ann as string),
      input: { incidentId: first },
    });
    expect(resolved.state).toBe('resolved');
    const second = await declare();
    // Ann commands the first incident only.
    await expect(
      resolveIncident({ ctx: as('ann', ids.ann as string), input: { incidentId: second } }),
    ).rejects.toThrow(Forbidden);
    const byManager = await resolveIncident({
      ctx: as('max', ids.max as string),
      input: { incidentId: second },
    });
    expect(byManager.state).toBe('resolved');
  });
});
