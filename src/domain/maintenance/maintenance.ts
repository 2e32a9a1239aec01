import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import type { Permission } from '../context.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';

// Maintenance windows and silences ("suppressions"): while one is active, the alerts it matches are
// recorded but open no incident and page nobody. Matchers are Alertmanager's: a label name, one of
// =, !=, =~, !~, and a value (a regular expression for =~ and !~, anchored at both ends).

export const SUPPRESSION_KINDS = ['maintenance', 'silence'] as const;
export type SuppressionKind = (typeof SUPPRESSION_KINDS)[number];
export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

/** A longer pattern is refused: matching runs inside the engine's transaction, on every alert. */
export const MAX_REGEX_LENGTH = 256;
export const MAX_MATCHERS = 20;

/**
 * Why a pattern is refused, or null when it is safe to run. Besides the length limit, it refuses
 * what lets JavaScript's backtracking engine take exponential time (a quantified group that itself
 * contains a quantifier, such as (a+)+, and backreferences) and what Alertmanager's RE2 does not
 * have (lookaround), so a silence means the same here as there.
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > MAX_REGEX_LENGTH)
    return `a regular expression has at most ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(pattern);
  } catch (error) {
    return `not a regular expression: ${(error as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported';
  if (/\(\?<?[=!]/.test(pattern)) return 'lookaround is not supported';
  if (hasNestedQuantifier(pattern)) {
    return 'a repeated group containing a repetition, such as (a+)+, can take exponential time';
  }
  return null;
}

/** Star height above one: a group followed by a quantifier whose body already repeats. */
function hasNestedQuantifier(pattern: string): boolean {
  // One entry per open group: whether its body contains an unbounded quantifier so far.
  const groups: boolean[] = [];
  let lastClosedRepeats = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      lastClosedRepeats = false;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      lastClosedRepeats = false;
    } else if (c === '(') {
      groups.push(false);
      lastClosedRepeats = false;
    } else if (c === ')') {
      const inner = groups.pop() ?? false;
      if (inner && groups.length > 0) groups[groups.length - 1] = true;
      lastClosedRepeats = inner;
    } else if (c === '*' || c === '+' || (c === '{' && /^\{\d*,\d*\}/.test(pattern.slice(i)))) {
      if (lastClosedRepeats) return true;
      if (groups.length > 0) groups[groups.length - 1] = true;
      lastClosedRepeats = false;
    } else if (c !== '?') {
      lastClosedRepeats = false;
    }
  }
  return false;
}

const labelName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_./-]{0,99}$/, 'a label name: letters, digits, "_", ".", "/" or "-"');

export const matcherSchema = z
  .strictObject({
    name: labelName,
    op: z.enum(MATCH_OPS).default('=').describe('=, !=, =~ (regex) or !~ (not regex); default ='),
    value: z.string().max(1000).describe('the label value, or an anchored regular expression for =~ and !~'),
  })
  .superRefine((m, ctx) => {
    if (m.op !== '=~' && m.op !== '!~') return;
    const problem = regexProblem(m.value);
    if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: problem });
  });

const MATCHER_TEXT = /^\s*([A-Za-z_][A-Za-z0-9_./-]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/s;

/**
 * Reads amtool's spelling of a matcher (`env=prod`, `alertname=~"Disk.*"`), for the CLI; the
 * value may be quoted with JSON string escapes. Returns null when the text is not a matcher.
 */
export function parseMatcher(text: string): Matcher | null {
  const m = MATCHER_TEXT.exec(text);
  if (!m) return null;
  const [, name = '', op = '=', raw = ''] = m;
  let value = raw;
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
    try {
      value = JSON.parse(raw) as string;
    } catch {
      return null;
    }
  }
  return { name, op: op as MatchOp, value };
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

const isoTime = z.iso.datetime({ offset: true });

export const suppressionInputSchema = z
  .strictObject({
    service: z
      .string()
      .min(1)
      .max(63)
      .nullish()
      .describe('the service whose alerts it covers; default: every service'),
    matchers: z
      .array(matcherSchema)
      .max(MAX_MATCHERS)
      .default([])
      .describe('all must match the alert’s labels (a missing label reads as "")'),
    starts_at: isoTime.optional().describe('default: now; a time in the past means now'),
    ends_at: isoTime.optional().describe('when it stops; or give duration'),
    duration: durationSchema.optional().describe('how long from starts_at; instead of ends_at'),
    comment: z.string().trim().min(1).max(2000).describe('why: shown wherever a suppressed alert is'),
  })
  .superRefine((s, ctx) => {
    if ((s.ends_at === undefined) === (s.duration === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: 'give either ends_at or duration' });
    }
    if (!s.service && s.matchers.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['matchers'],
        message: 'give a service or at least one matcher (it would match every alert)',
      });
    }
  });
export type SuppressionInput = z.input<typeof suppressionInputSchema>;

export const SUPPRESSION_STATES = ['active', 'pending', 'expired'] as const;
export type SuppressionState = (typeof SUPPRESSION_STATES)[number];

