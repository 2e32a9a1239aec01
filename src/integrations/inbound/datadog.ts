import { z } from 'zod';
import type { AlertSeverity } from '../../domain/services/services.ts';
import type { InboundFormat, ParseResult } from './inbound.ts';
import {
  clip,
  isRecord,
  issueMessages,
  labelsFromTags,
  linkOf,
  severityFrom,
  text,
  timeFrom,
} from './normalise.ts';
import { headerSecretSchema, VERIFIED, verifyHeaderSecret, verifyWith } from './signatures.ts';

// Datadog's Webhooks integration posts whatever JSON the user writes, with $VARIABLES filled in.
// Tocsin documents one payload (below) to paste into the webhook's "Payload" field (not "Encode as
// form"); this module reads exactly those field names.

/** Paste into Datadog → Integrations → Webhooks → Payload. Variables: docs.datadoghq.com/integrations/webhooks */
export const DATADOG_PAYLOAD_TEMPLATE = {
  id: '$ID',
  alert_id: '$ALERT_ID',
  aggreg_key: '$AGGREG_KEY',
  transition: '$ALERT_TRANSITION',
  alert_type: '$ALERT_TYPE',
  alert_priority: '$ALERT_PRIORITY',
  title: '$EVENT_TITLE',
  body: '$EVENT_MSG',
  priority: '$PRIORITY',
  tags: '$TAGS',
  link: '$LINK',
  date: '$DATE',
  hostname: '$HOSTNAME',
} as const;

const scalar = z.union([z.string(), z.number()], 'must be a string').optional();

const datadogSchema = z.object({
  id: scalar,
  alert_id: scalar,
  aggreg_key: scalar,
  transition: scalar,
  alert_type: scalar,
  alert_priority: scalar,
  title: scalar,
  body: scalar,
  priority: scalar,
  tags: z.union([z.string(), z.array(z.string())], 'must be a string like "env:prod,role:db"').optional(),
  link: scalar,
  date: scalar,
  hostname: scalar,
});
type DatadogPayload = z.infer<typeof datadogSchema>;

/** A variable Datadog left unfilled ("$HOSTNAME" outside a host monitor) is no value. */
function value(v: string | number | undefined): string | undefined {
  const t = text(v);
  return t === undefined || /^\$[A-Z_]+$/.test(t) ? undefined : t;
}

// $ALERT_TRANSITION: Triggered/Re-Triggered, Recovered, Warn/Re-Warn, No Data/Re-No Data, Renotify.
function isRecovery(p: DatadogPayload): boolean {
  const transition = value(p.transition)?.toLowerCase();
  if (transition !== undefined) return transition === 'recovered';
  return value(p.alert_type)?.toLowerCase() === 'success';
}

const PRIORITY: Record<string, AlertSeverity> = {
  p1: 'critical',
  p2: 'error',
  p3: 'warning',
  p4: 'info',
  p5: 'info',
};

function severityOf(p: DatadogPayload): AlertSeverity {
  if (/^(re-)?warn$/i.test(value(p.transition) ?? '')) return 'warning';
  const priority = PRIORITY[value(p.alert_priority)?.toLowerCase() ?? ''];
  if (priority) return priority;
  // $ALERT_TYPE is error, warning, info or success.
  const type = value(p.alert_type)?.toLowerCase();
  return type === 'success' ? 'info' : (severityFrom(type) ?? 'error');
}

export function parseDatadog(body: unknown): ParseResult {
  if (!isRecord(body)) return { ok: false, errors: ['the body must be a JSON object (the Datadog payload)'] };
  const parsed = datadogSchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: issueMessages(parsed.error) };
  const p = parsed.data;
  const dedupKey = value(p.aggreg_key) ?? value(p.alert_id);
  if (dedupKey === undefined) {
    return {
      ok: false,
      errors: ["'aggreg_key' and 'alert_id' are both missing: use Tocsin's Datadog payload template"],
    };
  }
  const resolve = isRecovery(p);
  return {
    ok: true,
    events: [
      {
        action: resolve ? 'resolve' : 'trigger',
        dedupKey,
        summary: clip(value(p.title) ?? value(p.body)),
        source: value(p.hostname) ?? 'datadog',
        severity: severityOf(p),
        labels: labelsFromTags(typeof p.tags === 'string' ? value(p.tags) : p.tags),
        details: {
          message: value(p.body),
          transition: value(p.transition),
          alert_type: value(p.alert_type),
          priority: value(p.alert_priority) ?? value(p.priority),
          event_id: value(p.id),
          monitor_id: value(p.alert_id),
        },
        links: linkOf(value(p.link), 'Datadog'),
        startedAt: resolve ? null : (timeFrom(value(p.date)) ?? null),
        raw: body,
      },
    ],
  };
}

// Datadog webhooks are not signed. They can send custom headers (the webhook's "Custom Headers"
// field), so the integration can require one carrying a shared secret.
const datadogFields = {
  headerSecret: headerSecretSchema
    .optional()
    .describe('a custom header Datadog sends with a shared secret; when set, it is required'),
};
export const datadogConfigSchema = z.strictObject(datadogFields).describe('Datadog integration settings');
// Lenient for stored configs: integrations saved before these settings existed may hold other keys.
const signingSchema = z.object(datadogFields);

export const datadogFormat: InboundFormat = {
  type: 'datadog',
  parse: parseDatadog,
  verify: (request, config) =>
    verifyWith(signingSchema, config, ({ headerSecret }) =>
      headerSecret ? verifyHeaderSecret(request, headerSecret) : VERIFIED,
    ),
};
