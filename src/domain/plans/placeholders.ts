import { formatDuration } from '../../lib/duration.ts';
import { cadenceDue } from '../updates/cadence.ts';
import { addPlanDuration, DEFAULT_BUSINESS_HOURS, planBusinessHours } from '../workflows/business-hours.ts';
import type { Plan } from './plan-schema.ts';

// The one table of {placeholders}. It drives the validator (plan.ts: an unknown placeholder in any
// templated field is an error at its line:col), the plan reference (plan-docs.ts) and rendering
// (renderPlaceholders below, used by workflow messages, emails, chat, webhooks, owners, notes, the
// channel name and links). To add a placeholder, add a row here: nothing else keeps a list.

/** Where a text is rendered: what is known there decides which placeholders it may use. */
export type PlaceholderContext = 'message' | 'channel' | 'link';

/** What a text is rendered from. Only the incident's id, title, severity and declaration are always known. */
export interface RenderFacts {
  plan?: Plan;
  incident: {
    id: string;
    title: string;
    severity: string;
    declared_at: Date;
    /** A confidential incident's texts leave Tocsin: {title} and {slug} give its code name. */
    confidential?: boolean;
    code_name?: string | null;
    slug?: string;
    summary?: string;
    impact?: string;
    service?: string | null;
    customer_facing?: boolean;
    state?: string;
    correlation_id?: string;
    channel_name?: string;
    /** The war-room link stored on the incident (plan warRoom.url). */
    war_room_url?: string | null;
    detected_at?: Date | null;
    acknowledged_at?: Date | null;
    resolved_at?: Date | null;
    state_entered_at?: Date;
    plan_name?: string;
    plan_version?: number;
    labels?: Record<string, string>;
    fields?: Record<string, unknown>;
    last_update_at?: { internal: Date | null; external: Date | null };
    next_update_at?: { internal: Date | null; external: Date | null };
  };
  now?: Date;
  /** The incident page (TOCSIN_PUBLIC_URL/incidents/<id>). */
  url?: string;
  /** Handle of whoever holds the plan's commander role. */
  commander?: string | null;
  acknowledgedBy?: string | null;
  rootCause?: string | null;
  resolution?: string | null;
  /** The text of the latest published update (either audience), in the plan's first language it has. */
  latestUpdate?: string | null;
  /** The free text of the update being published (update.published triggers, update templates). */
  message?: string;
  /** The person (or list, channel) one message goes to; filled per delivery. */
  recipientName?: string;
  /** "Next update at" as the update's author set it; else computed from the cadence. */
  nextUpdateAt?: Date | null;
  /** What the trigger of a workflow adds: which target, role or audience, a due time, the workflow. */
  trigger?: {
    event?: string;
    target?: string;
    role?: string;
    audience?: string;
    due_at?: Date;
    workflow?: string;
    reason?: string;
  };
}

interface Placeholder {
  description: string;
  /** Where it may be used; 'message' covers templates and every text a workflow action renders. */
  in: readonly PlaceholderContext[];
  value: (f: RenderFacts, context: PlaceholderContext) => string;
}

const EVERYWHERE = ['message', 'channel', 'link'] as const;
const MESSAGE = ['message'] as const;

/** Times in messages: "2026-12-03 14:05 UTC". */
export function showTime(d: Date | null | undefined, none = 'not yet'): string {
  if (!d) return none;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const severityOf = (f: RenderFacts) => f.plan?.severities.find((s) => s.id === f.incident.severity);
const stateOf = (f: RenderFacts) => f.plan?.lifecycle.states.find((s) => s.id === f.incident.state);
const field = (f: RenderFacts, name: string): unknown => f.incident.fields?.[name];
const fieldText = (f: RenderFacts, name: string, none: string) => {
  const v = field(f, name);
  return v === undefined || v === null || v === '' ? none : String(v);
};
const slugOf = (f: RenderFacts) =>
  f.incident.confidential ? slugify(publicTitle(f.incident)) : (f.incident.slug ?? slugify(f.incident.title));

/**
 * The name an incident goes by in anything Tocsin sends out (pages, mail, chat, status page): a
 * confidential one's code name, since a message leaves the console's access control.
 */
export function publicTitle(incident: {
  title: string;
  confidential?: boolean | undefined;
  code_name?: string | null | undefined;
}): string {
  return incident.confidential ? (incident.code_name ?? 'Confidential incident') : incident.title;
}

/** A URL- and chat-safe slug of a title; "incident" when nothing Latin is left (e.g. Amharic). */
export function slugify(title: string, max = 50): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, max).replace(/-+$/, '') || 'incident';
}

