import { z } from 'zod';
import type { MeetingPerson, Row } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import { isText } from '../incidents/inputs.ts';
import type { Plan } from '../plans/plan.ts';
import { handleSchema } from '../users/handle.ts';

// Post-mortem meetings: who the plan invites (postmortem.meeting.attendees, and attendeesBySeverity
// for the incident's severity — seed "job-application platform": IC, affected team members, CTO, and
// the CEO for P0), when, and the input of scheduling one. The invitation itself is invitation.ts.
// (No Node imports here: the console validates its form with scheduleMeetingSchema.)

export type { MeetingPerson };
export type PostmortemMeeting = Row<'postmortem_meetings'>;

export const DEFAULT_MEETING_DURATION = '1h';

/** The plan's group and role ids invited to the meeting of an incident at this severity. */
export function plannedAttendees(plan: Plan, severity: string): string[] {
  const meeting = plan.postmortem?.meeting;
  if (!meeting) return [];
  return [...new Set([...meeting.attendees, ...(meeting.attendeesBySeverity[severity] ?? [])])];
}

export function meetingDurationMs(plan: Plan): number {
  return parseDuration(plan.postmortem?.meeting?.duration ?? DEFAULT_MEETING_DURATION);
}

/** When a meeting scheduled at drafting starts: `after` past resolution, at the next full hour (UTC). */
export function automaticStart(resolvedAt: Date, after: string): Date {
  const at = resolvedAt.getTime() + parseDuration(after);
  const hour = 3_600_000;
  return new Date(Math.ceil(at / hour) * hour);
}

export const scheduleMeetingSchema = z.strictObject({
  starts_at: z.iso.datetime({ offset: true }).describe('when the meeting starts (ISO 8601)'),
  duration: z
    .string()
    .regex(/^(\d+[mh])+$/, 'a duration such as 45m or 1h30m')
    .refine((v) => parseDuration(v) >= 5 * 60_000 && parseDuration(v) <= 8 * 3_600_000, 'between 5m and 8h')
    .optional()
    .describe("how long; default the plan's postmortem.meeting.duration, else 1h"),
  invite: z
    .array(z.union([handleSchema, z.email()]))
    .max(100)
    .default([])
    .describe('more attendees besides the plan’s: user handles or email addresses'),
  note: z
    .string()
    .max(2000)
    .refine(isText, 'must be text without NUL characters')
    .optional()
    .describe('added to the invitation'),
});
export type ScheduleMeetingBody = z.input<typeof scheduleMeetingSchema>;
