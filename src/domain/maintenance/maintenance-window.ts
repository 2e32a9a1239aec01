import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import { isTimeZone } from '../../lib/time-zone.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';
import { MAX_SUPPRESSION_MS, type Suppression } from './maintenance.ts';

// Maintenance windows as code: a `kind: MaintenanceWindow` document names services, when (start
// and end or duration, optionally weekly until a date) and what happens to their alerts meanwhile.
// It is stored as maintenance suppressions, one row per service, all carrying the document's name.

export const WINDOW_MODES = ['suppress', 'downgrade'] as const;
export type WindowMode = (typeof WINDOW_MODES)[number];

const isoTime = z.iso.datetime({ offset: true });
const serviceName = z.string().min(1).max(63);

export const windowSpecSchema = z
  .strictObject({
    services: z.array(serviceName).min(1).max(100).describe('the services whose alerts it covers'),
    start: isoTime.describe('when it (or its first weekly occurrence) opens, e.g. 2026-12-06T02:00:00Z'),
    end: isoTime.optional().describe('when it (or its first weekly occurrence) closes; or give duration'),
    duration: durationSchema.optional().describe('how long it (each occurrence) lasts; instead of end'),
    recurrence: z.literal('weekly').optional().describe('repeat every week at the same local time'),
    until: isoTime.optional().describe('weekly only: when the recurrence stops; default a year after start'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'not an IANA time zone, e.g. Europe/Berlin')
      .optional()
      .describe('weekly only: the zone whose wall time repeats (default UTC)'),
    mode: z
      .enum(WINDOW_MODES)
      .default('suppress')
      .describe('suppress: no incident, nobody paged; downgrade: incidents open, paging is best effort'),
    reason: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('why: shown wherever a suppressed alert is'),
  })
  .superRefine((w, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if ((w.end === undefined) === (w.duration === undefined)) issue('end', 'give either end or duration');
    const start = Date.parse(w.start);
    // Refinements run even when a field failed its own check: a bad duration is reported there.
    if (w.duration !== undefined && !isDuration(w.duration)) return;
    const length = w.end !== undefined ? Date.parse(w.end) - start : parseDuration(w.duration ?? '0s');
    const lengthPath = w.end !== undefined ? 'end' : 'duration';
    if ((w.end !== undefined || w.duration !== undefined) && !(length > 0)) {
      issue(lengthPath, `must end after it starts (${w.start})`);
    }
    if (w.recurrence === undefined) {
      if (w.until !== undefined) issue('until', 'until is only for a weekly recurrence');
      if (w.timeZone !== undefined) issue('timeZone', 'timeZone is only for a weekly recurrence');
      if (length > MAX_SUPPRESSION_MS) issue(lengthPath, 'lasts at most 366 days');
    } else {
      // Longer than a week, an occurrence would still be open when the next one starts.
      if (length > 7 * 86_400_000) issue(lengthPath, 'a weekly occurrence lasts at most a week');
      if (w.until !== undefined && !(Date.parse(w.until) > start)) issue('until', 'must be after start');
      if (w.until !== undefined && Date.parse(w.until) - start > MAX_SUPPRESSION_MS) {
        issue('until', 'a weekly window repeats for at most 366 days');
      }
    }
    const seen = new Set<string>();
    w.services.forEach((name, i) => {
      if (seen.has(name))
        ctx.addIssue({ code: 'custom', path: ['services', i], message: `"${name}" is listed twice` });
      seen.add(name);
    });
  });
export type WindowSpec = z.output<typeof windowSpecSchema>;

/** What one suppressions row of the window holds, apart from its service. */
export interface WindowTiming {
  starts_at: Date;
  ends_at: Date;
  recurrence: 'weekly' | null;
  occurrence_seconds: number | null;
  time_zone: string | null;
  mode: WindowMode;
  comment: string;
}

/** The rows' timing from a spec: a weekly window ends when its recurrence stops. */
export function timingOf(name: string, spec: WindowSpec): WindowTiming {
  const startsAt = new Date(spec.start);
  const length =
    spec.end !== undefined ? Date.parse(spec.end) - startsAt.getTime() : parseDuration(spec.duration ?? '0s');
  const weekly = spec.recurrence === 'weekly';
  const until = spec.until ? new Date(spec.until) : new Date(startsAt.getTime() + MAX_SUPPRESSION_MS);
  return {
    starts_at: startsAt,
    ends_at: weekly ? until : new Date(startsAt.getTime() + length),
    recurrence: weekly ? 'weekly' : null,
    occurrence_seconds: weekly ? Math.round(length / 1000) : null,
    time_zone: weekly ? (spec.timeZone ?? 'UTC') : null,
    mode: spec.mode,
    comment: spec.reason ?? `maintenance window ${name}`,
  };
}

/** How a window compares across applies: its services and timing, as plain JSON. */
export function windowView(services: string[], t: WindowTiming) {
  return {
    services: [...services].sort(),
    starts_at: t.starts_at.toISOString(),
    ends_at: t.ends_at.toISOString(),
    recurrence: t.recurrence,
    occurrence_seconds: t.occurrence_seconds,
    time_zone: t.time_zone,
    mode: t.mode,
    reason: t.comment,
  };
}

/** The stored rows of one window (all share the timing; each has its service) as a view. */
export function storedView(rows: (Suppression & { service: string | null })[]) {
  const [first] = rows;
  if (!first) return undefined;
  return windowView(
    rows.map((r) => r.service ?? ''),
    {
      starts_at: first.starts_at,
      ends_at: first.ends_at,
      recurrence: first.recurrence,
      occurrence_seconds: first.occurrence_seconds,
      time_zone: first.time_zone,
      mode: first.mode,
      comment: first.comment,
    },
  );
}
