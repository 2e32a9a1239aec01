import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Conflict, Forbidden } from '../../errors.ts';
import { type Actor, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { changeSeverity } from '../incidents/change-severity.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { getIncident } from '../incidents/get-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { transitionIncident } from '../incidents/transition-incident.ts';
import { triageIncident } from '../incidents/triage-incident.ts';
import { applyPlan } from '../workflows/testing.ts';
import { approveAction } from './approve-action.ts';
import { listActionApprovals } from './list-action-approvals.ts';
import { rejectAction } from './reject-action.ts';

// approvals.actions acts: a gated action asked for by a person opens a pending request (409 naming
// what is missing, committed); approvers approve or reject; on quorum the action is carried out as
// the requester asked; the requester cannot approve their own request; all on the timeline and audited.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: gated }
severities: [{ id: SEV1, title: Critical }, { id: SEV2, title: Major }, { id: SEV3, title: Minor }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: leadership, title: Leadership, users: [lea, leo, lin] }]
lifecycle:
  states: [{ id: investigating }, { id: monitoring }, { id: resolved }, { id: closed }]
  resolved: resolved
approvals:
  actions:
    - { action: resolve, by: [leadership], quorum: 2 }
    - { action: lowerSeverity, by: [incident-commander, user:max] }
    - { action: enterState, state: monitoring, by: [incident-commander] }
    - { action: close, by: [user:max] }
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
const system = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const ids: Record<string, string> = {};
const as = (handle: string) =>
  makeCtx({ db: t.db, clock }, {
    kind: 'user',
    userId: ids[handle] as string,
    name: handle,
    role: 'responder',
    leadership: false,
  } satisfies Actor);

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, PLAN);
  for (const h of ['ann', 'bob', 'max', 'lea', 'leo', 'lin']) ids[h] = await addUser(system(), h);
});
afterAll(() => t.close());

const declare = async (severity = 'SEV1') =>
  (await declareIncident({ ctx: system(), input: { plan: 'gated', severity, title: 'Down' } })).id;
const state = async (id: string) =>
  (await getIncident({ ctx: system(), input: { incidentId: id } })).incident;
const pendingId = async (id: string) => {
  const open = (await listActionApprovals({ ctx: system(), input: { incidentId: id } })).filter(
    (r) => r.status === 'pending',
  );
  expect(open).toHaveLength(1);
  return open[0]?.id as string;
};

describe('approval gates on incident actions', () => {
  it('resolve needs 2 of leadership: 409 opens a request, quorum carries it out as asked', async () => {
    const id = await declare();
    const asked = resolveIncident({ ctx: as('ann'), input: { incidentId: id, resolution: 'rolled back' } });
    await expect(asked).rejects.toBeInstanceOf(Conflict);
    await expect(asked).rejects.toThrow(
      /state investigating → resolved needs approval: missing 2 of leadership/,
    );
    expect((await state(id)).state).toBe('investigating');
    const request = await pendingId(id);
    // Asking again does not open a second request.
    await expect(resolveIncident({ ctx: as('bob'), input: { incidentId: id } })).rejects.toThrow(
      `approval request ${request} is pending`,
    );
    await pendingId(id);

    const first = await approveAction({ ctx: as('lea'), input: { incidentId: id, requestId: request } });
    expect(first.status).toBe('pending');
    expect(first.missing).toEqual(['2 of leadership for resolve (1 given)']);
    // A repeat is not a second vote.
    await approveAction({ ctx: as('lea'), input: { incidentId: id, requestId: request } });
    expect((await state(id)).state).toBe('investigating');

    const second = await approveAction({
      ctx: as('leo'),
      input: { incidentId: id, requestId: request, comment: 'ok' },
    });
    expect(second.status).toBe('approved');
    const after = await state(id);
    expect(after.state).toBe('resolved');
    expect(after.resolution).toBe('rolled back');

    const kinds = (await getIncident({ ctx: system(), input: { incidentId: id } })).timeline.map(
      (e) => e.kind,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'approval.requested',
        'approval.approved',
        'approval.granted',
        'incident.resolved',
      ]),
    );
    const audited = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', request)
      .where('entity_type', '=', 'incident_action_approval')
      .execute();
    expect(audited.map((a) => a.action).sort()).toEqual([
      'incident.approval_approved',
      'incident.approval_approved',
      'incident.approval_requested',
    ]);
  });

  it('the requester cannot approve their own request; a non-approver is refused', async () => {
    const id = await declare();
    await expect(resolveIncident({ ctx: as('lea'), input: { incidentId: id } })).rejects.toThrow(Conflict);
    const request = await pendingId(id);
    await expect(
      approveAction({ ctx: as('lea'), input: { incidentId: id, requestId: request } }),
    ).rejects.toThrow(/lea asked for state investigating → resolved: someone else must approve or reject it/);
    await expect(
      approveAction({ ctx: as('bob'), input: { incidentId: id, requestId: request } }),
    ).rejects.toThrow(Forbidden);
  });

  it('one rejection closes the request and nothing happens', async () => {
    const id = await declare();
    await expect(resolveIncident({ ctx: as('ann'), input: { incidentId: id } })).rejects.toThrow(Conflict);
    const request = await pendingId(id);
    const rejected = await rejectAction({
      ctx: as('lin'),
      input: { incidentId: id, requestId: request, comment: 'still failing' },
    });
    expect(rejected.status).toBe('rejected');
    expect((await state(id)).state).toBe('investigating');
    await expect(
      approveAction({ ctx: as('lea'), input: { incidentId: id, requestId: request } }),
    ).rejects.toThrow(`approval request ${request} is already rejected`);
  });

  it('lowering severity is gated (by a role holder or a user), raising is not; triage too', async () => {
    const id = await declare('SEV2');
    await changeSeverity({ ctx: as('ann'), input: { incidentId: id, severity: 'SEV1', reason: 'worse' } });
    expect((await state(id)).severity).toBe('SEV1');
    await expect(
      triageIncident({ ctx: as('ann'), input: { incidentId: id, severity: 'SEV3', reason: 'contained' } }),
    ).rejects.toThrow(/severity SEV1 → SEV3 needs approval: missing 1 of incident-commander or user:max/);
    expect((await state(id)).triaged_at).toBeNull();
    await expect(
      changeSeverity({ ctx: as('bob'), input: { incidentId: id, severity: 'SEV3', reason: 'contained' } }),
    ).rejects.toThrow(Conflict);
    const request = await pendingId(id);
    await assignRole({ ctx: system(), input: { incidentId: id, role: 'incident-commander', user: 'bob' } });
    const done = await approveAction({ ctx: as('bob'), input: { incidentId: id, requestId: request } });
    expect(done.status).toBe('approved');
    expect((await state(id)).severity).toBe('SEV3');
  });

  it('entering a named state and closing are gated; the engine (system) is not', async () => {
    const id = await declare();
    await expect(
      transitionIncident({ ctx: as('ann'), input: { incidentId: id, to: 'monitoring' } }),
    ).rejects.toThrow(/state investigating → monitoring needs approval: missing 1 of incident-commander/);
    await resolveIncident({ ctx: system(), input: { incidentId: id } });
    await expect(
      transitionIncident({ ctx: as('ann'), input: { incidentId: id, to: 'closed' } }),
    ).rejects.toThrow(/1 of user:max for close/);
    const closing = (await listActionApprovals({ ctx: system(), input: { incidentId: id } })).find(
      (r) => r.action.to === 'closed',
    );
    await approveAction({ ctx: as('max'), input: { incidentId: id, requestId: closing?.id as string } });
    expect((await state(id)).state).toBe('closed');
  });
});
