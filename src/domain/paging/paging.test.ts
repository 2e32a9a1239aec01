import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addUser, freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { Engine } from '../../engine/engine.ts';
import { engineModules } from '../../engine/modules.ts';
import { applyDeclaredContacts } from '../contacts/apply-declared-contacts.ts';
import { makeCtx, SYSTEM_ACTOR } from '../context.ts';
import { acknowledgeIncident } from '../incidents/acknowledge-incident.ts';
import { addResponder } from '../incidents/add-responder.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { applyPlan } from '../workflows/testing.ts';
import { acknowledgeByCode, acknowledgeByToken } from './acknowledge-page.ts';
import { listIncidentPages } from './list-pages.ts';
import { pageManually } from './page-manually.ts';

// Paging from the plan on a virtual clock, without delivery (the engine's delivery module is off so
// every queued message stays visible in the outbox): who is paged, through which contact, when the
// next step comes, and that acknowledgement and resolution stop it.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: paging }
businessHours: { timeZone: Africa/Addis_Ababa, start: "09:00", end: "17:00", holidays: ["2026-04-01"] }
severities:
  - id: P0
    title: Outage
    page: { policy: fallback, channels: [phone, chat], chat: "#incidents" }
  - id: P1
    title: Degraded
    page: { to: on-call, channels: [push] }
    responders: [manager]
  - id: P2
    title: Minor
    response: { hours: business-hours-best-effort }
    page: { policy: fallback, channels: [phone] }
groups:
  - { id: on-call, title: On call, users: [ana] }
  - { id: secondary, title: Secondary, users: [ben] }
  - { id: manager, title: Engineering manager, users: [cat] }
  - { id: leads, title: Leads, users: [cat], email: leads@example.com }
escalationPolicies:
  - id: fallback
    repeat: 1
    steps:
      - { notify: [on-call], escalateAfter: 5m }
      - { notify: [secondary], escalateAfter: 10m }
      - { notify: [manager] }
communication:
  channels: [{ name: "#incidents" }]
escalation:
  tiers:
    - { id: L1, after: 0m, notify: [on-call] }
    - { id: L2, after: 30m, notify: [leads] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

let t: TestDb;
const clock = new VirtualClock('2026-03-01T10:00:00Z');
let engine: Engine;
const ctx = () => makeCtx({ db: t.db, clock }, SYSTEM_ACTOR);
const MIN = 60_000;

const user = (handle: string, email: string | null) => addUser(ctx(), handle, { email });

/**
 * A user's verified contact methods, one rule each in the order given, set as `tocsin apply` of a
 * User document sets them (an admin marks them verified, so no code is sent).
 */
async function contacts(
  handle: string,
  methods: { kind: 'push' | 'voice' | 'sms'; address: string; after: string }[],
  quietHours?: { start: string; end: string },
) {
  await applyDeclaredContacts({
    ctx: ctx(),
    input: {
      user: handle,
      declared: {
        contacts: methods.map((m, i) => ({
          kind: m.kind,
          address: m.address,
          label: `c${i}`,
          verified: true,
          disabled: false,
        })),
        notificationRules: methods.map((m, i) => ({ contact: `c${i}`, after: m.after })),
        ...(quietHours ? { quietHours } : {}),
      },
    },
  });
}

async function messages(incidentId: string | null) {
  let q = t.db
    .selectFrom('outbox')
    .leftJoin('users', 'users.id', 'outbox.user_id')
    .select([
      'outbox.channel',
      'outbox.destination',
      'outbox.status',
      'outbox.next_attempt_at',
      'users.handle',
    ])
    .orderBy('outbox.id');
  q =
    incidentId === null
      ? q.where('outbox.incident_id', 'is', null)
      : q.where('outbox.incident_id', '=', incidentId);
  const rows = await q.execute();
  return rows.map((r) => ({
    to: r.handle ?? r.destination,
    channel: r.channel,
    destination: r.destination,
    status: r.status,
    at: r.next_attempt_at.toISOString().slice(11, 16),
  }));
}

async function advance(ms: number) {
  clock.advance(ms);
  await engine.runUntilIdle();
}

async function declare(severity: string, title = `Checkout down ${severity}`) {
  const incident = await declareIncident({ ctx: ctx(), input: { plan: 'paging', severity, title } });
  await engine.runUntilIdle();
  return incident.id;
}

beforeAll(async () => {
  t = await freshDb();
  await applyPlan(t.db, clock, PLAN);
  await user('ana', 'ana@example.com');
  await contacts('ana', [
    { kind: 'push', address: 'ana-pager', after: '0m' },
    { kind: 'voice', address: '+15550000001', after: '2m' },
  ]);
  await user('ben', 'ben@example.com'); // no rules: reached by email
  await user('cat', 'cat@example.com');
  await contacts('cat', [{ kind: 'sms', address: '+15550000003', after: '0m' }]);
  engine = new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, engineModules({ deliver: false }));
});

