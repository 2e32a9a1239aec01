import { z } from 'zod';
import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import { ALERT_SEVERITIES, type AlertSeverity } from '../../domain/services/services.ts';
import { MAX_ALERTS_PER_BODY } from './alertmanager.ts';
import type { InboundFormat, ParseResult } from './inbound.ts';
import { compileJsonPath, evaluateJsonPath, MAX_PATH_LENGTH, type PathSegment } from './json-path.ts';
import {
  clip,
  hashKey,
  isRecord,
  issueMessages,
  labelsFrom,
  labelsFromTags,
  linkOf,
  severityFrom,
  text,
  timeFrom,
} from './normalise.ts';
import {
  allOf,
  DEFAULT_TOLERANCE_SECONDS,
  headerNameSchema,
  secretSchema,
  standardWebhooksSecretSchema,
  toleranceSchema,
  VERIFIED,
  verifyHexSignature,
  verifyStandardWebhook,
  verifyWith,
} from './signatures.ts';

// A generic JSON webhook for senders Tocsin has no format for: the integration's config says, with
// JSON paths, where each field is. With `alerts`, one body carries many alerts and the other paths
// are read from each alert first, then from the whole body (for group-level fields).

const jsonPath = z
  .string()
  .max(MAX_PATH_LENGTH)
  .superRefine((path, ctx) => {
    const compiled = compileJsonPath(path);
    if (!compiled.ok) ctx.addIssue({ code: 'custom', message: `JSON path ${compiled.error}` });
  });

// Optional proof of origin, either or both: a hex HMAC-SHA256 of the body in one header (bare, or
// "sha256=<hex>" as GitHub sends it), and Standard Webhooks' webhook-id/-timestamp/-signature.
const signingFields = {
  signature: z
    .strictObject({
      secret: secretSchema,
      header: headerNameSchema.default('X-Signature').describe('default: X-Signature'),
    })
    .optional()
    .describe('require a hex HMAC-SHA256 of the body (optionally "sha256=<hex>") in a header'),
  standardWebhooks: z
    .strictObject({
      secret: standardWebhooksSecretSchema,
      tolerance: toleranceSchema.default(DEFAULT_TOLERANCE_SECONDS),
    })
    .optional()
    .describe('require a Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature)'),
};
/** Only the signing settings: verification does not pay for compiling the JSON paths. */
const signingSchema = z.object(signingFields);

export const genericWebhookConfigSchema = z
  .strictObject({
    summary: jsonPath.optional().describe('default: $.summary, $.title or $.message'),
    severity: jsonPath.optional().describe('default: $.severity or $.level'),
    severityMap: z
      .record(z.string(), z.enum(ALERT_SEVERITIES))
      .optional()
      .describe('sender severity word → critical|error|warning|info, before the built-in words'),
    dedupKey: jsonPath
      .optional()
      .describe('default: $.dedup_key, $.id or $.fingerprint; else a hash of the summary'),
    status: jsonPath.optional().describe('default: $.status or $.state'),
    resolvedValues: z
      .array(z.string().min(1).max(100))
      .max(50)
      .optional()
      .describe('status values that resolve (case-insensitive); default: resolved, ok, recovered, closed'),
    acknowledgedValues: z
      .array(z.string().min(1).max(100))
      .max(50)
      .optional()
      .describe('status values that acknowledge; default: acknowledged'),
    labels: jsonPath.optional().describe('an object, or tags "k:v,…"; default: $.labels or $.tags'),
    source: jsonPath.optional().describe('default: $.source, $.host or $.hostname'),
    link: jsonPath.optional().describe('default: $.url or $.link'),
    startedAt: jsonPath
      .optional()
      .describe('ISO 8601 or epoch; default: $.started_at, $.startedAt or $.timestamp'),
    alerts: jsonPath
      .optional()
      .describe('many alerts per body, e.g. $.items[*]; other paths then read each item'),
    ...signingFields,
  })
  .describe('Field mapping of a generic JSON webhook integration');
export type GenericWebhookConfig = z.infer<typeof genericWebhookConfigSchema>;

type Field = 'summary' | 'severity' | 'dedupKey' | 'status' | 'labels' | 'source' | 'link' | 'startedAt';

const DEFAULT_PATHS: Record<Field, string[]> = {
  summary: ['$.summary', '$.title', '$.message'],
  severity: ['$.severity', '$.level'],
  dedupKey: ['$.dedup_key', '$.id', '$.fingerprint'],
  status: ['$.status', '$.state'],
  labels: ['$.labels', '$.tags'],
  source: ['$.source', '$.host', '$.hostname'],
  link: ['$.url', '$.link'],
  startedAt: ['$.started_at', '$.startedAt', '$.timestamp'],
};
const DEFAULT_RESOLVED = ['resolved', 'ok', 'recovered', 'closed'];
const DEFAULT_ACKNOWLEDGED = ['acknowledged'];

interface Mapping {
  paths: Record<Field, PathSegment[][]>;
  alerts: PathSegment[] | undefined;
  resolved: Set<string>;
  acknowledged: Set<string>;
  severityMap: Map<string, AlertSeverity>;
}

function compile(path: string): PathSegment[] {
  const compiled = compileJsonPath(path);
  // Paths were validated by the schema; an invalid one here reaches nothing.
  return compiled.ok ? compiled.segments : [{ kind: 'key', key: '\u0000' }];
}