function statusOf(f: RenderFacts): string {
  const state = f.incident.state ?? '';
  const own = stateOf(f)?.statusPage;
  if (own) return own.toUpperCase();
  if (['investigating', 'identified', 'monitoring', 'resolved'].includes(state.toLowerCase()))
    return state.toUpperCase();
  const states = f.plan?.lifecycle.states ?? [];
  const resolved = f.plan?.lifecycle.resolved ?? states[states.length - 1]?.id;
  return state === resolved ? 'RESOLVED' : 'INVESTIGATING';
}

/**
 * When the next update is due: what the last update's author set, else the earliest of (last
 * update of each audience, or declaration) + that audience's cadence; never in the past.
 */
export function nextUpdateAt(f: RenderFacts): Date | null {
  if (f.incident.resolved_at) return null;
  if (f.nextUpdateAt) return f.nextUpdateAt;
  const plan = f.plan;
  if (!plan) return null;
  const dues = (['internal', 'external'] as const).flatMap((audience) => {
    const due = cadenceDue(plan, f.incident, audience)?.due;
    return due ? [due.getTime()] : [];
  });
  if (dues.length === 0) return null;
  const due = Math.min(...dues);
  const now = f.now?.getTime() ?? due;
  return new Date(Math.max(due, now));
}

function postmortemDue(f: RenderFacts): string {
  const pm = severityOf(f)?.postmortem;
  if (!pm?.required) return 'not required';
  if (!pm.due) return 'required';
  if (!f.incident.resolved_at) return `${pm.due} after resolution`;
  const hours = f.plan ? planBusinessHours(f.plan) : DEFAULT_BUSINESS_HOURS;
  return showTime(addPlanDuration(f.incident.resolved_at, pm.due, hours));
}

function duration(f: RenderFacts): string {
  const start = f.incident.detected_at ?? f.incident.declared_at;
  const end = f.incident.resolved_at ?? f.now;
  if (!end) return 'unknown';
  return formatDuration(Math.max(0, Math.floor((end.getTime() - start.getTime()) / 60_000) * 60_000));
}

