import { z } from 'zod';
import { ACTION_STATUSES, PRIORITIES } from './action-items.ts';

// What the action-item routes answer, for the OpenAPI document (and the console's generated types).
// The serializer checks each answer against these: a field missing here would be dropped.

const at = z.date().describe('ISO 8601');

export const actionItemSchema = z.object({
  id: z.string(),
  incident_id: z.string().nullable(),
  title: z.string(),
  description: z.string(),
  owner: z.string().nullable().describe('user handle'),
  due_at: at.nullable(),
  status: z.enum(ACTION_STATUSES),
  priority: z.enum(PRIORITIES),
  tracker_url: z.string().nullable(),
  source: z.string(),
  created_at: at,
  updated_at: at.nullable(),
  done_at: at.nullable(),
  overdue_reminded_at: at.nullable(),
  team: z.string().nullable(),
  overdue: z.boolean().describe('unfinished and past its due date'),
});

export const actionItemAnswer = z.object({ action_item: actionItemSchema });
export const actionItemsAnswer = z.object({ action_items: z.array(actionItemSchema) });
export const teamsAnswer = z.object({
  teams: z.array(z.object({ team: z.string().nullable(), open: z.number(), overdue: z.number() })),
});

export const trackerPushAnswer = z.object({
  push: z.object({
    tracker: z.string().describe('github or jira'),
    status: z
      .enum(['pending', 'sending', 'sent', 'failed', 'cancelled'])
      .describe(
        'pending/sending: under way (retried after failures); failed: gave up; sent: the issue exists',
      ),
    attempts: z.number(),
    last_error: z.string().nullable().describe("the tracker's reason for the last failure"),
    next_attempt_at: at,
    url: z.string().nullable().describe('the created issue'),
  }),
});
