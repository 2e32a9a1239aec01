import { z } from 'zod';
import { isDuration, isPlanDuration } from '../../lib/duration.ts';
import { COMPONENT_STATUSES } from '../status-page/status-page.ts';
import { placeholdersOnlyInPathOrQuery } from './webhook-url.ts';

// Workflows: when (an event or a timer) / if (conditions on the incident) / then (actions).
// Fixed plan fields (targets, cadence, …) compile to the same shape (see compile-plan-rules.ts).

export const durationSchema = z
  .string()
  .refine(isDuration, { message: 'not a duration (use 90s, 15m, 4h, 2d, 1w)' })
  .describe('Duration such as 90s, 15m, 4h, 2d, 1w');

/** A duration that may count business time: 4h, or 4bh / 2bd / "4 business hours" (plan businessHours). */
export const planDurationSchema = z
  .string()
  .refine(isPlanDuration, {
    message: 'not a duration (use 90s, 15m, 4h, 2d, 1w; business time: 30bm, 4bh, 2bd or "4 business hours")',
  })
  .describe(
    'Duration such as 15m, 4h, 2d, or business time (needs businessHours): 4bh, 2bd, "4 business hours"',
  );

export const EVENT_TRIGGERS = [
  'incident.declared',
  'incident.acknowledged',
  'incident.triaged',
  'incident.severity_changed',
  'incident.type_changed',
  'incident.state_changed',
  'incident.role_assigned',
  'incident.resolved',
  'incident.responder_added',
  'incident.alert_attached',
  'incident.field_changed',
  'update.published',
  'update.overdue',
  'target.breached',
  'verification.passed',
  'verification.failed',
] as const;
export type EventTrigger = (typeof EVENT_TRIGGERS)[number];

// The plan's target kinds; plans/plan-schema.ts exports the same list as TARGET_KINDS.
export const TARGET_NAMES = [
  'acknowledge',
  'triage',
  'firstUpdate',
  'statusPage',
  'mitigate',
  'resolve',
] as const;

export const TIMER_ANCHORS = [
  'declared',
  'state',
  'acknowledged',
  'last_update',
  'last_internal_update',
  'last_external_update',
  'resolved',
  'last_page',
  'role_assigned',
  'scheduled',
] as const;
export type TimerAnchor = (typeof TIMER_ANCHORS)[number];

export const timerTriggerSchema = z
  .strictObject({
    elapsed: planDurationSchema,
    since: z
      .enum(TIMER_ANCHORS)
      .default('declared')
      .describe(
        'declared: since declaration; state: since entering the current (or `state`) state; ' +
          'acknowledged: since acknowledgement; last_update: since the last published update (or ' +
          'declaration); last_internal_update / last_external_update: the same for one audience; ' +
          'resolved: since resolution (the only timers that run after it, for up to 30 days); ' +
          'last_page: since the incident last paged someone (a step of any of its pages); ' +
          'role_assigned: since `role` was last assigned (by hand, automatically or in a handover); ' +
          'scheduled: since the time a person scheduled in the incident field `field` (e.g. a review meeting)',
      ),
    state: z.string().optional().describe('with since: state, the state whose entry starts the timer'),
    role: z.string().optional().describe('with since: role_assigned, the plan role'),
    field: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'a custom field name')
      .optional()
      .describe('with since: scheduled, the custom field holding an ISO time (e.g. review_at)'),
    repeat: z.boolean().default(false).describe('fire again every `elapsed` while the conditions hold'),
  })
  .describe('Fires once a duration has elapsed');

export const targetTriggerSchema = z
  .strictObject({
    target: z.enum(TARGET_NAMES).describe("one of the severity's targets"),
    before: durationSchema
      .default('0s')
      .describe('fires this long before the target is due, if it is still unmet (0s: when it is breached)'),
  })
  .describe("Fires ahead of a target's due time (from the incident's severity) while the target is unmet");

const TRIGGER_HELP =
  `a trigger is an event (${EVENT_TRIGGERS.join(', ')}), a timer { elapsed, since, state, repeat } ` +
  'or a target timer { target, before }';

export const triggerSchema = z.union(
  [z.enum(EVENT_TRIGGERS).describe('An incident event'), timerTriggerSchema, targetTriggerSchema],
  { error: TRIGGER_HELP },
);

const listOrOne = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A condition on one field: a value, a list of values, or an operator object. */
export const matcherSchema = z.union([
  scalar,
  z.array(scalar).min(1),
  z
    .strictObject({
      not: listOrOne(scalar).optional(),
      in: z.array(scalar).optional(),
      gt: z.number().optional(),
      lt: z.number().optional(),
      exists: z.boolean().optional(),
    })
    .refine((o) => Object.keys(o).length > 0, 'an operator object needs not, in, gt, lt or exists'),
]);
export type Matcher = z.infer<typeof matcherSchema>;

