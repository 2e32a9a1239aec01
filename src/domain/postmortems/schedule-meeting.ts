import { randomUUID } from 'node:crypto';
import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid, NotFound } from '../../errors.ts';
import { parseDuration } from '../../lib/duration.ts';
import * as audit from '../audit/queries.ts';
import type { Actor, Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import type { Incident } from '../incidents/incident.ts';
import { isId } from '../incidents/incident.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { targetOf } from '../paging/steps.ts';
import type { Plan } from '../plans/plan.ts';
import { invitationDescription, invitationIcs } from './invitation.ts';
import {
  type MeetingPerson,
  meetingDurationMs,
  type PostmortemMeeting,
  plannedAttendees,
  type ScheduleMeetingBody,
  scheduleMeetingSchema,
} from './meeting.ts';
import * as q from './queries.ts';

export type ScheduleMeetingInput = { incidentId: string } & ScheduleMeetingBody;

export interface ScheduledMeeting extends PostmortemMeeting {
  /** How many invitations were queued (attendees with an email address). */
  invitations: number;
}

/**
 * Schedules (or moves) the meeting of an incident's post-mortem: the plan's attendees for its severity
 * plus those named, each emailed a calendar invitation through the outbox in this transaction.
 */
export async function schedulePostmortemMeeting({
  ctx,
  input,
}: Operation<ScheduleMeetingInput>): Promise<ScheduledMeeting> {
  ctx.require('postmortem:write');
  const { incidentId, ...body } = input;
  const data = scheduleMeetingSchema.parse(body);
  return inTx(ctx.db, async (tx) => {
    const pm = isId(incidentId) ? await q.lockPostmortem(tx, incidentId) : undefined;
    if (!pm) throw new NotFound('post-mortem of incident', incidentId);
    const { incident, plan } = await readVisibleIncident(ctx, incidentId, tx);
    const start = new Date(data.starts_at);
    if (start.getTime() < ctx.clock.now().getTime()) {
      throw new Invalid('the meeting starts in the past', [{ path: 'starts_at', message: 'in the past' }]);
    }
    const durationMs = data.duration ? parseDuration(data.duration) : meetingDurationMs(plan);
    return scheduleMeetingInTx(tx, {
      incident,
      plan,
      actor: ctx.actor,
      now: ctx.clock.now(),
      start,
      end: new Date(start.getTime() + durationMs),
      invite: data.invite,
      note: data.note,
    });
  });
}

/** Who the plan's group and role ids name for this incident, and who was named by handle or address. */
async function attendeesOf(
  tx: Executor,
  c: { incident: Incident; plan: Plan; now: Date; invite: readonly string[] },
): Promise<MeetingPerson[]> {
  const found = await resolveRecipients(
    tx,
    plannedAttendees(c.plan, c.incident.severity).map((who) => targetOf(who, c.plan)),
    { incidentId: c.incident.id, service: c.incident.service, plan: c.plan, now: c.now },
  );
  const emails = new Set(found.emails);
  const handles = c.invite.filter((v) => !v.includes('@'));
  for (const v of c.invite) if (v.includes('@')) emails.add(v);
  const named = await q.usersBy(tx, 'handle', handles);
  const unknown = handles.filter((h) => !named.some((u) => u.handle === h));
  if (unknown.length > 0) {
    throw new NotFound('user', unknown.join(', '));
  }
  const users = await q.usersBy(tx, 'id', [...new Set([...found.userIds, ...named.map((u) => u.id)])]);
  const people: MeetingPerson[] = users.map((u) => ({ name: u.name, email: u.email, handle: u.handle }));
  const known = new Set(people.map((p) => p.email?.toLowerCase()));
  for (const email of emails) {
    if (!known.has(email.toLowerCase())) people.push({ name: email, email, handle: null });
  }
  return people;
}

/** Who sends the invitation: the scheduler when they have an email address, else Tocsin's sender. */
async function organizerOf(tx: Executor, actor: Actor): Promise<{ name: string; email: string }> {
  const user = actor.userId ? (await q.usersBy(tx, 'id', [actor.userId]))[0] : undefined;
  if (user?.email) return { name: user.name, email: user.email };
  const from = loadEnv().TOCSIN_SMTP_FROM;
  const address = from ? (/<([^>]+)>/.exec(from)?.[1] ?? from.trim()) : undefined;
  const host = new URL(publicUrlOf(loadEnv())).hostname || 'localhost';
  return { name: 'Tocsin', email: address ?? `tocsin@${host}` };
}

/** Scheduling inside a transaction that holds the post-mortem: the operation's and the drafting's. */
export async function scheduleMeetingInTx(
  tx: Executor,
  c: {
    incident: Incident;
    plan: Plan;
    actor: Actor;
    now: Date;
    start: Date;
    end: Date;
    invite?: readonly string[] | undefined;
    note?: string | undefined;
  },
): Promise<ScheduledMeeting> {
  const attendees = await attendeesOf(tx, { ...c, invite: c.invite ?? [] });
  const organizer = await organizerOf(tx, c.actor);
  const publicUrl = publicUrlOf(loadEnv());
  const before = await q.findMeeting(tx, c.incident.id);
  const meeting = await q.upsertMeeting(tx, {
    incident_id: c.incident.id,
    uid:
      before?.uid ?? `postmortem-${c.incident.id}-${randomUUID()}@${new URL(publicUrl).hostname || 'tocsin'}`,
    starts_at: c.start,
    ends_at: c.end,
    organizer: JSON.stringify(organizer),
    attendees: JSON.stringify(attendees),
    scheduled_by: c.actor.name,
    created_at: c.now,
    updated_at: c.now,
  });
  const url = `${publicUrl}/postmortems/${c.incident.id}`;
  const summary = `Post-mortem: ${c.incident.title} (incident ${c.incident.id}, ${c.incident.severity})`;
  const description = invitationDescription({
    incident: c.incident,
    agenda: c.plan.postmortem?.meeting?.agenda ?? [],
    note: c.note,
    url,
  });
  const ics = invitationIcs({
    uid: meeting.uid,
    sequence: meeting.sequence,
    stamp: c.now,
    start: meeting.starts_at,
    end: meeting.ends_at,
    organizer,
    attendees,
    summary,
    description,
    url,
  });
  let invitations = 0;
  for (const person of attendees) {
    if (!person.email) continue;
    const queued = await enqueueNotification(
      tx,
      {
        incidentId: c.incident.id,
        channel: 'email',
        destination: person.email,
        payload: {
          kind: 'invitation',
          subject: `${before ? 'Moved: ' : 'Invitation: '}${summary} — ${meeting.starts_at
            .toISOString()
            .replace(/:00\.000Z$/, ' UTC')
            .replace('T', ' ')}`,
          text: description,
          calendar: { method: 'REQUEST', ics },
        },
        dedupKey: `postmortem-meeting:${c.incident.id}:${meeting.sequence}:${person.email.toLowerCase()}`,
      },
      c.now,
    );
    if (queued) invitations++;
  }
  await audit.record(tx, c.actor, c.now, {
    action: before ? 'postmortem.meeting_moved' : 'postmortem.meeting_scheduled',
    entityType: 'postmortem',
    entityId: c.incident.id,
    before: before ? { starts_at: before.starts_at, ends_at: before.ends_at } : null,
    after: {
      starts_at: meeting.starts_at,
      ends_at: meeting.ends_at,
      attendees: attendees.map((a) => a.handle ?? a.email),
    },
  });
  return { ...meeting, invitations };
}
