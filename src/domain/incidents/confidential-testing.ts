import { afterAll, beforeAll } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { type Actor, type Ctx, makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { applyPlan } from '../workflows/testing.ts';
import { declareIncident } from './declare-incident.ts';

// The shared set-up of the confidential-incident tests: a plan whose `security` type is confidential,
// a security team (sec) that confidential.visibleTo names, a manager and a responder outside it (bob,
// ivy) and an admin (ada), all made through the real operations on a fresh database.

export const CONFIDENTIAL_PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: secret }
severities:
  - { id: SEV1, title: Critical, postmortem: { required: true, due: 48h } }
  - { id: SEV2, title: Major }
types:
  - { id: security, name: Security, confidential: true }
  - { id: availability, name: Availability }
confidential:
  visibleTo: [security-team]
  codeName: "op-{id}"
  when: { labels: { data: pii } }
groups:
  - { id: security-team, title: Security team, users: [sec] }
roles: [{ id: incident-commander, title: Incident Commander }]
channel: { name: "incident-{id}-{slug}" }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

export type Handle = 'sec' | 'bob' | 'ivy' | 'ada';

export interface ConfidentialWorld {
  readonly db: TestDb['db'];
  readonly clock: VirtualClock;
  system(): Ctx;
  as(handle: Handle): Ctx;
  actor(handle: Handle): Actor;
  /** A confidential (type security) SEV1 incident, declared by the system. */
  declareSecret(input?: Record<string, unknown>): ReturnType<typeof declareIncident>;
}

/** Registers beforeAll/afterAll for a fresh database with the plan and people above. */
export function confidentialWorld(): ConfidentialWorld {
  let t: TestDb | undefined;
  const clock = new VirtualClock('2026-03-02T10:00:00Z');
  const people: Partial<Record<Handle, Actor>> = {};
  const db = () => {
    if (!t) throw new Error('confidentialWorld: used outside a test');
    return t.db;
  };
  const system = () => makeCtx({ db: db(), clock }, SYSTEM_ACTOR);
  const actor = (handle: Handle) => people[handle] as Actor;
  beforeAll(async () => {
    t = await freshDb();
    for (const [handle, role] of [
      ['sec', 'responder'],
      ['bob', 'manager'],
      ['ivy', 'responder'],
      ['ada', 'admin'],
    ] as const) {
      const id = await addUser(system(), handle, { role, email: `${handle}@example.com` });
      people[handle] = { kind: 'user', userId: id, name: handle, role, leadership: false };
    }
    await applyPlan(t.db, clock, CONFIDENTIAL_PLAN);
  });
  afterAll(() => t?.close());
  return {
    get db() {
      return db();
    },
    clock,
    system,
    as: (handle) => makeCtx({ db: db(), clock }, actor(handle)),
    actor,
    declareSecret: (input = {}) =>
      declareIncident({
        ctx: system(),
        input: {
          plan: 'secret',
          severity: 'SEV1',
          type: 'security',
          title: 'Payroll database dumped',
          ...input,
        },
      }),
  };
}
