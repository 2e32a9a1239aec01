import { z } from 'zod';
import type { InboundAlertEvent } from '../../domain/alerts/alerts.ts';
import type { InboundFormat, ParseResult } from './inbound.ts';
import {
  clip,
  firstText,
  isRecord,
  labelsFromTags,
  linkOf,
  severityFrom,
  text,
  timeFrom,
} from './normalise.ts';
import { secretSchema, VERIFIED, verifyHexSignature, verifyWith } from './signatures.ts';

// Sentry, in the shapes its docs give (docs.sentry.io/organization/integrations/integration-platform/
// webhooks/): an internal integration's issue alert ("Sentry-Hook-Resource: event_alert", data.event),
// issue webhooks ("issue": data.issue with action created/resolved/…) and metric alerts
// ("metric_alert"), plus the legacy Webhooks plugin (id, project, level, url, event at the top).
// The shape tells them apart, so the Sentry-Hook-Resource header is not needed. Issues — from alerts
// and from issue webhooks alike — are keyed by the issue id, so an issue alert is resolved when the
// issue is resolved in Sentry.

type Obj = Record<string, unknown>;

const ISSUE_ACTIONS: Record<string, InboundAlertEvent['action'] | 'ignore'> = {
  created: 'trigger',
  unresolved: 'trigger',
  resolved: 'resolve',
  // Archived (formerly "ignored") issues are no longer anyone's problem.
  archived: 'resolve',
  ignored: 'resolve',
  // Assignment is triage inside Sentry; it says nothing about the alert.
  assigned: 'ignore',
};

function fail(message: string): ParseResult {
  return { ok: false, errors: [message] };
}

function one(event: InboundAlertEvent): ParseResult {
  return { ok: true, events: [event] };
}

/** Sentry sends tags as [["key","value"], …]; the project is a label too. */
function labelsOf(tags: unknown, project: string | undefined): Record<string, string> {
  const labels = labelsFromTags(tags);
  return project === undefined ? labels : { ...labels, project };
}

/** An event that matched an issue alert rule: integration platform (data.event) or legacy plugin. */
function fromEvent(
  event: Obj,
  ctx: { issueId: unknown; issueUrl: unknown; project: unknown; rule: unknown; raw: unknown },
): ParseResult {
  const issueId = firstText(ctx.issueId, event.issue_id, event.group_id, event.groupID);
  if (issueId === undefined) return fail("'data.event.issue_id' is missing: the Sentry issue is not named");
  const project = firstText(ctx.project, projectSlugOf(event.url), event.project);
  return one({
    action: 'trigger',
    dedupKey: issueId,
    summary: clip(
      firstText(
        event.title,
        event.message,
        isRecord(event.metadata) ? event.metadata.value : undefined,
        event.culprit,
      ),
    ),
    source: project ?? 'sentry',
    severity: severityFrom(event.level) ?? 'error',
    component: clip(text(event.culprit), 255),
    labels: labelsOf(event.tags, project),
    details: { rule: ctx.rule, platform: event.platform, event_id: event.event_id, location: event.location },
    links: [...linkOf(ctx.issueUrl, 'Sentry issue'), ...linkOf(event.web_url, 'Sentry event')],
    startedAt: timeFrom(event.datetime) ?? timeFrom(event.timestamp) ?? null,
    raw: ctx.raw,
  });
}

/** The event's API URL names the project: …/api/0/projects/<org>/<project>/events/<id>/ */
function projectSlugOf(url: unknown): string | undefined {
  return /\/projects\/[^/]+\/([^/]+)\/events\//.exec(text(url) ?? '')?.[1];
}

function fromIssue(action: string, issue: Obj, raw: unknown): ParseResult {
  const mapped = ISSUE_ACTIONS[action];
  if (mapped === undefined) {
    return fail(
      `'action' ${JSON.stringify(action).slice(0, 40)} is not one of ${Object.keys(ISSUE_ACTIONS).join(', ')}`,
    );
  }
  if (mapped === 'ignore') return { ok: true, events: [] };
  const id = text(issue.id);
  if (id === undefined) return fail("'data.issue.id' is missing");
  const project = isRecord(issue.project) ? firstText(issue.project.slug, issue.project.name) : undefined;
  return one({
    action: mapped,
    dedupKey: id,
    summary: clip(firstText(issue.title, issue.culprit, issue.shortId)),
    source: project ?? 'sentry',
    severity: severityFrom(issue.level) ?? 'error',
    component: clip(text(issue.culprit), 255),
    labels: labelsOf([], project),
    details: {
      short_id: issue.shortId,
      status: issue.status,
      substatus: issue.substatus,
      count: issue.count,
    },
    links: [...linkOf(issue.web_url, 'Sentry issue'), ...linkOf(issue.permalink, 'Sentry issue')].slice(0, 1),
    startedAt: timeFrom(issue.firstSeen) ?? null,
    raw,
  });
}