export const listSuppressionsQuerySchema = z.strictObject({
  state: z
    .enum([...SUPPRESSION_STATES, 'current', 'all'])
    .default('current')
    .describe('current = active or pending'),
  service: z.string().min(1).max(63).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListSuppressionsInput = z.input<typeof listSuppressionsQuerySchema>;

export const suppressionIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an id is a positive integer');

export type Suppression = Row<'suppressions'>;

/** When it stops matching: the planned end, or earlier when someone ended it. */
export function endOf(s: Pick<Suppression, 'ends_at' | 'ended_at'>): Date {
  return s.ended_at && s.ended_at < s.ends_at ? s.ended_at : s.ends_at;
}

/** A window's timing; without the recurrence fields, a one-off window. */
type Timing = Pick<Suppression, 'starts_at' | 'ends_at' | 'ended_at'> &
  Partial<Pick<Suppression, 'recurrence' | 'occurrence_seconds' | 'time_zone'>>;

export interface Occurrence {
  start: Date;
  end: Date;
}

const WEEK_MS = 7 * 86_400_000;

/**
 * The latest occurrence that starts at or before `now` (undefined before the first one). A one-off
 * window is its own single occurrence; a weekly one repeats starts_at's wall time in its time zone
 * (so a 02:00 window stays at 02:00 across daylight saving), each lasting occurrence_seconds, the
 * last cut at the window's end.
 */
export function occurrenceAt(s: Timing, now: Date): Occurrence | undefined {
  if (s.starts_at > now) return undefined;
  const last = endOf(s);
  if (s.recurrence !== 'weekly' || !s.occurrence_seconds) return { start: s.starts_at, end: last };
  const first = DateTime.fromJSDate(s.starts_at, { zone: s.time_zone ?? 'UTC' });
  // The estimate in absolute weeks is off by at most one across offset changes: step back if needed.
  let week = Math.floor((now.getTime() - s.starts_at.getTime()) / WEEK_MS) + 1;
  let start = first.plus({ weeks: week }).toJSDate();
  while (start > now && week > 0) {
    week--;
    start = first.plus({ weeks: week }).toJSDate();
  }
  if (start >= last) return undefined;
  const end = new Date(Math.min(start.getTime() + s.occurrence_seconds * 1000, last.getTime()));
  return { start, end };
}

/** The next occurrence to start after `now`, if any. */
export function nextOccurrence(s: Timing, now: Date): Occurrence | undefined {
  if (s.starts_at > now) return occurrenceAt(s, s.starts_at);
  if (s.recurrence !== 'weekly' || !s.occurrence_seconds) return undefined;
  const current = occurrenceAt(s, now);
  if (!current) return undefined;
  const next = DateTime.fromJSDate(current.start, { zone: s.time_zone ?? 'UTC' })
    .plus({ weeks: 1 })
    .toJSDate();
  return next < endOf(s) ? occurrenceAt(s, next) : undefined;
}

/** Whether the window covers `now` (for a weekly one: inside one of its occurrences). */
export function isOpen(s: Timing, now: Date): boolean {
  const occurrence = occurrenceAt(s, now);
  return occurrence !== undefined && occurrence.end > now;
}

export function stateOf(s: Timing, now: Date): SuppressionState {
  if (endOf(s) <= now) return 'expired';
  return isOpen(s, now) ? 'active' : 'pending';
}

/** The API view: snake_case, with the service's name and the state at `now`. */
export function publicSuppression(s: Suppression & { service: string | null }, now: Date) {
  const { service_id: _id, ...rest } = s;
  return { ...rest, state: stateOf(s, now) };
}

/**
 * What matchers and grouping read of an alert: its labels, and for a name it has no label of, the
 * alert's own fields (service, severity, source, component, group, class, dedup_key, summary), so
 * senders without labels, such as PagerDuty's Events API, can be silenced by severity or source.
 */
export interface AlertFacts {
  labels: Record<string, string>;
  service: string;
  severity: string;
  source: string;
  component: string | null;
  alert_group: string | null;
  alert_class: string | null;
  dedup_key: string;
  summary: string;
}

export function factOf(alert: AlertFacts, name: string): string {
  const label = alert.labels[name];
  if (label !== undefined) return String(label);
  switch (name) {
    case 'service':
      return alert.service;
    case 'severity':
      return alert.severity;
    case 'source':
      return alert.source;
    case 'component':
      return alert.component ?? '';
    case 'group':
      return alert.alert_group ?? '';
    case 'class':
      return alert.alert_class ?? '';
    case 'dedup_key':
      return alert.dedup_key;
    case 'summary':
      return alert.summary;
    default:
      return '';
  }
}

const compiled = new Map<string, RegExp>();
function anchored(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    // Alertmanager anchors regex matchers at both ends.
    re = new RegExp(`^(?:${pattern})$`);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

export function matcherMatches(m: Matcher, alert: AlertFacts): boolean {
  const value = factOf(alert, m.name);
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return anchored(m.value).test(value);
    case '!~':
      return !anchored(m.value).test(value);
  }
}

/**
 * Whether a suppression covers an alert routed at `now`: same service (or any), every matcher
 * matches, and the suppression was active at some moment between the alert's arrival and now — an
 * alert that fired during maintenance stays suppressed if it is routed just after, and one still
 * waiting out its grace period can be silenced before it pages.
 */
export function suppresses(
  s: Timing & Pick<Suppression, 'service_id' | 'matchers'>,
  alert: AlertFacts & { service_id: string; first_seen_at: Date },
  now: Date,
): boolean {
  if (s.service_id !== null && String(s.service_id) !== String(alert.service_id)) return false;
  const occurrence = occurrenceAt(s, now);
  if (!occurrence || occurrence.end <= alert.first_seen_at) return false;
  return s.matchers.every((m) => matcherMatches(m, alert));
}

/** Who may create and end each kind. */
export const WRITE_PERMISSION = {
  maintenance: 'maintenance:write',
  silence: 'silence:write',
} as const satisfies Record<SuppressionKind, Permission>;

/** The name of each kind in audit rows, errors and alert events. */
export const ENTITY = {
  maintenance: 'maintenance_window',
  silence: 'silence',
} as const satisfies Record<SuppressionKind, string>;

/** A suppression that never ends is forgotten; a year covers any planned maintenance. */
export const MAX_SUPPRESSION_MS = 366 * 86_400_000;
