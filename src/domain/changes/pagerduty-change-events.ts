import { z } from 'zod';
import { type ChangeEvent, changeLinkSchema, parseTimestamp, timestampSchema } from './changes.ts';

// PagerDuty Change Events v2 (POST /v2/change/enqueue), as PagerDuty documents it: routing_key,
// payload {summary (required, ≤ 1024), source, timestamp, custom_details}, links. Unknown fields are
// ignored, as PagerDuty does, so its client libraries and CI plugins work unchanged.

const changeEventSchema = z.object({
  routing_key: z.string('is missing').min(1, 'is missing or blank'),
  payload: z.object(
    {
      summary: z.string('is missing').trim().min(1, 'is missing or blank').max(1024, 'is longer than 1024'),
      source: z.string().max(255).optional(),
      timestamp: timestampSchema.optional(),
      custom_details: z.unknown().optional(),
    },
    'is missing',
  ),
  links: z.array(changeLinkSchema).max(50).optional(),
});

export type ChangeEventParse =
  | { ok: true; routingKey: string; change: ChangeEvent }
  | { ok: false; errors: string[] };

/** Errors read like PagerDuty's ("'payload.summary' is missing or blank"). */
export function parseChangeEvent(body: unknown): ChangeEventParse {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: ['Event object must be a JSON object'] };
  }
  const parsed = changeEventSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((i) => `'${i.path.map(String).join('.') || '(body)'}' ${i.message}`),
    };
  }
  const { routing_key, payload, links } = parsed.data;
  // The key is a secret: it is not kept with the change.
  const { routing_key: _key, ...raw } = body as Record<string, unknown>;
  return {
    ok: true,
    routingKey: routing_key,
    change: {
      summary: payload.summary,
      source: payload.source ?? '',
      version: null,
      environment: null,
      happenedAt: payload.timestamp ? parseTimestamp(payload.timestamp) : null,
      details: payload.custom_details ?? {},
      links: links ?? [],
      raw,
    },
  };
}