export const PLACEHOLDERS = {
  id: { description: 'the incident number', in: EVERYWHERE, value: (f) => f.incident.id },
  title: {
    description: 'the incident title (a confidential incident: its code name)',
    in: MESSAGE,
    value: (f) => publicTitle(f.incident),
  },
  slug: { description: 'the title as a slug', in: ['message', 'channel'], value: slugOf },
  url: { description: 'the incident page in Tocsin', in: MESSAGE, value: (f) => f.url ?? '' },
  severity: { description: 'the severity id, e.g. SEV1', in: EVERYWHERE, value: (f) => f.incident.severity },
  severity_title: {
    description: 'the severity title, e.g. Critical',
    in: MESSAGE,
    value: (f) => severityOf(f)?.title ?? f.incident.severity,
  },
  state: { description: 'the lifecycle state id', in: MESSAGE, value: (f) => f.incident.state ?? '' },
  state_title: {
    description: 'the lifecycle state title',
    in: MESSAGE,
    value: (f) => stateOf(f)?.title ?? f.incident.state ?? '',
  },
  status: {
    description: 'the status-page status (INVESTIGATING, IDENTIFIED, MONITORING, RESOLVED)',
    in: MESSAGE,
    value: statusOf,
  },
  summary: { description: 'the incident summary', in: MESSAGE, value: (f) => f.incident.summary ?? '' },
  impact: {
    description: 'the impact on users as written on the incident',
    in: MESSAGE,
    value: (f) => f.incident.impact ?? '',
  },
  service: {
    description: 'the affected service',
    in: ['message', 'link'],
    value: (f) => f.incident.service ?? '',
  },
  services: {
    description: 'the affected services or components, comma-separated',
    in: MESSAGE,
    value: (f) => fieldText(f, 'services', f.incident.service ?? ''),
  },
  users_affected: {
    description: 'how many users are affected (the users_affected field), else "Unknown"',
    in: MESSAGE,
    value: (f) => fieldText(f, 'users_affected', 'Unknown'),
  },
  root_cause: {
    description: 'the confirmed hypothesis, or "Unknown"',
    in: MESSAGE,
    value: (f) => f.rootCause || 'Unknown',
  },
  resolution: {
    description: 'what fixed it (the resolution, else the mitigation steps), or "Unknown"',
    in: MESSAGE,
    value: (f) => f.resolution || 'Unknown',
  },
  eta: {
    description: 'the expected time to resolution (the eta field), or "Unknown"',
    in: MESSAGE,
    value: (f) => fieldText(f, 'eta', 'Unknown'),
  },
  next_update: {
    description:
      'when the next update is due (HH:MM UTC): as the last update set it, else by the cadence; "none" when no update is due',
    in: MESSAGE,
    value: (f) => showTime(nextUpdateAt(f), 'none'),
  },
  incident_commander: {
    description: 'who holds the commanding role (commanderRole), or "unassigned"',
    in: MESSAGE,
    value: (f) => f.commander || 'unassigned',
  },
  acknowledged_by: {
    description: 'who acknowledged the incident, or "nobody yet"',
    in: MESSAGE,
    value: (f) => f.acknowledgedBy || 'nobody yet',
  },
  acknowledged_at: {
    description: 'when the incident was acknowledged',
    in: MESSAGE,
    value: (f) => showTime(f.incident.acknowledged_at),
  },
  channel: {
    description: 'the incident chat channel',
    in: MESSAGE,
    value: (f) => f.incident.channel_name ?? '',
  },
  incident_channel: {
    description: 'the incident chat channel (same as {channel})',
    in: MESSAGE,
    value: (f) => f.incident.channel_name ?? '',
  },
  channel_name: {
    description: 'the incident chat channel (same as {channel})',
    in: MESSAGE,
    value: (f) => f.incident.channel_name ?? '',
  },
  war_room: {
    description: 'the war-room call link stored on the incident (plan warRoom.url), else "none"',
    in: MESSAGE,
    value: (f) => f.incident.war_room_url || 'none',
  },
  customer_facing: {
    description: 'true when the incident affects customers',
    in: MESSAGE,
    value: (f) => String(f.incident.customer_facing ?? false),
  },
  correlation_id: {
    description: 'the incident correlation id',
    in: ['message', 'link'],
    value: (f) => f.incident.correlation_id ?? '',
  },
  date: {
    description: 'the day of declaration (YYYY-MM-DD, UTC)',
    in: ['message', 'channel'],
    value: (f) => f.incident.declared_at.toISOString().slice(0, 10),
  },
  time: {
    description: 'now (HH:MM UTC)',
    in: MESSAGE,
    value: (f) => `${(f.now ?? new Date(0)).toISOString().slice(11, 16)} UTC`,
  },
  detected_at: {
    description: 'when the incident was detected (else declared)',
    in: MESSAGE,
    value: (f) => showTime(f.incident.detected_at ?? f.incident.declared_at),
  },
  declared_at: {
    description: 'when the incident was declared (in links: ISO 8601)',
    in: ['message', 'link'],
    value: (f, context) =>
      context === 'link' ? f.incident.declared_at.toISOString() : showTime(f.incident.declared_at),
  },
  started_at: {
    description: 'when the impact started (detection, else declaration)',
    in: MESSAGE,
    value: (f) => showTime(f.incident.detected_at ?? f.incident.declared_at),
  },
  resolved_at: {
    description: 'when the incident was resolved, or "not yet"',
    in: MESSAGE,
    value: (f) => showTime(f.incident.resolved_at),
  },
  duration: {
    description: 'how long the impact lasted (until resolution, or until now), e.g. 1h25m',
    in: MESSAGE,
    value: duration,
  },
  postmortem_due: {
    description: 'when the post-mortem is due, or "not required"',
    in: MESSAGE,
    value: postmortemDue,
  },
  recipient_name: {
    description: 'who the message is sent to (a person, a group, an address or a channel)',
    in: MESSAGE,
    value: (f) => f.recipientName ?? 'all',
  },
  latest_update: {
    description:
      'the text of the latest published update (internal or external), e.g. for stakeholder summaries; "none yet"',
    in: MESSAGE,
    value: (f) => f.latestUpdate || 'none yet',
  },
  message: {
    description: 'the free text of the update being published',
    in: MESSAGE,
    value: (f) => f.message ?? '',
  },
  plan: { description: 'the plan name', in: MESSAGE, value: (f) => f.incident.plan_name ?? '' },
  plan_version: {
    description: 'the plan version the incident runs under',
    in: MESSAGE,
    value: (f) => String(f.incident.plan_version ?? ''),
  },
  workflow: {
    description: 'the workflow (rule) that sends the message',
    in: MESSAGE,
    value: (f) => f.trigger?.workflow ?? '',
  },
  event: {
    description: 'the event that triggered the workflow, e.g. incident.declared',
    in: MESSAGE,
    value: (f) => f.trigger?.event ?? '',
  },
  target: {
    description: 'for target triggers and target.breached: which target',
    in: MESSAGE,
    value: (f) => f.trigger?.target ?? '',
  },
  role: {
    description: 'for incident.role_assigned: which role',
    in: MESSAGE,
    value: (f) => f.trigger?.role ?? '',
  },
  audience: {
    description: 'for update triggers: internal or external',
    in: MESSAGE,
    value: (f) => f.trigger?.audience ?? '',
  },
  due_at: {
    description: 'for target and cadence triggers: when it is (was) due',
    in: MESSAGE,
    value: (f) => showTime(f.trigger?.due_at, 'unknown'),
  },
  reason: {
    description: 'for verification.failed and verification.passed: what the checks measured',
    in: MESSAGE,
    value: (f) => f.trigger?.reason ?? '',
  },
} as const satisfies Record<string, Placeholder>;

