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

/**
 * An alert whose incident the reader may not see (confidential) keeps everything but the link: the
 * alert itself stays listed and actionable (on-call still sees what fires and can ack it), only the
 * incident it feeds is not named — its id, the one it was detached from, and the id in its routing
 * ("declared:42" becomes "declared").
 */
export function unlinkHidden<T extends Pick<Alert, 'incident_id' | 'detached_from' | 'routing'>>(
  a: T,
  hidden: ReadonlySet<string>,
): T {
  if (hidden.size === 0) return a;
  const hide = (id: string | null) => (id !== null && hidden.has(id) ? null : id);
  return {
    ...a,
    incident_id: hide(a.incident_id),
    detached_from: hide(a.detached_from),
    routing: a.routing === null ? null : unlinkRouting(a.routing, hidden),
  };
}

/** A routing decision or event data without the id of a hidden incident. */
export function unlinkRouting(routing: string, hidden: ReadonlySet<string>): string {
  const [how, id] = routing.split(':');
  return how !== undefined && id !== undefined && hidden.has(id) ? how : routing;
}

/** The public view of an alert (the raw payload only on request: it can be large). */
export function publicAlert(a: Alert, withRaw = false) {
  const { raw, ...rest } = a;
  return withRaw ? { ...rest, raw } : rest;
}

/** An alert event's data without the id of a hidden incident (routing, detach and resolve events name it). */
export function unlinkEventData(data: unknown, hidden: ReadonlySet<string>): unknown {
  if (hidden.size === 0 || data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  const out: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  if (typeof out.incident_id === 'string' && hidden.has(out.incident_id)) out.incident_id = null;
  if (typeof out.routing === 'string') out.routing = unlinkRouting(out.routing, hidden);
  if (typeof out.reason === 'string') {
    out.reason = out.reason.replace(/\bincident (\d+)\b/g, (whole, id: string) =>
      hidden.has(id) ? 'its incident' : whole,
    );
  }
  return out;
}
