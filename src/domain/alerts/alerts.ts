import type { Row } from '../../db/schema.ts';
import type { AlertSeverity } from '../services/services.ts';

// What every inbound format is normalised to before it touches the store.
export interface InboundAlertEvent {
  action: 'trigger' | 'acknowledge' | 'resolve';
  /** ≤ 255 characters; formats without one derive it (fingerprint, issue id, …). */
  dedupKey: string;
  summary?: string | undefined;
  source?: string | undefined;
  severity?: AlertSeverity | undefined;
  component?: string | undefined;
  group?: string | undefined;
  class?: string | undefined;
  labels?: Record<string, string> | undefined;
  details?: unknown;
  links?: { href: string; text?: string | undefined }[] | undefined;
  images?: unknown[] | undefined;
  /** When the problem started, if the source says (MTTD is measured from it). */
  startedAt?: Date | null | undefined;
  raw: unknown;
}

export type IngestOutcome = 'created' | 'deduplicated' | 'acknowledged' | 'resolved' | 'ignored';

export interface IngestResult {
  dedup_key: string;
  alert_id: string | null;
  outcome: IngestOutcome;
}

export type Alert = Row<'alerts'>;

export const MAX_DEDUP_KEY = 255;

/** The public view of an alert (the raw payload only on request: it can be large). */
export function publicAlert(a: Alert, withRaw = false) {
  const { raw, ...rest } = a;
  return withRaw ? { ...rest, raw } : rest;
}
