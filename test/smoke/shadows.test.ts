import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCtx } from '../../src/domain/context.ts';
import { acknowledgeIncident } from '../../src/domain/incidents/acknowledge-incident.ts';
import { getIncident } from '../../src/domain/incidents/get-incident.ts';
import * as users from '../../src/domain/users/queries.ts';
import { Forbidden } from '../../src/errors.ts';
import { PagingHarness } from './paging-harness.ts';

// Shadow recipients (escalationPolicies[].steps[].shadows): hanna shadows the first step for training.
// She gets every page of it, marked shadow, cannot acknowledge, and her receipt never stops the
// escalation. Monday 2026-03-02 10:00Z: selam is primary on call (examples/setup/schedules.yaml).

let h: PagingHarness;
beforeAll(async () => {
  h = await PagingHarness.start('2026-03-02T10:00:00Z', [
    'examples/setup',
    'examples/plans',
    'test/smoke/fixtures/shadowing-plan.yaml',
  ]);
});
afterAll(() => h.close());

const as = async (handle: string) => {
  const user = await users.findByHandle(h.db, handle);
  if (!user) throw new Error(`no user ${handle}`);
  return makeCtx(
    { db: h.db, clock: h.clock },
    { kind: 'user', userId: user.id, name: handle, role: 'responder', leadership: false },
  );
};

describe('smoke: shadow recipients', () => {
  it('a shadow gets every page of the step marked shadow, cannot acknowledge, and escalation goes on', async () => {
    await h.startAt('2026-03-02T10:00:00Z');
    const id = await h.declare('shadowing', 'SEV1', 'Checkout down');
    h.expectDelivered([
      '+0m push tocsin-selam page', // step 1: primary on call
      '+0m push tocsin-hanna page shadow', // her copy, through her own rules, marked shadow
    ]);
    const refused = acknowledgeIncident({ ctx: await as('hanna'), input: { incidentId: id } });
    await expect(refused).rejects.toBeInstanceOf(Forbidden);
    await expect(refused).rejects.toThrow(
      /hanna shadows the pages of incident \d+ \(training\): a shadow cannot acknowledge/,
    );
    await h.at(12);
    h.expectDelivered([
      '+2m email hanna@example.com page shadow', // hanna's 2-minute rule: still her shadow copy
      // Her receipt and her refused acknowledgement do not stop anything: step 2 pages jordan at 5m.
      '+5m email jordan@example.com page',
      '+5m email selam@example.com page', // selam's 5-minute rules
      '+5m sms +251911234567 page',
      '+10m voice +12025550143 page', // jordan's call after 5 minutes
    ]);
    await acknowledgeIncident({ ctx: await as('selam'), input: { incidentId: id } });
    await h.at(30);
    h.expectDelivered([]);
    const detail = await getIncident({ ctx: h.ctx(), input: { incidentId: id } });
    const steps = detail.timeline
      .filter((e) => e.kind === 'paging.step')
      .map((e) => {
        const d = e.data as { step: number; users: string[]; shadows?: string[] };
        return { step: d.step, users: d.users, shadows: d.shadows };
      });
    expect(steps).toEqual([
      { step: 1, users: ['selam'], shadows: ['hanna'] },
      { step: 2, users: ['jordan'], shadows: undefined },
    ]);
    // The shadow's copy says so and carries no way to acknowledge.
    const copy = await h.db
      .selectFrom('outbox')
      .select('payload')
      .where('destination', '=', 'tocsin-hanna')
      .executeTakeFirstOrThrow();
    const payload = copy.payload as { shadow?: boolean; ack?: unknown; subject?: string; text?: string };
    expect(payload.shadow).toBe(true);
    expect(payload.ack).toBeUndefined();
    expect(payload.subject).toMatch(/^\[shadow\] \[SEV1\] #\d+ Checkout down$/);
    expect(payload.text).toContain('You are shadowing step 1 of 2 (training): you cannot acknowledge');
  });
});
