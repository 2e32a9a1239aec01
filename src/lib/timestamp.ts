import { z } from 'zod';

// Timestamps senders give (PagerDuty events and change events, deploy webhooks).
/**
 * ISO 8601 with a time zone. Wider than zod's datetime: PagerDuty documents (and its clients send)
 * offsets without a colon, as in 2020-07-17T08:42:58.315+0000.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** The instant a timestamp names, or null if it is not an ISO 8601 timestamp with a time zone. */
export function parseTimestamp(text: string): Date | null {
  if (!ISO_TIMESTAMP.test(text)) return null;
  // Date understands ±hh:mm; write ±hhmm and ±hh that way.
  const normalised = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2').replace(/([+-]\d{2})$/, '$1:00');
  const at = new Date(normalised);
  return Number.isNaN(at.getTime()) ? null : at;
}

export const timestampSchema = z
  .string()
  .refine((t) => parseTimestamp(t) !== null, 'must be an ISO 8601 timestamp with a time zone');