function mappingOf(config: GenericWebhookConfig): Mapping {
  const fields = Object.keys(DEFAULT_PATHS) as Field[];
  const paths = Object.fromEntries(
    fields.map((f) => {
      const configured = config[f];
      return [f, (configured === undefined ? DEFAULT_PATHS[f] : [configured]).map(compile)];
    }),
  ) as Record<Field, PathSegment[][]>;
  const lower = (values: string[]) => new Set(values.map((v) => v.toLowerCase()));
  return {
    paths,
    alerts: config.alerts === undefined ? undefined : compile(config.alerts),
    resolved: lower(config.resolvedValues ?? DEFAULT_RESOLVED),
    acknowledged: lower(config.acknowledgedValues ?? DEFAULT_ACKNOWLEDGED),
    severityMap: new Map(Object.entries(config.severityMap ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  };
}

/** The first value any of the field's paths reaches, in the alert, then in the whole body. */
function pick(m: Mapping, field: Field, scopes: unknown[]): unknown {
  for (const scope of scopes) {
    for (const path of m.paths[field]) {
      const [found] = evaluateJsonPath(path, scope);
      if (found !== undefined && found !== null && found !== '') return found;
    }
  }
  return undefined;
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'boolean' ? String(value) : text(value);
}

function actionOf(m: Mapping, status: unknown): InboundAlertEvent['action'] {
  const s = scalarText(status)?.toLowerCase();
  if (s !== undefined && m.resolved.has(s)) return 'resolve';
  if (s !== undefined && m.acknowledged.has(s)) return 'acknowledge';
  return 'trigger';
}

function severityOf(m: Mapping, value: unknown): AlertSeverity | undefined {
  const word = scalarText(value)?.toLowerCase();
  return (word === undefined ? undefined : m.severityMap.get(word)) ?? severityFrom(word);
}

function labelsOf(value: unknown): Record<string, string> {
  return isRecord(value) ? labelsFrom(value) : labelsFromTags(value);
}

function toEvent(m: Mapping, item: unknown, scopes: unknown[]): InboundAlertEvent | string {
  const summary = clip(scalarText(pick(m, 'summary', scopes)));
  const dedupKey = scalarText(pick(m, 'dedupKey', scopes)) ?? (summary ? hashKey(summary) : undefined);
  if (dedupKey === undefined)
    return 'found neither a summary nor a dedup key (see the integration’s mapping)';
  return {
    action: actionOf(m, pick(m, 'status', scopes)),
    dedupKey,
    summary,
    source: clip(scalarText(pick(m, 'source', scopes)), 255),
    severity: severityOf(m, pick(m, 'severity', scopes)),
    labels: labelsOf(pick(m, 'labels', scopes)),
    links: linkOf(pick(m, 'link', scopes), 'Source'),
    startedAt: timeFrom(pick(m, 'startedAt', scopes)) ?? null,
    raw: item,
  };
}

/**
 * Items of the `alerts` path: an array it reaches is its elements. Nothing found is an error (the
 * mapping does not fit the body), unless the path is `…[*]` over an empty array or object.
 */
function itemsOf(m: Mapping, body: unknown): unknown[] | undefined {
  if (!m.alerts) return [body];
  const found = evaluateJsonPath(m.alerts, body);
  if (found.length === 0) {
    const last = m.alerts.at(-1);
    const parents = last?.kind === 'all' ? evaluateJsonPath(m.alerts.slice(0, -1), body) : [];
    return parents.some((p) => typeof p === 'object' && p !== null) ? [] : undefined;
  }
  const [only] = found;
  return found.length === 1 && Array.isArray(only) ? only : found;
}

export function parseGenericWebhook(body: unknown, config: unknown): ParseResult {
  const parsedConfig = genericWebhookConfigSchema.safeParse(config ?? {});
  if (!parsedConfig.success) {
    return {
      ok: false,
      errors: issueMessages(parsedConfig.error, ['config']).map((e) => `integration ${e}`),
    };
  }
  if (typeof body !== 'object' || body === null) {
    return { ok: false, errors: ['the body must be a JSON object or array'] };
  }
  const m = mappingOf(parsedConfig.data);
  const items = itemsOf(m, body);
  if (items === undefined) return { ok: false, errors: [`no alerts at ${parsedConfig.data.alerts}`] };
  if (items.length > MAX_ALERTS_PER_BODY) {
    return { ok: false, errors: [`more than ${MAX_ALERTS_PER_BODY} alerts in one body`] };
  }
  const events: InboundAlertEvent[] = [];
  const errors: string[] = [];
  items.forEach((item, i) => {
    const event = toEvent(m, item, m.alerts ? [item, body] : [body]);
    if (typeof event === 'string') errors.push(m.alerts ? `alert ${i}: ${event}` : event);
    else events.push(event);
  });
  return errors.length > 0 ? { ok: false, errors: errors.slice(0, 20) } : { ok: true, events };
}

export const genericWebhookFormat: InboundFormat = {
  type: 'webhook',
  parse: (body, integration) => parseGenericWebhook(body, integration.config),
  verify: (request, config) =>
    verifyWith(signingSchema, config, ({ signature, standardWebhooks }) =>
      allOf(
        () => (signature ? verifyHexSignature(request, signature.header, signature.secret) : VERIFIED),
        () =>
          standardWebhooks
            ? verifyStandardWebhook(request, standardWebhooks.secret, standardWebhooks.tolerance)
            : VERIFIED,
      ),
    ),
};
