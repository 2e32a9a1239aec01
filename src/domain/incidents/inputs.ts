import { z } from 'zod';
import { cursorParam } from '../../lib/cursor.ts';
import { isDuration } from '../../lib/duration.ts';
import { handleSchema } from '../users/handle.ts';

// Inputs of the incident operations, in the API's snake_case (zod-only imports: the web console
// validates its forms with these schemas too). Routes validate request bodies with
// these schemas and the operations parse their input with them again, so the CLI, drills and the
// workflow engine get the same checks as HTTP callers.

// PostgreSQL refuses NUL in text and lone surrogates in jsonb: refuse them here, as a 400.
// With the u flag a lone surrogate is a code point of category Cs; a proper pair is not.
export const isText = (s: string): boolean => !s.includes('\u0000') && !/\p{Cs}/u.test(s);
const str = () => z.string().refine(isText, 'must be text without NUL characters or broken Unicode');

const title = str().trim().min(1).max(200);
const text = str().max(10_000);
const requiredText = str().trim().min(1).max(10_000);
const key = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, 'letters, digits, ".", "_", "/" or "-", up to 100 characters');
const labelValue = str().max(500);
const fieldValue = z.union([str().max(2000), z.number(), z.boolean()]);
const language = str().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am');
const stateId = str().min(1).max(100);
const severityId = str().min(1).max(100);
const maxEntries =
  (n: number) =>
  (m: Record<string, unknown>): boolean =>
    Object.keys(m).length <= n;

/** An incident's urgency (issue 11 §3.9), separate from its severity. */
export const URGENCIES = ['high', 'low'] as const;
export type Urgency = (typeof URGENCIES)[number];

export const incidentIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,17}$/, 'an incident id is a positive integer')
  .describe('Incident id');

export const declareIncidentSchema = z.strictObject({
  title,
  plan: str().min(1).max(63).optional().describe('default: the only plan, when exactly one exists'),
  severity: severityId
    .optional()
    .describe("a severity id of the plan; omitted: the plan's unknownSeverity rule decides (else 400)"),
  summary: text.default(''),
  impact: text.default(''),
  service: str().trim().min(1).max(200).nullish(),
  customer_facing: z.boolean().default(false),
  type: str().min(1).max(100).optional().describe('an incident type of the plan (types[].id)'),
  confidential: z
    .boolean()
    .optional()
    .describe("confidential: seen only by admins, its responders and the plan's confidential.visibleTo"),
  code_name: str()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe("a confidential incident's name outside (default: the plan's confidential.codeName)"),
  urgency: z
    .enum(URGENCIES)
    .default('high')
    .describe('high pages as the plan says; low pages best effort (first step, nothing that rings)'),
  labels: z.record(key, labelValue).refine(maxEntries(50), 'at most 50 labels').default({}),
  fields: z.record(key, fieldValue).refine(maxEntries(50), 'at most 50 fields').default({}),
  correlation_id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'letters, digits, ".", "_", ":" or "-"')
    .optional()
    .describe('default: inc-<id>-<random>'),
  detected_at: z.iso.datetime({ offset: true }).optional().describe('when the problem was first noticed'),
  exercise: z
    .boolean()
    .default(false)
    .describe('an exercise: its title (so every page and message) says [EXERCISE]; reports leave it out'),
});
export type DeclareIncidentInput = z.input<typeof declareIncidentSchema>;

export const acknowledgeBodySchema = z.strictObject({});
export const triageBodySchema = z.strictObject({
  severity: severityId.optional().describe('the confirmed severity; a change is recorded'),
  summary: text.optional(),
  impact: text.optional(),
  reason: str().trim().min(1).max(2000).optional().describe('why the severity changed at triage'),
});
const typeId = str().min(1).max(100);
export const typeBodySchema = z.strictObject({
  type: typeId.nullable().describe('a types[].id of the plan; null clears the type'),
  reason: str().trim().min(1).max(2000),
});
export const urgencyBodySchema = z.strictObject({
  urgency: z.literal('high', { error: 'urgency can only be raised to high' }),
  reason: str().trim().max(2000).default('urgency raised'),
});
export const severityBodySchema = z.strictObject({
  severity: severityId,
  reason: str().trim().min(1).max(2000),
});
export const transitionBodySchema = z.strictObject({
  to: stateId.describe('a lifecycle state of the plan'),
  reason: str().max(2000).optional(),
});
export const resolveBodySchema = z.strictObject({
  resolution: str().max(10_000).optional().describe('what fixed it'),
});
export const assignRoleBodySchema = z.strictObject({
  role: str().min(1).max(100).describe('a role id of the plan'),
  user: handleSchema,
});
export const noteBodySchema = z.strictObject({ text: requiredText });
export const affectedUsersBodySchema = z.strictObject({
  emails: z
    .array(z.email().max(254))
    .min(1)
    .max(10_000)
    .describe('email addresses of customers the incident affects (a plan group with customers: affected)'),
});
export const hypothesisBodySchema = z.strictObject({
  statement: requiredText,
  test_plan: text.default(''),
});
export const hypothesisPatchSchema = z
  .strictObject({
    status: z.enum(['proposed', 'confirmed', 'rejected']).optional(),
    result: text.optional().describe('what the test showed; required to confirm or reject'),
    statement: requiredText.optional(),
    test_plan: text.optional(),
  })
  .refine((o) => Object.keys(o).length > 0, 'nothing to change');
