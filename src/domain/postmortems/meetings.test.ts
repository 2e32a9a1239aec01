import ICAL from 'ical.js';
import type { ParsedMail } from 'mailparser';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { type Mailbox, startMailbox } from '../../../test/mailbox.ts';
import { Engine } from '../../engine/engine.ts';
import { outboxModule } from '../../engine/outbox.ts';
import { emailProvider } from '../../notify/providers/email.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { assignRole } from '../incidents/assign-role.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { resolveIncident } from '../incidents/resolve-incident.ts';
import { savePlan } from '../plans/save-plan.ts';

// Issue 15 item 7: post-mortem meetings. The plan names the attendees (seed "job-application
// platform": the IC, the CTO, and the CEO for P0); scheduling the meeting — by hand, or when the
// post-mortem is drafted (postmortem.meeting.after) — emails each attendee an RFC 5545 invitation
// through the outbox, delivered here to a real SMTP server and parsed back with ical.js.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: jobs }
severities:
  - id: P0
    title: Critical
    postmortem: { required: true, due: 48h, meeting: true }
  - id: P1
    title: High
    postmortem: { required: true, due: 48h, meeting: true }
  - id: P2
    title: Medium
    postmortem: { required: true, due: 1w }
roles:
  - { id: incident-commander, title: Incident Commander }
groups:
  - { id: cto, title: CTO, users: [selam] }
  - { id: ceo, title: CEO, users: [abebe] }
  - { id: board, title: Board, email: board@jobs.example }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
postmortem:
  meeting:
    attendees: [incident-commander, cto]
    attendeesBySeverity: { P0: [ceo] }
    agenda: ["Timeline: what happened, when", "Root cause (5 whys)"]
    duration: 45m
    after: 1d
`;

const MIN = 60_000;
let t: TestApp;
let mailbox: Mailbox;

beforeAll(async () => {
  [t, mailbox] = await Promise.all([testApp(), startMailbox()]);
  const ctx = t.ctx();
  await addUser(ctx, 'lulit', { email: 'lulit@jobs.example' });
  await addUser(ctx, 'selam', { email: 'selam@jobs.example' });
  await addUser(ctx, 'abebe', { email: 'abebe@jobs.example' });
  await addUser(ctx, 'noemail');
  await savePlan({ ctx, input: { source: PLAN } });
});
afterAll(async () => {
  await t.close();
  await mailbox.close();
});

const api = (method: 'GET' | 'PUT', url: string, body?: unknown) =>
  t.app.inject({ method, url, headers: auth(t.adminToken), ...(body ? { payload: body as object } : {}) });

/** Delivers what the outbox holds to the SMTP server; returns the mails that arrived meanwhile. */
async function deliver(): Promise<ParsedMail[]> {
  const before = mailbox.mails.length;
  const module = outboxModule({
    providers: providerRegistry([
      emailProvider({ url: `smtp://127.0.0.1:${mailbox.port}`, from: 'Tocsin <tocsin@jobs.example>' }),
    ]),
  });
  await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [module]).runUntilIdle();
  await module.idle();
  return mailbox.mails.slice(before);
}

async function resolvedIncident(title: string, severity: string): Promise<{ id: string; resolvedAt: Date }> {
  const ctx = t.ctx();
  const inc = await declareIncident({ ctx, input: { title, severity, plan: 'jobs' } });
  await assignRole({ ctx, input: { incidentId: inc.id, role: 'incident-commander', user: 'lulit' } });
  t.clock.advance(30 * MIN);
  await resolveIncident({ ctx, input: { incidentId: inc.id } });
  return { id: inc.id, resolvedAt: t.clock.now() };
}

/** The invitation of a mail: its text/calendar part, parsed. */
function invitationOf(mail: ParsedMail) {
  const part = mail.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) throw new Error(`no text/calendar part in "${mail.subject}"`);
  const text = part.content.toString('utf8');
  const calendar = new ICAL.Component(ICAL.parse(text));
  const event = calendar.getFirstSubcomponent('vevent');
  if (!event) throw new Error('no VEVENT');
  return { text, calendar, event, method: part.headers.get('content-type') };
}

