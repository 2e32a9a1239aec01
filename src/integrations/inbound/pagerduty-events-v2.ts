import { z } from 'zod';
import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import { ALERT_SEVERITIES } from '../../domain/services/services.ts';
import { parseTimestamp, timestampSchema } from '../../lib/timestamp.ts';
import { type ParseResult, pathOf } from './inbound.ts';

// PagerDuty Events API v2 (POST /v2/enqueue), as PagerDuty documents it, so its client libraries
// and every tool that speaks it work unchanged against Tocsin.

const text = (max: number) => z.string().max(max);

const payloadSchema = z.object({
  summary: z.string().trim().min(1, 'is missing or blank').max(1024),
  source: z.string().trim().min(1, 'is missing or blank').max(255),
  severity: z.enum(ALERT_SEVERITIES, 'must be one of critical, error, warning, info'),
  timestamp: timestampSchema.optional(),
  component: text(255).optional(),
  group: text(255).optional(),
  class: text(255).optional(),
  custom_details: z.unknown().optional(),
});

const linkSchema = z.object({ href: z.string().min(1).max(2048), text: z.string().max(1024).optional() });
const imageSchema = z.object({
  src: z.string().min(1).max(2048),
  href: z.string().optional(),
  alt: z.string().optional(),
});

export const pagerDutyEventSchema = z.object({
  routing_key: z.string('is missing').min(1, 'is missing or blank'),
  event_action: z.enum(
    ['trigger', 'acknowledge', 'resolve'],
    "must be one of 'trigger', 'acknowledge' or 'resolve'",
  ),
  dedup_key: z.string().min(1).max(255, 'must be at most 255 characters').optional(),
  payload: payloadSchema.optional(),
  images: z.array(imageSchema).max(50).optional(),
  links: z.array(linkSchema).max(50).optional(),
  client: z.string().max(1024).optional(),
  client_url: z.string().max(2048).optional(),
});
export type PagerDutyEvent = z.infer<typeof pagerDutyEventSchema>;

export type PagerDutyParse =
  | { ok: true; routingKey: string; event: PagerDutyEvent }
  | { ok: false; errors: string[] };

/** Validates the envelope; errors read like PagerDuty's ("'payload.summary' is missing or blank"). */
export function parsePagerDutyEnvelope(body: unknown): PagerDutyParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: ['Event object must be a JSON object'] };
  }
  const parsed = pagerDutyEventSchema.safeParse(body);
  const errors = parsed.success ? [] : parsed.error.issues.map((i) => `'${pathOf(i.path)}' ${i.message}`);
  if (parsed.success) {
    const e = parsed.data;
    if (e.event_action === 'trigger' && !e.payload) errors.push("'payload' is missing");
    if (e.event_action !== 'trigger' && !e.dedup_key)
      errors.push("'dedup_key' is missing (required to acknowledge or resolve)");
  }
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, routingKey: parsed.data.routing_key, event: parsed.data };
}

function withoutRoutingKey(e: PagerDutyEvent): Omit<PagerDutyEvent, 'routing_key'> {
  const { routing_key: _secret, ...rest } = e;
  return rest;
}

/** The normalised event; a trigger without dedup_key gets a generated one (returned to the sender). */
export function toAlertEvent(e: PagerDutyEvent, generateKey: () => string): ParseResult {
  const p = e.payload;
  const event: InboundAlertEvent = {
    action: e.event_action,
    dedupKey: e.dedup_key ?? generateKey(),
    summary: p?.summary,
    source: p?.source,
    severity: p?.severity,
    component: p?.component,
    group: p?.group,
    class: p?.class,
    details: p?.custom_details,
    links: e.links,
    images: e.images,
    startedAt: p?.timestamp ? parseTimestamp(p.timestamp) : null,
    // The routing key is the sender's secret: it is not kept with the payload anyone may read.
    raw: withoutRoutingKey(e),
  };
  return { ok: true, events: [event] };
}