const METRIC_ACTIONS: Record<string, 'critical' | 'warning' | 'resolved'> = {
  critical: 'critical',
  warning: 'warning',
  resolved: 'resolved',
};

function fromMetricAlert(action: string, data: Obj, alert: Obj, raw: unknown): ParseResult {
  const state = METRIC_ACTIONS[action];
  if (state === undefined)
    return fail(`'action' must be one of critical, warning, resolved for a metric alert`);
  const id = text(alert.id);
  if (id === undefined) return fail("'data.metric_alert.id' is missing");
  const rule = isRecord(alert.alert_rule) ? alert.alert_rule : {};
  return one({
    action: state === 'resolved' ? 'resolve' : 'trigger',
    // Metric alert incidents have ids of their own, apart from issue ids.
    dedupKey: `metric_alert:${id}`,
    summary: clip(firstText(data.description_title, rule.name, alert.title)),
    source: 'sentry',
    severity: state === 'critical' ? 'critical' : 'warning',
    labels: labelsOf(
      Array.isArray(alert.projects) ? alert.projects.map((p) => ['project', p]) : [],
      undefined,
    ),
    details: { description: data.description_text, rule: rule.name, query: rule.query },
    links: linkOf(data.web_url, 'Sentry alert'),
    startedAt: timeFrom(alert.date_started) ?? timeFrom(alert.date_detected) ?? null,
    raw,
  });
}

export function parseSentry(body: unknown): ParseResult {
  if (!isRecord(body)) return fail('the body must be a JSON object (a Sentry webhook payload)');
  const data = body.data;
  if (isRecord(data)) {
    const action = text(body.action) ?? '';
    if (isRecord(data.event)) {
      return fromEvent(data.event, {
        issueId: undefined,
        issueUrl: undefined,
        project: undefined,
        rule: data.triggered_rule,
        raw: body,
      });
    }
    if (isRecord(data.issue)) return fromIssue(action, data.issue, body);
    if (isRecord(data.metric_alert)) return fromMetricAlert(action, data, data.metric_alert, body);
    return fail("'data' holds no 'event', 'issue' or 'metric_alert': not a Sentry alert or issue webhook");
  }
  // The legacy Webhooks plugin: the issue's fields at the top, the event below.
  if (isRecord(body.event)) {
    return fromEvent(body.event, {
      issueId: body.id,
      issueUrl: body.url,
      project: firstText(body.project_slug, body.project, body.project_name),
      rule: body.triggering_rules,
      raw: body,
    });
  }
  return fail(
    "the body has neither 'data' (Sentry integration webhook) nor 'event' (Sentry webhooks plugin)",
  );
}

// An internal integration (Settings → Developer Settings → Custom Integrations) signs each request:
// Sentry-Hook-Signature is the hex HMAC-SHA256 of the body keyed with the integration's Client
// Secret. The legacy Webhooks plugin does not sign: leave clientSecret unset for it.
const sentryFields = {
  clientSecret: secretSchema
    .optional()
    .describe('the Sentry integration’s Client Secret; when set, Sentry-Hook-Signature is required'),
};
export const sentryConfigSchema = z.strictObject(sentryFields).describe('Sentry integration settings');
// Lenient for stored configs: integrations saved before these settings existed may hold other keys.
const signingSchema = z.object(sentryFields);

export const SENTRY_SIGNATURE_HEADER = 'Sentry-Hook-Signature';

export const sentryFormat: InboundFormat = {
  type: 'sentry',
  parse: parseSentry,
  verify: (request, config) =>
    verifyWith(signingSchema, config, ({ clientSecret }) =>
      clientSecret ? verifyHexSignature(request, SENTRY_SIGNATURE_HEADER, clientSecret) : VERIFIED,
    ),
};
