import { z } from 'zod';
import { postmortemStatusSchema } from './postmortem.ts';

// What the post-mortem routes answer, for the OpenAPI document (and the console's generated types).
// The serializer checks each answer against these: a field missing here would be dropped.

const at = z.date().describe('ISO 8601');

export const postmortemSchema = z.object({
  incident_id: z.string(),
  title: z.string(),
  status: postmortemStatusSchema,
  due_at: at.nullable(),
  sections: z.array(z.object({ id: z.string(), title: z.string(), body: z.string().describe('Markdown') })),
  created_at: at,
  updated_at: at,
  published_at: at.nullable(),
  published_by: z.string().nullable(),
  overdue: z.boolean().describe('past its due date and not published'),
  root_cause_category: z
    .string()
    .nullable()
    .describe("one of the plan's postmortem.rootCauseCategories (any text when it lists none)"),
  root_cause_categories: z
    .array(z.string())
    .optional()
    .describe("the plan's postmortem.rootCauseCategories, in GET of one post-mortem; empty: any text"),
});

export const postmortemAnswer = z.object({ postmortem: postmortemSchema });
export const postmortemsAnswer = z.object({ postmortems: z.array(postmortemSchema) });

const person = z.object({
  name: z.string(),
  email: z.string().nullable().describe('null: listed, but no invitation (no address)'),
  handle: z.string().nullable().describe('the user, when the attendee is one'),
});

export const meetingSchema = z.object({
  incident_id: z.string(),
  uid: z.string().describe('the invitation UID: the same across reschedules'),
  sequence: z.number().describe('0, then one more at each reschedule'),
  starts_at: at,
  ends_at: at,
  organizer: z.object({ name: z.string(), email: z.string() }),
  attendees: z.array(person),
  scheduled_by: z.string(),
  created_at: at,
  updated_at: at,
});

export const meetingAnswer = z.object({ meeting: meetingSchema });
export const scheduledMeetingAnswer = z.object({
  meeting: meetingSchema.extend({ invitations: z.number().describe('invitations queued by this call') }),
});
