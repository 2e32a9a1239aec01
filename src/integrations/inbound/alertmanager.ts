import { z } from 'zod';
import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import type { InboundFormat, ParseResult } from './inbound.ts';
import {
  clip,
  firstText,
  isRecord,
  issueMessages,
  labelsFingerprint,
  labelsFrom,
  linkOf,
  severityFrom,
  text,
  timeFrom,
} from './normalise.ts';

// Prometheus Alertmanager's webhook (payload version 4), and the shape Grafana's unified alerting
// copies. Alertmanager re-sends the whole group every group_interval, and the group's status stays
// `firing` while some of its alerts are already resolved: each alert's own status decides, and each
// alert deduplicates on its fingerprint, so re-sent groups only bump counts.

/** More alerts than this in one body is not a notification but a flood; split it. */
export const MAX_ALERTS_PER_BODY = 5000;

const stringMap = z.record(z.string(), z.string(), 'must be an object of strings').default({});

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved'], "must be 'firing' or 'resolved'"),
  labels: stringMap,
  annotations: stringMap,
  startsAt: z.string().optional(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});
type GroupAlert = z.infer<typeof alertSchema>;

const groupSchema = z.object({
  version: z.string().optional(),
  status: z.string().optional(),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  externalURL: z.string().optional(),
  commonLabels: stringMap,
  alerts: z
    .array(z.unknown(), "is missing (an Alertmanager-style payload has an 'alerts' array)")
    .max(MAX_ALERTS_PER_BODY, `holds more than ${MAX_ALERTS_PER_BODY} alerts`),
});
type Group = z.infer<typeof groupSchema>;

/** What differs between Alertmanager and Grafana (Grafana adds links, values and images). */
export interface AlertGroupFlavour {
  /** Names the sender in error messages and is the source when labels name none. */
  name: string;
  /** The payload version this sender writes, checked when the body states one. */
  version?: string;
  externalUrlText: string;
  extra?(alert: Record<string, unknown>, group: Record<string, unknown>): Partial<InboundAlertEvent>;
}

/** Turns an Alertmanager-style group into one event per alert. Total: never throws. */
export function parseAlertGroup(body: unknown, flavour: AlertGroupFlavour): ParseResult {
  if (!isRecord(body)) {
    return { ok: false, errors: [`the body must be a JSON object (a ${flavour.name} webhook payload)`] };
  }
  const group = groupSchema.safeParse(body);
  if (!group.success) return { ok: false, errors: issueMessages(group.error) };
  if (flavour.version && group.data.version !== undefined && group.data.version !== flavour.version) {
    return {
      ok: false,
      errors: [`'version' must be "${flavour.version}" (the ${flavour.name} webhook payload version)`],
    };
  }
  const events: InboundAlertEvent[] = [];
  const errors: string[] = [];
  group.data.alerts.forEach((raw, i) => {
    const alert = alertSchema.safeParse(raw);
    if (!alert.success) {
      errors.push(...issueMessages(alert.error, ['alerts', i]));
      return;
    }
    events.push(toEvent(alert.data, isRecord(raw) ? raw : {}, group.data, body, flavour));
  });
  // One bad alert refuses the whole body: the sender retries it whole, so nothing is half-applied.
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, 20) } : { ok: true, events };
}

function toEvent(
  alert: GroupAlert,
  raw: Record<string, unknown>,
  group: Group,
  body: Record<string, unknown>,
  flavour: AlertGroupFlavour,
): InboundAlertEvent {
  const labels = { ...group.commonLabels, ...alert.labels };
  const a = alert.annotations;
  const extra = flavour.extra?.(raw, body) ?? {};
  return {
    action: alert.status === 'firing' ? 'trigger' : 'resolve',
    // Alertmanager < 0.19 sent no fingerprint: compute the one it would have sent.
    dedupKey: text(alert.fingerprint) ?? labelsFingerprint(alert.labels),
    summary: clip(firstText(a.summary, a.description, a.message, labels.alertname, extra.summary)),
    source: firstText(labels.instance, labels.job, flavour.name),
    severity: severityFrom(labels.severity) ?? 'error',
    component: text(labels.job),
    class: text(labels.alertname),
    labels: labelsFrom(labels),
    details: { annotations: a, receiver: group.receiver, group_key: group.groupKey, ...extraDetails(extra) },
    links: [
      ...linkOf(alert.generatorURL, 'Source'),
      ...(extra.links ?? []),
      ...linkOf(group.externalURL, flavour.externalUrlText),
    ],
    images: extra.images,
    startedAt: timeFrom(alert.startsAt) ?? null,
    raw,
  };
}

function extraDetails(extra: Partial<InboundAlertEvent>): Record<string, unknown> {
  return isRecord(extra.details) ? extra.details : {};
}

export const alertmanagerFormat: InboundFormat = {
  type: 'alertmanager',
  parse: (body) =>
    parseAlertGroup(body, { name: 'Alertmanager', version: '4', externalUrlText: 'Alertmanager' }),
};
