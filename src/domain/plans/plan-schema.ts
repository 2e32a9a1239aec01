import { z } from 'zod';
import { durationSchema, workflowSchema } from '../workflows/workflow-schema.ts';

// The plan file format (apiVersion tocsin.dev/v1, kind Plan). Every rule of a team's incident
// response plan is data here. docs/plan-reference.md and docs/plan.schema.json are generated from
// this file (npm run docs:plan); a test fails when they drift.

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"');
const text = z.string().min(1);

export const TARGET_KINDS = [
  'acknowledge',
  'triage',
  'firstUpdate',
  'statusPage',
  'mitigate',
  'resolve',
] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const targetsSchema = z
  .strictObject({
    acknowledge: durationSchema.optional().describe('from declaration to acknowledgement'),
    triage: durationSchema.optional().describe('from declaration to triage (severity confirmed, owner set)'),
    firstUpdate: durationSchema.optional().describe('from declaration to the first published update'),
    statusPage: durationSchema
      .optional()
      .describe('from declaration to the first external (status page) update'),
    mitigate: durationSchema.optional().describe('from declaration to mitigation'),
    resolve: durationSchema.optional().describe('from declaration to resolution'),
  })
  .describe('Response targets, each measured from declaration');

export const severitySchema = z.strictObject({
  id,
  title: text,
  description: z.string().optional(),
  criteria: z.array(text).default([]).describe('When an incident is of this severity'),
  examples: z.array(text).default([]),
  targets: targetsSchema.default({}),
  cadence: z
    .strictObject({ internal: durationSchema.optional(), external: durationSchema.optional() })
    .default({})
    .describe('How often updates are due while the incident is open'),
  responders: z.array(text).default([]).describe('Who joins an incident of this severity'),
  postmortem: z
    .strictObject({ required: z.boolean().default(false), due: durationSchema.optional() })
    .default({ required: false }),
});

export const roleSchema = z.strictObject({
  id,
  title: text,
  duties: z.array(text).default([]),
});

export const lifecycleSchema = z
  .strictObject({
    states: z
      .array(z.strictObject({ id, title: z.string().optional(), description: z.string().optional() }))
      .min(2),
    initial: id.optional().describe('default: the first state'),
    resolved: id.optional().describe('the terminal state; default: the last state'),
    transitions: z
      .record(z.string(), z.array(id))
      .optional()
      .describe('allowed next states per state; default: any other state, and reopening from resolved'),
  })
  .describe('Incident states, in order');

export const planSchema = z.strictObject({
  apiVersion: z.literal('tocsin.dev/v1'),
  kind: z.literal('Plan'),
  metadata: z.strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-"'),
    title: z.string().optional(),
    description: z.string().optional(),
    owner: z.string().optional(),
  }),
  languages: z
    .array(z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am'))
    .min(1)
    .default(['en']),
  severities: z.array(severitySchema).min(1),
  roles: z.array(roleSchema).default([]),
  lifecycle: lifecycleSchema,
  channel: z
    .strictObject({ name: text.describe('pattern with {date}, {slug}, {id}, {severity}') })
    .optional(),
  checklists: z
    .record(z.string(), z.array(text))
    .default({})
    .describe('Checklists instantiated on declaration (declare) or by name'),
  links: z
    .record(z.string(), text)
    .default({})
    .describe('URL templates such as dashboards, with {correlation_id} and other placeholders'),
  workflows: z.array(workflowSchema).default([]),
});

export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
export type Severity = z.infer<typeof severitySchema>;