afterAll(async () => {
  await t.close();
});

beforeEach(async () => {
  // The virtual clock only moves forward: each test starts at 10:00 UTC on the next day.
  const next = new Date(clock.now().getTime() + 86_400_000);
  clock.set(new Date(`${next.toISOString().slice(0, 10)}T10:00:00Z`));
  await t.db.deleteFrom('outbox').execute();
});

describe('paging from the plan', () => {
  it('P0: the fallback chain escalates on time, through the channels the plan names, then repeats', async () => {
    const id = await declare('P0');
    // Step 1: ana by phone only (the plan's P0 channel), the chat channel posted, tier L1 pages ana too.
    const first = await messages(id);
    expect(first).toContainEqual(expect.objectContaining({ to: 'ana', channel: 'voice', at: '10:02' }));
    expect(first).toContainEqual(expect.objectContaining({ to: '#incidents', channel: 'chat' }));
    expect(first.filter((m) => m.to === 'ben')).toEqual([]);

    await advance(5 * MIN); // step 2: ben has no phone → his own rules (email)
    expect((await messages(id)).filter((m) => m.to === 'ben')).toEqual([
      expect.objectContaining({ channel: 'email', destination: 'ben@example.com', at: '10:05' }),
    ]);
    await advance(10 * MIN); // step 3: cat (sms only, no phone → her rules)
    expect((await messages(id)).filter((m) => m.to === 'cat' && m.channel === 'sms')).toHaveLength(1);
    await advance(5 * MIN); // repeat 1: from the top again
    const voiceToAna = (await messages(id)).filter((m) => m.to === 'ana' && m.channel === 'voice');
    // 10:00: tier L1 and the severity's step 1 reach ana at once — one page (her phone at 10:02).
    expect(voiceToAna.map((m) => m.at)).toEqual(['10:02', '10:22']);

    const history = await listIncidentPages({ ctx: ctx(), input: { incidentId: id } });
    const severityPage = history.escalations.find((e) => e.source === 'severity');
    expect(severityPage).toMatchObject({ kind: 'paging', status: 'active', round: 2, step: 2 });
  });

  it('acknowledging stops the paging escalation and cancels what was not sent; duration tiers go on', async () => {
    const id = await declare('P0');
    await acknowledgeIncident({ ctx: ctx(), input: { incidentId: id } });
    const after = await messages(id);
    // Ana's phone call (her 2-minute rule) had not gone out: cancelled, whichever escalation queued it.
    expect(after.filter((m) => m.status === 'cancelled').length).toBeGreaterThan(0);
    await advance(30 * MIN);
    await advance(30 * MIN);
    const later = await messages(id);
    expect(later.filter((m) => m.to === 'ben')).toEqual([]); // step 2 never came
    // L2 (30 min, duration escalation) still notified the leads although acknowledged.
    expect(later).toContainEqual(expect.objectContaining({ to: 'cat', channel: 'sms', at: '10:30' }));
    expect(later).toContainEqual(expect.objectContaining({ to: 'leads@example.com', channel: 'email' }));
    const history = await listIncidentPages({ ctx: ctx(), input: { incidentId: id } });
    expect(history.escalations.find((e) => e.source === 'severity')).toMatchObject({
      status: 'acknowledged',
      ended_by: 'tocsin',
    });
  });

  it('shows destinations to those who may read contact methods; a viewer sees only their own', async () => {
    const id = await declare('P0');
    await advance(5 * MIN); // step 2 pages ben too
    const ben = await t.db
      .selectFrom('users')
      .select('id')
      .where('handle', '=', 'ben')
      .executeTakeFirstOrThrow();
    const viewer = makeCtx(
      { db: t.db, clock },
      { kind: 'user', userId: ben.id, name: 'ben', role: 'viewer', leadership: false },
    );
    const seen = (await listIncidentPages({ ctx: viewer, input: { incidentId: id } })).messages;
    expect(seen.filter((m) => m.user === 'ana').length).toBeGreaterThan(0);
    for (const m of seen.filter((x) => x.user === 'ana')) expect(m.destination).toBeNull();
    expect(seen.find((m) => m.user === 'ben')?.destination).toBe('ben@example.com');
    const all = (await listIncidentPages({ ctx: ctx(), input: { incidentId: id } })).messages;
    expect(all.find((m) => m.user === 'ana' && m.channel === 'voice')?.destination).toBe('+15550000001');
  });

  it('resolving ends every escalation, duration tiers included', async () => {
    const id = await declare('P0');
    await resolveIncident({ ctx: ctx(), input: { incidentId: id } });
    await advance(3 * 60 * MIN);
    const history = await listIncidentPages({ ctx: ctx(), input: { incidentId: id } });
    expect(history.escalations.map((e) => e.status)).toEqual(history.escalations.map(() => 'resolved'));
    expect((await messages(id)).filter((m) => m.to === 'ben' || m.to === 'cat')).toEqual([]);
  });

  it('P1 pages on-call by push and the severity responders (manager) by their own rules', async () => {
    const id = await declare('P1');
    const sent = await messages(id);
    expect(sent).toContainEqual(
      expect.objectContaining({ to: 'ana', channel: 'push', destination: 'ana-pager' }),
    );
    expect(sent.filter((m) => m.to === 'ana' && m.channel === 'voice' && m.at === '10:02')).toHaveLength(1); // L1 tier
    expect(sent).toContainEqual(expect.objectContaining({ to: 'cat', channel: 'sms' }));
  });

  it('best effort after business hours: no phone, no escalation; in business hours: as written', async () => {
    clock.set(new Date(`${clock.now().toISOString().slice(0, 10)}T18:00:00Z`)); // 21:00 in Addis Ababa
    const night = await declare('P2', 'night');
    await advance(60 * MIN);
    const nightly = (await messages(night)).filter(
      (m) => m.to !== 'ana' || m.channel !== 'voice' || m.at !== '18:02',
    );
    expect(nightly.filter((m) => m.channel === 'voice' && m.at !== '18:02')).toEqual([]);
    expect(nightly.filter((m) => m.to === 'ben')).toEqual([]);
    const history = await listIncidentPages({ ctx: ctx(), input: { incidentId: night } });
    expect(history.escalations.find((e) => e.source === 'severity')).toMatchObject({
      status: 'exhausted',
      steps: 1,
    });

    clock.set(new Date('2026-04-01T08:00:00Z')); // Wednesday 11:00, but a holiday
    const holiday = await declare('P2', 'holiday');
    const h = await listIncidentPages({ ctx: ctx(), input: { incidentId: holiday } });
    expect(h.escalations.find((e) => e.source === 'severity')).toMatchObject({ steps: 1 });

    clock.set(new Date('2026-04-07T08:00:00Z')); // Tuesday 11:00
    const day = await declare('P2', 'day');
    const d = await listIncidentPages({ ctx: ctx(), input: { incidentId: day } });
    expect(d.escalations.find((e) => e.source === 'severity')).toMatchObject({ steps: 3 });
    expect(await messages(day)).toContainEqual(expect.objectContaining({ to: 'ana', channel: 'voice' }));
  });

  it('an added responder is paged; a schedule or team target works the same way', async () => {
    const id = await declare('P1');
    await addResponder({ ctx: ctx(), input: { incidentId: id, responder: 'secondary' } });
    expect(await messages(id)).toContainEqual(expect.objectContaining({ to: 'ben', channel: 'email' }));
    const history = await listIncidentPages({ ctx: ctx(), input: { incidentId: id } });
    expect(history.escalations.map((e) => e.source)).toContain('responder:secondary');
  });
});

