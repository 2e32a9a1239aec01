import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { URGENCIES } from '../incidents/inputs.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';

// Services own alerts: each has integrations (inbound keys) and the rules that turn its alerts into
// incidents under its plan.

export const INTEGRATION_TYPES = [
  'pagerduty',
  'alertmanager',
  'grafana',
  'datadog',
  'sentry',
  'webhook',
  'heartbeat',
  'email',
  'deploy',
] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const nameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-", up to 63 characters');

/** Provider severities every inbound format is normalised to (PagerDuty's four). */
export const ALERT_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const serviceRulesSchema = z
  .strictObject({
    // partialRecord: zod 4's record over an enum would demand all four keys.
    severity: z
      .partialRecord(z.enum(ALERT_SEVERITIES), z.string().min(1))
      .optional()
      .describe('alert severity → plan severity; default: critical → the plan’s first, error → second, …'),
    severityLabel: z
      .string()
      .optional()
      .describe('a label whose value names the plan severity directly (e.g. tocsin_severity)'),
    type: z
      .string()
      .min(1)
      .optional()
      .describe(
        "the plan's incident type (types[].id) of incidents this service's alerts declare, e.g. security",
      ),
    typeLabel: z
      .string()
      .optional()
      .describe('a label whose value names the incident type directly (e.g. tocsin_type); wins over `type`'),
    urgency: z
      .enum(URGENCIES)
      .default('high')
      .describe(
        'urgency of incidents these alerts declare: high pages as the plan says, low pages best effort',
      ),
    urgencyFrom: z
      .strictObject({
        label: z.string().min(1).describe('the alert label to read (e.g. priority)'),
        low: z.array(z.string().min(1)).min(1).describe('values of that label that mean low urgency'),
        high: z.array(z.string().min(1)).default([]).describe('values that mean high urgency'),
      })
      .optional()
      .describe('urgency from an alert label, e.g. {label: priority, low: [P4, P5]}; wins over `urgency`'),
    declare: z
      .enum(ALERT_SEVERITIES)
      .default('error')
      .describe('the least alert severity that opens an incident; lower ones are recorded only'),
    groupWindow: durationSchema
      .optional()
      .describe('alerts of this service within this window of an open incident join it'),
    groupBy: z.array(z.string()).default([]).describe('labels whose equal values join an open incident'),
    grace: durationSchema
      .optional()
      .describe('self-healing grace: an alert resolved within it opens no incident and pages nobody'),
    autoResolve: durationSchema.optional().describe('resolve an alert not seen again for this long'),
    correlationLabel: z
      .string()
      .min(1)
      .default('correlation_id')
      .describe('a label whose value becomes the correlation id of an incident the alert declares'),
    resolveIncidentWithAlerts: z
      .boolean()
      .default(false)
      .describe(
        'resolve an incident when every alert that fed it is resolved; default: only note it in the timeline (people decide)',
      ),
    onIncidentResolved: z
      .enum(['resolve', 'detach'])
      .default('resolve')
      .describe(
        'what resolving an incident does to its open alerts of this service: resolve them, or detach them ' +
          '(they stay triggered, linked to no incident; their next trigger opens a new incident and pages)',
      ),
  })
  .describe('How this service’s alerts become incidents');
export type ServiceRules = z.infer<typeof serviceRulesSchema>;

export const serviceInputSchema = z.strictObject({
  name: nameSchema,
  description: z.string().max(2000).default(''),
  team: nameSchema.nullish(),
  plan: z.string().min(1).max(63).nullish(),
  escalation_policy: z.string().min(1).max(100).nullish(),
  rules: serviceRulesSchema.prefault({}),
});
export type ServiceInput = z.input<typeof serviceInputSchema>;

export const integrationKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9]{32}$/, 'an integration key is 32 letters or digits');

export const integrationInputSchema = z.strictObject({
  service: nameSchema,
  type: z.enum(INTEGRATION_TYPES),
  name: nameSchema.optional().describe('default: the type'),
  key: integrationKeySchema.optional().describe('default: generated'),
  config: z.record(z.string(), z.unknown()).default({}).describe('type-specific settings'),
});
export type IntegrationInput = z.input<typeof integrationInputSchema>;

export type Service = Row<'services'>;
export type Integration = Row<'integrations'>;

/** 32 hex characters, like a PagerDuty routing key. */
export function newIntegrationKey(): string {
  return randomBytes(16).toString('hex');
}

/** Where a sender posts for this integration (for the `url` people paste into the sender). */
export function integrationUrl(publicUrl: string, type: string, key: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  switch (type) {
    case 'pagerduty':
      return `${base}/v2/enqueue`;
    case 'heartbeat':
      return `${base}/api/v1/heartbeats/${key}`;
    case 'email':
      return `mailto:${key}@${new URL(base).hostname}`;
    default:
      return `${base}/api/v1/integrations/${type}/${key}`;
  }
}