export const checklistItemBodySchema = z.strictObject({
  text: str().trim().min(1).max(2000),
  checklist: key.default('adhoc').describe('the checklist to add to'),
});
export const checklistItemPatchSchema = z.strictObject({ done: z.boolean() });
export const mitigationBodySchema = z.strictObject({
  steps: z.array(str().trim().min(1).max(2000)).min(1).max(100),
  risk: str().max(5000).default(''),
  rollback: str().max(10_000).default('').describe('how to undo the mitigation'),
  agreed_by: z.array(handleSchema).max(50).default([]).describe('handles of who agreed'),
  mitigated: z.boolean().optional().describe('true: the mitigation is in place (marks mitigated_at)'),
});
export const responderBodySchema = z.strictObject({
  responder: str()
    .trim()
    .min(1)
    .max(200)
    .describe(
      'who joins, and is paged: a plan group or role, schedule:<name> (whoever is on call), team:<name> or user:<handle>',
    ),
  user: handleSchema.optional(),
  reason: str().max(2000).default(''),
});
export const updateStatusSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,49}$/, 'a state id such as identified')
  .describe(
    'the update’s own status: a lifecycle state of the plan or investigating, identified, monitoring, resolved; default: the incident’s state',
  );

export const publishUpdateBodySchema = z.strictObject({
  audience: z.enum(['internal', 'external']),
  bodies: z
    .record(language, str().max(20_000))
    .refine((m) => Object.keys(m).length > 0, 'at least one language')
    .describe('the text per language code; external updates need every language of the plan'),
  status: updateStatusSchema.optional(),
  guard_override_reason: str()
    .max(2000)
    .optional()
    .describe(
      'publish external text that matched a guard rail (internal hostname, IP, email, token, stack trace) anyway, and why',
    ),
  next_update: z
    .string()
    .refine((v) => isDuration(v) || !Number.isNaN(Date.parse(v)), 'a duration such as 45m, or a date-time')
    .optional()
    .describe(
      'when the next update of this audience comes: a duration from now (45m) or an ISO date-time; ' +
        'it is due then (reminders and overdue marks follow it) instead of at the plan cadence',
    ),
});
export const incidentPatchSchema = z
  .strictObject({
    title: title.optional(),
    summary: text.optional(),
    impact: text.optional(),
    service: str().trim().min(1).max(200).nullable().optional(),
    customer_facing: z.boolean().optional(),
    labels: z
      .record(key, labelValue.nullable())
      .refine(maxEntries(50), 'at most 50 labels')
      .optional()
      .describe('merged into the labels; null removes one'),
    fields: z
      .record(key, fieldValue.nullable())
      .refine(maxEntries(50), 'at most 50 fields')
      .optional()
      .describe('custom fields, merged; null removes one'),
  })
  .refine((o) => Object.keys(o).length > 0, 'nothing to change');

export const listIncidentsQuerySchema = z.strictObject({
  state: z.enum(['open', 'resolved', 'all']).default('all'),
  severity: severityId.optional(),
  type: str().min(1).max(100).optional().describe('the incident type (types[].id)'),
  plan: str().min(1).max(63).optional(),
  service: str().min(1).max(200).optional().describe("the incident's service"),
  team: str().min(1).max(100).optional().describe("the team owning the incident's service"),
  mine: z
    .enum(['true', 'false'])
    .default('false')
    .describe('true: incidents where the caller holds a role, responds or was paged'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  cursor: cursorParam,
});

/** Operation inputs: the incident's id plus the request body's fields. */
export const linkBodySchema = z.strictObject({
  incident_id: incidentIdSchema.describe('The incident to link this one to'),
});

export const mergeBodySchema = z.strictObject({
  into: incidentIdSchema.describe('The incident that takes this one over (its alerts, its timeline note)'),
  reason: str().trim().max(2000).optional(),
});

type For<S extends z.ZodType> = { incidentId: string } & z.input<S>;
export type AcknowledgeIncidentInput = { incidentId: string };
export type TriageIncidentInput = For<typeof triageBodySchema>;
export type ChangeSeverityInput = For<typeof severityBodySchema>;
export type ChangeTypeInput = For<typeof typeBodySchema>;
export type RaiseUrgencyInput = For<typeof urgencyBodySchema>;
export type TransitionIncidentInput = For<typeof transitionBodySchema>;
export type ResolveIncidentInput = For<typeof resolveBodySchema>;
export type AssignRoleInput = For<typeof assignRoleBodySchema>;
export type AddNoteInput = For<typeof noteBodySchema>;
/** otherId: the incident linked to (body incident_id, or the :other of an unlink). */
export type MergeIncidentInput = For<typeof mergeBodySchema>;
export type LinkIncidentsInput = { incidentId: string; otherId: string };
export type AddAffectedUsersInput = For<typeof affectedUsersBodySchema>;
export type AddHypothesisInput = For<typeof hypothesisBodySchema>;
export type UpdateHypothesisInput = For<typeof hypothesisPatchSchema> & { hypothesisId: string };
export type AddChecklistItemInput = For<typeof checklistItemBodySchema>;
export type CompleteChecklistItemInput = For<typeof checklistItemPatchSchema> & { itemId: string };
export type SetMitigationInput = For<typeof mitigationBodySchema>;
/** source: who added it ('manual' by default; the workflow engine passes 'workflow'). */
export type AddResponderInput = For<typeof responderBodySchema> & { source?: string };
export type PublishUpdateInput = For<typeof publishUpdateBodySchema>;
export type UpdateIncidentInput = For<typeof incidentPatchSchema>;
export type ListIncidentsInput = z.input<typeof listIncidentsQuerySchema>;
