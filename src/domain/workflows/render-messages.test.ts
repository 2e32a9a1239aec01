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
import { updateIncident } from '../incidents/update-incident.ts';
import { applyPlan } from './testing.ts';

// Workflow messages are rendered from the one placeholder table with what the database knows (the
// commander, who acknowledged, the page URL): nothing the reference lists is sent literally, and an
// email template's subject is the email's subject.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: render }
severities:
  - id: SEV1
    title: Critical
    cadence: { internal: 30m }
    postmortem: { required: true, due: 48h }
roles: [{ id: incident-commander, title: Incident Commander }]
lifecycle: { states: [{ id: investigating, title: Investigating }, { id: resolved }] }
templates:
  - id: mail
    kind: email
    subject: { en: "[{severity}] {title}: {status}" }
    body: { en: "Hello {recipient_name}, {incident_commander} leads; next update {next_update}; {url}" }
workflows:
  - name: tell
    when: incident.field_changed
    if: { fields: { go: yes } }
    then:
      - notify: { email: "ops@example.com", template: mail }
      - webhook: { url: "https://hooks.example.com/in?c={correlation_id}&id={id}" }
      - addTask: { title: "Review {title} by {postmortem_due}", owner: "{incident_commander}" }
      - note: "Acknowledged by {acknowledged_by} at {acknowledged_at}; {users_affected} users; {fields.go}"
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);

beforeAll(async () => {
  t = await freshDb();
  await addUser(ctx(), 'kim', { email: 'kim@example.com' });
  await applyPlan(t.db, clock, PLAN);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});
afterAll(() => t.close());

describe('workflow messages', () => {
  it('render every placeholder from the table, and use an email template subject as the subject', async () => {
    const incident = await declareIncident({
      ctx: ctx(),
      input: { plan: 'render', severity: 'SEV1', title: 'Pay & go' },
    });
    const id = incident.id;
    await assignRole({ ctx: ctx(), input: { incidentId: id, role: 'incident-commander', user: 'kim' } });
    clock.advance(3 * 60_000);
    await acknowledgeIncident({ ctx: ctx(), input: { incidentId: id } });
    await updateIncident({
      ctx: ctx(),
      input: { incidentId: id, fields: { go: 'yes', users_affected: 40 } },
    });
    await engine.runUntilIdle();

    const outbox = await t.db
      .selectFrom('outbox')
      .select(['channel', 'destination', 'payload'])
      .where('incident_id', '=', id)
      .where('dedup_key', 'like', 'workflow_run:%')
      .orderBy('id')
      .execute();
    const email = outbox.find((o) => o.channel === 'email')?.payload as { subject: string; text: string };
    expect(email.subject).toBe('[SEV1] Pay & go: INVESTIGATING');
    expect(email.text).toBe(
      `Hello ops@example.com, kim leads; next update 2026-03-02 10:30 UTC; http://localhost:8080/incidents/${id}`.replace(
        'http://localhost:8080',
        (process.env.TOCSIN_PUBLIC_URL ?? 'http://localhost:8080').replace(/\/+$/, ''),
      ),
    );
    expect(outbox.find((o) => o.channel === 'webhook')?.destination).toBe(
      `https://hooks.example.com/in?c=${encodeURIComponent(incident.correlation_id)}&id=${id}`,
    );
    const task = await t.db
      .selectFrom('action_items')
      .select(['title', 'owner'])
      .where('incident_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(task).toEqual({ title: 'Review Pay & go by 48h after resolution', owner: 'kim' });
    const note = await t.db
      .selectFrom('incident_events')
      .select('data')
      .where('incident_id', '=', id)
      .where('kind', '=', 'note')
      .executeTakeFirstOrThrow();
    expect((note.data as { text: string }).text).toBe(
      'Acknowledged by tocsin at 2026-03-02 10:03 UTC; 40 users; yes',
    );
  });
});