const recipients = (mails: ParsedMail[]) =>
  mails
    .flatMap((m) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []))
    .flatMap((a) => a.value.map((v) => v.address))
    .sort();

describe('post-mortem meetings', () => {
  it('schedules the meeting when a P1 post-mortem is drafted: the IC and the CTO, not the CEO', async () => {
    const { id, resolvedAt } = await resolvedIncident('Apply button fails', 'P1');
    const res = await api('GET', `/api/v1/postmortems/${id}/meeting`);
    expect(res.statusCode).toBe(200);
    const meeting = res.json().meeting;
    // after: 1d, at the next full hour; duration 45m
    const start = Math.ceil((resolvedAt.getTime() + 24 * 60 * MIN) / (60 * MIN)) * 60 * MIN;
    expect(meeting.starts_at).toBe(new Date(start).toISOString());
    expect(meeting.ends_at).toBe(new Date(start + 45 * MIN).toISOString());
    expect(meeting.attendees.map((a: { handle: string }) => a.handle).sort()).toEqual(['lulit', 'selam']);

    const mails = await deliver();
    expect(recipients(mails)).toEqual(['lulit@jobs.example', 'selam@jobs.example']);
    const { event, calendar } = invitationOf(mails[0] as ParsedMail);
    expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.getFirstPropertyValue('summary')).toContain('Apply button fails');
    expect(event.getFirstPropertyValue('dtstart')?.toString()).toBe(
      new Date(start).toISOString().replace('.000', ''),
    );
  });

  it('a P2 post-mortem (meeting: false) gets no meeting until one is scheduled', async () => {
    const { id } = await resolvedIncident('Slow search', 'P2');
    expect((await api('GET', `/api/v1/postmortems/${id}/meeting`)).statusCode).toBe(404);
    expect(await deliver()).toEqual([]);
  });

  it('invites the CEO for P0 and anyone named; every attendee gets an RFC 5545 invitation', async () => {
    const { id } = await resolvedIncident('Database connection failure', 'P0');
    await deliver(); // the automatic invitations
    const startsAt = new Date(t.clock.now().getTime() + 2 * 24 * 60 * MIN);
    const res = await api('PUT', `/api/v1/postmortems/${id}/meeting`, {
      starts_at: startsAt.toISOString(),
      duration: '1h',
      invite: ['noemail', 'board@jobs.example'],
      note: 'Bring the RDS graphs',
    });
    expect(res.statusCode).toBe(200);
    const meeting = res.json().meeting;
    expect(meeting.sequence).toBe(1); // moved from the automatic time
    expect(meeting.invitations).toBe(4);
    expect(meeting.attendees).toContainEqual({ name: 'noemail', email: null, handle: 'noemail' });

    const mails = await deliver();
    expect(recipients(mails)).toEqual([
      'abebe@jobs.example',
      'board@jobs.example',
      'lulit@jobs.example',
      'selam@jobs.example',
    ]);
    for (const mail of mails) {
      expect(mail.subject).toContain('Database connection failure');
      const { text, calendar, event, method } = invitationOf(mail);
      expect(method).toMatchObject({ value: 'text/calendar', params: { method: 'REQUEST' } });
      expect(text).toMatch(/\r\n/);
      expect(calendar.getFirstPropertyValue('method')).toBe('REQUEST');
      expect(event.getFirstPropertyValue('uid')).toBe(meeting.uid);
      expect(event.getFirstPropertyValue('sequence')).toBe(1);
      const stamp = event.getFirstProperty('dtstamp')?.getFirstValue() as ICAL.Time;
      expect(stamp.zone?.tzid).toBe('UTC');
      expect(stamp.toJSDate().toISOString()).toBe(t.clock.now().toISOString());
      const dtstart = event.getFirstProperty('dtstart')?.getFirstValue() as ICAL.Time;
      const dtend = event.getFirstProperty('dtend')?.getFirstValue() as ICAL.Time;
      expect(dtstart.zone?.tzid).toBe('UTC');
      expect(dtstart.toJSDate().toISOString()).toBe(startsAt.toISOString());
      expect(dtend.toJSDate().toISOString()).toBe(new Date(startsAt.getTime() + 60 * MIN).toISOString());
      // The admin who scheduled it has no email address: Tocsin's own sender organizes.
      expect(event.getFirstPropertyValue('organizer')).toBe('mailto:tocsin@localhost');
      const attendees = event.getAllProperties('attendee').map((p) => p.getFirstValue());
      expect(attendees.sort()).toEqual([
        'mailto:abebe@jobs.example',
        'mailto:board@jobs.example',
        'mailto:lulit@jobs.example',
        'mailto:selam@jobs.example',
      ]);
      expect(event.getFirstPropertyValue('summary')).toBe(
        `Post-mortem: Database connection failure (incident ${id}, P0)`,
      );
      expect(event.getFirstPropertyValue('url')).toBe(`http://localhost:8080/postmortems/${id}`);
      const description = event.getFirstPropertyValue('description');
      expect(description).toContain('Bring the RDS graphs');
      expect(description).toContain('1. Timeline: what happened, when');
    }
  });

  it('refuses a start in the past, an unknown handle and a bad duration; 404 without a post-mortem', async () => {
    const { id } = await resolvedIncident('Refusals', 'P2');
    const past = await api('PUT', `/api/v1/postmortems/${id}/meeting`, {
      starts_at: new Date(t.clock.now().getTime() - MIN).toISOString(),
    });
    expect(past.statusCode).toBe(400);
    expect(past.json().error.details).toEqual([{ path: 'starts_at', message: 'in the past' }]);
    const future = new Date(t.clock.now().getTime() + 60 * MIN).toISOString();
    const unknown = await api('PUT', `/api/v1/postmortems/${id}/meeting`, {
      starts_at: future,
      invite: ['ghost'],
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('ghost');
    const bad = await api('PUT', `/api/v1/postmortems/${id}/meeting`, { starts_at: future, duration: '3d' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.duration');
    const none = await api('PUT', '/api/v1/postmortems/999999/meeting', { starts_at: future });
    expect(none.statusCode).toBe(404);
    // Nothing was queued by the refusals.
    expect(await deliver()).toEqual([]);
  });

  it('refuses a plan whose meeting names an unknown severity or a bad duration, at file:line:col', async () => {
    const save = (source: string) => savePlan({ ctx: t.ctx(), input: { source } });
    const renamed = PLAN.replace('name: jobs', 'name: jobs2');
    await expect(save(renamed.replace('after: 1d', 'after: tomorrow'))).rejects.toMatchObject({
      details: [{ path: 'plan:29:12', message: expect.stringContaining('postmortem.meeting.after') }],
    });
    await expect(save(renamed.replace('{ P0: [ceo] }', '{ P9: [ceo] }'))).rejects.toMatchObject({
      details: [{ path: expect.stringMatching(/^plan:26:/), message: expect.stringContaining('P9') }],
    });
  });

  it('the CLI schedules it and shows it', async () => {
    const { id } = await resolvedIncident('CLI meeting', 'P2');
    const tocsin = await cliAgainst(t);
    const at = new Date(t.clock.now().getTime() + 3 * 60 * MIN).toISOString();
    const out = await tocsin(
      'postmortem',
      'meeting',
      id,
      '--at',
      at,
      '--duration',
      '30m',
      '--invite',
      'selam',
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain(`post-mortem meeting of incident ${id}: ${at}`);
    expect(out.stdout).toContain('invitations sent: 2');
    const shown = await tocsin('postmortem', 'meeting', id, '--json');
    expect(JSON.parse(shown.stdout).starts_at).toBe(at);
    expect(recipients(await deliver())).toEqual(['lulit@jobs.example', 'selam@jobs.example']);
  });
});