export const conditionSchema = z
  .strictObject({
    severity: matcherSchema.optional(),
    type: matcherSchema
      .optional()
      .describe('the incident type (types[].id); an incident without one has none'),
    state: matcherSchema.optional(),
    service: matcherSchema.optional(),
    customerFacing: z.boolean().optional(),
    severityRaised: z
      .boolean()
      .optional()
      .describe('for incident.severity_changed: true when the new severity is more severe than the old'),
    impact: matcherSchema.optional(),
    businessHours: z
      .boolean()
      .optional()
      .describe("true: only in the plan's business hours; false: only outside them"),
    labels: z.record(z.string(), matcherSchema).optional(),
    fields: z.record(z.string(), matcherSchema).optional().describe('any incident field (custom fields)'),
    target: matcherSchema.optional().describe('for target.breached and target timers: which target'),
    role: matcherSchema.optional().describe('for incident.role_assigned: which role'),
    audience: matcherSchema.optional().describe('for update.*: internal or external'),
    openIncidents: z
      .strictObject({
        severityAtLeast: z
          .string()
          .optional()
          .describe('a severity id of the plan: count open incidents this severe or more (default: all)'),
        atLeast: z.number().int().min(1).max(10_000).describe('holds when at least this many are open'),
      })
      .optional()
      .describe(
        'holds when at least atLeast incidents are open (this one included), counting only those of severityAtLeast or more severe',
      ),
  })
  .describe('All given conditions must hold');

const notifySchema = z.strictObject({
  channel: z
    .string()
    .optional()
    .describe("a chat channel such as #service-status, or {incident_channel} (the incident's own)"),
  group: z.string().optional().describe('a team or group such as leadership'),
  user: z.string().optional(),
  role: z.string().optional().describe('whoever holds an incident role'),
  email: z.string().optional().describe('an email address or mailing list'),
  template: z.string().optional().describe('a template id of the plan'),
  message: z.string().optional(),
  via: z.array(z.enum(['email', 'chat', 'push', 'sms', 'phone', 'webhook'])).optional(),
});

const taskSchema = z.union([
  z.string(),
  z.strictObject({ title: z.string(), owner: z.string().optional(), due: planDurationSchema.optional() }),
]);

// Incident columns that only incident operations change (with their own rules, events and audit).
export const RESERVED_FIELDS = [
  'id',
  'severity',
  'state',
  'title',
  'slug',
  'plan_name',
  'plan_version',
  'declared_at',
  'acknowledged_at',
  'triaged_at',
  'resolved_at',
] as const;

export const actionSchema = z.union([
  z.strictObject({ notify: notifySchema }),
  z.strictObject({
    page: z.union([
      z.string(),
      z.strictObject({
        target: z.string(),
        channels: z.array(z.string()).optional(),
        untilResolved: z
          .boolean()
          .optional()
          .describe('keep this page going after an acknowledgement, until the incident is resolved'),
      }),
    ]),
  }),
  z.strictObject({
    post: z.strictObject({
      channel: z.string(),
      template: z.string().optional(),
      message: z.string().optional(),
    }),
  }),
  z.strictObject({ addResponders: z.array(z.string()).min(1) }),
  z.strictObject({
    addChecklistItem: z.union([
      z.string(),
      z.strictObject({ checklist: z.string().default('workflow'), text: z.string() }),
    ]),
  }),
  z.strictObject({
    startChecklist: z.string().min(1).describe("a checklist of the plan's checklists, by name"),
  }),
  z.strictObject({ addTask: taskSchema }),
  z.strictObject({ createActionItem: taskSchema }),
  z.strictObject({
    setStatusPageComponent: z.strictObject({
      component: z.string().describe('a status page component by name, with {placeholders}'),
      status: z.enum(COMPONENT_STATUSES).describe('its Statuspage status; the incident lists the component'),
    }),
  }),
  z.strictObject({
    webhook: z.strictObject({
      url: z.string().refine(placeholdersOnlyInPathOrQuery, {
        message:
          'placeholders are allowed only in the URL’s path or query, never in its scheme, host or port',
      }),
      template: z.string().optional(),
    }),
  }),
  z.strictObject({
    setField: z.strictObject({
      field: z
        .string()
        .min(1)
        .refine((f) => !(RESERVED_FIELDS as readonly string[]).includes(f), {
          message: `${RESERVED_FIELDS.join(', ')} are changed by incident operations, not by setField`,
        })
        .describe('a custom field, labels.<name>, or one of impact, service, summary, customer_facing'),
      value: scalar,
    }),
  }),
  z.strictObject({ note: z.string() }),
  z.strictObject({ remind: z.strictObject({ role: z.string().optional(), message: z.string() }) }),
]);

export const workflowSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .refine(
      (n) => !n.startsWith('plan:'),
      'names starting with "plan:" are kept for rules compiled from the plan',
    )
    .describe('unique within the plan: a workflow fires at most once per trigger under its name'),
  description: z.string().optional(),
  when: triggerSchema,
  if: conditionSchema.optional(),
  then: z.array(actionSchema).min(1),
});

export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowTrigger = z.infer<typeof triggerSchema>;
export type WorkflowAction = z.infer<typeof actionSchema>;
export type WorkflowCondition = z.infer<typeof conditionSchema>;
export type TimerTrigger = z.infer<typeof timerTriggerSchema>;
export type TargetTrigger = z.infer<typeof targetTriggerSchema>;
export type TargetName = (typeof TARGET_NAMES)[number];