describe('acknowledging from a message', () => {
  it('the link acknowledges as the person paged; a second click changes nothing', async () => {
    const id = await declare('P1');
    const push = await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('incident_id', '=', id)
      .where('channel', '=', 'push')
      .executeTakeFirstOrThrow();
    const ack = (push.payload as { ack: { url: string; code: string } }).ack;
    expect(ack.url).toMatch(/\/ack\/[A-Za-z0-9_-]{32}$/);
    expect(ack.code).toMatch(/^\d{4}$/);
    const token = ack.url.split('/').pop() ?? '';
    const first = await acknowledgeByToken({ db: t.db, clock }, token);
    expect(first).toMatchObject({ incidentId: id, user: 'ana', changed: true });
    const second = await acknowledgeByToken({ db: t.db, clock }, token);
    expect(second.changed).toBe(false);
    const incident = await t.db
      .selectFrom('incidents')
      .select('acknowledged_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(incident.acknowledged_at).toEqual(clock.now());
    await expect(acknowledgeByToken({ db: t.db, clock }, 'x'.repeat(32))).rejects.toThrow(/not found/);
  });

  it('the reply code of a page without incident ends that page', async () => {
    const page = await pageManually({
      ctx: ctx(),
      input: { target: 'user:cat', message: 'Database disk at 95%' },
    });
    const sms = await t.db
      .selectFrom('outbox')
      .select(['payload', 'user_id'])
      .where('escalation_id', '=', page.id)
      .executeTakeFirstOrThrow();
    const code = (sms.payload as { ack: { code: string } }).ack.code;
    await expect(acknowledgeByCode({ db: t.db, clock }, String(sms.user_id), '0000')).rejects.toThrow();
    const ack = await acknowledgeByCode({ db: t.db, clock }, String(sms.user_id), code);
    expect(ack).toMatchObject({ incidentId: null, user: 'cat', changed: true });
    const esc = await t.db
      .selectFrom('escalations')
      .select('status')
      .where('id', '=', page.id)
      .executeTakeFirstOrThrow();
    expect(esc.status).toBe('acknowledged');
  });

  it('refuses a manual page to an unknown policy, naming the field', async () => {
    await expect(
      pageManually({ ctx: ctx(), input: { target: 'policy:nope', message: 'x' } }),
    ).rejects.toMatchObject({ details: [{ path: 'target', message: 'no policy "nope"' }] });
  });
});

describe('messages addressed to people', () => {
  it('fan out to their contacts; notifications wait out quiet hours, pages do not', async () => {
    await contacts('cat', [{ kind: 'sms', address: '+15550000003', after: '0m' }], {
      start: '22:00',
      end: '07:00',
    });
    clock.set(new Date(`${clock.now().toISOString().slice(0, 10)}T23:30:00Z`));
    for (const kind of ['notify', 'page']) {
      await enqueueNotification(
        t.db,
        {
          incidentId: null,
          channel: 'auto',
          destination: 'user:cat',
          payload: { kind, text: kind },
          dedupKey: `quiet-${kind}`,
        },
        clock.now(),
      );
    }
    await engine.runUntilIdle();
    const rows = await t.db
      .selectFrom('outbox')
      .select(['channel', 'destination', 'status', 'provider_id', 'next_attempt_at', 'payload'])
      .where('incident_id', 'is', null)
      .orderBy('id')
      .execute();
    const routed = rows.filter((r) => r.destination === 'user:cat');
    expect(routed.map((r) => [r.status, r.provider_id])).toEqual([
      ['sent', 'routed:1'],
      ['sent', 'routed:1'],
    ]);
    const sms = rows.filter((r) => r.channel === 'sms');
    const due = Object.fromEntries(
      sms.map((r) => [(r.payload as { kind: string }).kind, r.next_attempt_at.toISOString().slice(11, 16)]),
    );
    expect(due).toEqual({ notify: '07:00', page: '23:30' });
  });
});
