import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { incidentIdSchema, isText } from '../incidents/inputs.ts';
import { handleSchema } from '../users/handle.ts';

// Action items: what a team commits to after an incident so it does not happen again. They share
// the action_items table with workflow tasks (kind 'task'); these are kind 'action_item', linked to
// an incident (and so to its post-mortem), with an owner, due date, priority, status and an optional
// link to the team's own tracker.

export const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const;
/** Statuses that still need work: listed as open, reminded when overdue. */
export const OPEN_STATUSES = ['open', 'in_progress'] as const;

export type ActionItemRow = Row<'action_items'>;
export interface ActionItem
  extends Omit<
    ActionItemRow,
    'team_id' | 'kind' | 'due_reminded_at' | 'overdue_escalated_at' | 'tracker_outbox_id'
  > {
  team: string | null;
  overdue: boolean;
}

export function isOpenStatus(status: string): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export function isOverdueItem(item: Pick<ActionItemRow, 'due_at' | 'status'>, now: Date): boolean {
  return isOpenStatus(item.status) && item.due_at !== null && item.due_at.getTime() < now.getTime();
}

const text = (max: number) => z.string().refine(isText, 'must be text without NUL characters').max(max);

/**
 * A link to the issue in the team's tracker (Jira, GitHub …): an absolute http(s) URL without
 * credentials. Tocsin never fetches it; it is shown as a link, so other schemes (javascript:) are refused.
 */
export const trackerUrlSchema = z
  .string()
  .max(2000)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (
        (u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password && u.hostname !== ''
      );
    } catch {
      return false;
    }
  }, 'an http(s) URL without user or password, e.g. https://jira.example.com/browse/OPS-12');

const dueAt = z.iso.datetime({ offset: true }).describe('when it is due (ISO 8601)');

export const createActionItemSchema = z.strictObject({
  incident_id: incidentIdSchema.describe('the incident (and its post-mortem) the item follows from'),
  title: text(300).trim().min(1),
  description: text(10_000).default(''),
  owner: handleSchema.nullish().describe('the user handle of who does it'),
  due_at: dueAt.nullish(),
  priority: z.enum(PRIORITIES).default('medium'),
  tracker_url: trackerUrlSchema.nullish(),
  team: z.string().min(1).max(200).nullish().describe("a team name; default: the incident service's team"),
});
export type CreateActionItemInput = z.input<typeof createActionItemSchema>;

export const updateActionItemSchema = z
  .strictObject({
    title: text(300).trim().min(1).optional(),
    description: text(10_000).optional(),
    owner: handleSchema.nullable().optional(),
    due_at: dueAt.nullable().optional(),
    priority: z.enum(PRIORITIES).optional(),
    status: z.enum(ACTION_STATUSES).optional(),
    tracker_url: trackerUrlSchema.nullable().optional(),
    team: z.string().min(1).max(200).nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to change');
export type UpdateActionItemBody = z.input<typeof updateActionItemSchema>;

export const actionItemIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,17}$/, 'an action item id is a positive integer');

export const listActionItemsQuerySchema = z.strictObject({
  incident: incidentIdSchema.optional(),
  team: z.string().min(1).max(200).optional(),
  owner: handleSchema.optional(),
  status: z
    .enum(['open', 'in_progress', 'done', 'cancelled', 'all', 'unfinished'])
    .default('unfinished')
    .describe('unfinished (default): open or in progress; all: every status'),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only unfinished items past their due date'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
export type ListActionItemsQuery = z.infer<typeof listActionItemsQuerySchema>;

/** Where an action item can be pushed as an issue (configured by TOCSIN_GITHUB_* / TOCSIN_JIRA_*). */
export const TRACKERS = ['github', 'jira'] as const;
export type Tracker = (typeof TRACKERS)[number];
export const pushActionItemSchema = z.strictObject({
  tracker: z.enum(TRACKERS).describe('github (GitHub Issues) or jira'),
});
