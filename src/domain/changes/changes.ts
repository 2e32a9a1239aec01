import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { parseTimestamp, timestampSchema } from '../../lib/timestamp.ts';
import { nameSchema } from '../services/services.ts';

export { parseTimestamp, timestampSchema };

// Changes: deploys and configuration changes, recorded per service. They raise nothing; an incident
// shows the recent changes of its services, because "review recent deployments" is where three of
// the seed plans start their investigation.

export const changeLinkSchema = z.object({
  href: z.string().min(1).max(2048),
  text: z.string().max(1024).optional(),
});

/** A change as every sender's format is normalised to it. */
export interface ChangeEvent {
  /** Another service than the integration's (the deploy webhook may name the service it deployed). */
  service?: string | undefined;
  summary: string;
  source: string;
  version: string | null;
  environment: string | null;
  /** When it happened, if the sender says; otherwise when it arrived. */
  happenedAt: Date | null;
  details: unknown;
  links: { href: string; text?: string | undefined }[];
  raw: unknown;
}

/** Body of POST /api/v1/integrations/deploy/:key (a CI pipeline's last step). */
export const deployWebhookSchema = z
  .strictObject({
    service: nameSchema.optional().describe('the service deployed; default: the integration’s service'),
    version: z.string().trim().min(1).max(255).optional().describe('what was deployed: a tag, a commit'),
    environment: z.string().trim().min(1).max(255).optional().describe('e.g. production'),
    summary: z
      .string()
      .trim()
      .min(1)
      .max(1024)
      .optional()
      .describe('default: "Deployed <service> <version> to <environment>"'),
    url: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .max(2048)
      .optional()
      .describe('the pipeline run or release notes'),
    timestamp: timestampSchema.optional().describe('when it happened (default: on arrival)'),
    details: z.record(z.string(), z.unknown()).optional().describe('anything else worth showing'),
  })
  .refine((b) => b.summary !== undefined || b.version !== undefined, {
    message: 'give a summary or a version',
    path: ['summary'],
  });
export type DeployWebhook = z.output<typeof deployWebhookSchema>;

export function deployToChange(body: DeployWebhook): ChangeEvent {
  return {
    service: body.service,
    // Filled in once the service is known (see deploySummary).
    summary: body.summary ?? '',
    // Filled in with the integration's name (e.g. github-actions).
    source: '',
    version: body.version ?? null,
    environment: body.environment ?? null,
    happenedAt: body.timestamp ? parseTimestamp(body.timestamp) : null,
    details: body.details ?? {},
    links: body.url ? [{ href: body.url, text: 'Deployment' }] : [],
    raw: body,
  };
}

/** "Deployed checkout 1.4.2 to production", for deploy webhooks that send no summary. */
export function deploySummary(service: string, version: string | null, environment: string | null): string {
  return ['Deployed', service, version, environment ? `to ${environment}` : null].filter(Boolean).join(' ');
}

export const DEFAULT_INCIDENT_WINDOW_HOURS = 24;

export const listChangesQuerySchema = z.strictObject({
  service: nameSchema.optional(),
  since: timestampSchema.optional().describe('only changes at or after this time'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ListChangesInput = z.input<typeof listChangesQuerySchema>;

export const incidentChangesQuerySchema = z.strictObject({
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(DEFAULT_INCIDENT_WINDOW_HOURS)
    .describe('how far before the declaration to look'),
});

export type ChangeRow = Row<'changes'> & { service_name: string };

export function publicChange(c: ChangeRow) {
  return {
    id: c.id,
    service: c.service_name,
    summary: c.summary,
    source: c.source,
    version: c.version,
    environment: c.environment,
    happened_at: c.happened_at,
    received_at: c.received_at,
    details: c.details,
    links: c.links,
  };
}