export type PlaceholderName = keyof typeof PLACEHOLDERS;

/** Placeholders under these prefixes name an incident's labels and custom fields (messages only). */
export const PLACEHOLDER_PREFIXES = ['labels.', 'fields.'] as const;

// {name} or {dotted.name}; the same syntax everywhere.
const PLACEHOLDER = /\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;

/** The {placeholder} names a text uses, with their offset in the text. */
export function placeholdersIn(text: string): { name: string; index: number }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ name: m[1] as string, index: m.index }));
}

export function placeholdersFor(context: PlaceholderContext): PlaceholderName[] {
  return (Object.keys(PLACEHOLDERS) as PlaceholderName[]).filter((k) =>
    (PLACEHOLDERS[k].in as readonly string[]).includes(context),
  );
}

/** Whether {name} may be used in a text of this context. */
export function isKnownPlaceholder(name: string, context: PlaceholderContext): boolean {
  if (context === 'message' && PLACEHOLDER_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length))
    return true;
  return (placeholdersFor(context) as string[]).includes(name);
}

function prefixed(f: RenderFacts, name: string): string | undefined {
  const [prefix, ...rest] = name.split('.');
  const key = rest.join('.');
  const source =
    prefix === 'labels' ? f.incident.labels : prefix === 'fields' ? f.incident.fields : undefined;
  if (!source || !Object.hasOwn(source, key))
    return prefix === 'labels' || prefix === 'fields' ? '' : undefined;
  const v = (source as Record<string, unknown>)[key];
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return showTime(v);
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * Fills every {placeholder} of the context. A name the validator would reject stays as written (a
 * plan stored before it was checked shows its typo instead of hiding it). `encode` escapes values
 * for the target format (URL-encoding for links); texts themselves are escaped by each channel.
 */
export function renderPlaceholders(
  text: string,
  facts: RenderFacts,
  context: PlaceholderContext = 'message',
  encode: (v: string) => string = (v) => v,
): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (!isKnownPlaceholder(name, context)) return whole;
    const p = (PLACEHOLDERS as Record<string, Placeholder>)[name];
    const value = p ? p.value(facts, context) : prefixed(facts, name);
    return value === undefined ? whole : encode(value);
  });
}
