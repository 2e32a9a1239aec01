import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import { handleSchema, isValidTimeZone } from '../users/users.ts';
import { MAX_SHIFT_MS } from './override-input.ts';

// On-call schedules: layers of rotations in one IANA zone, plus overrides. The types here are what
// shifts.ts computes with; the zod schemas are the API's input (snake_case, as the whole API).

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Weekday → JavaScript's getUTCDay() number (Sunday 0). */
export const WEEKDAY_INDEX: Record<Weekday, number> = {
  sun: 0,
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
};

export const ROTATION_TYPES = ['daily', 'weekly', 'custom'] as const;
export type RotationType = (typeof ROTATION_TYPES)[number];

/** A restriction: the layer covers only these local hours on these days (end ≤ start: past midnight). */
export interface Restriction {
  days: Weekday[];
  start: string;
  end: string;
}

/** One layer: a rotation of participants, handing off at a local wall-clock time. */
export interface Rotation {
  name: string;
  type: RotationType;
  /** custom only: a duration such as 12h or 3d. */
  shiftLength?: string | undefined;
  /** Local "HH:MM" of every handoff. */
  handoff: string;
  /** weekly only: the day of the handoff (default: the weekday of `start`). */
  handoffDay?: Weekday | undefined;
  /** "YYYY-MM-DD": the first participant's shift starts on this day (weekly: the first handoffDay from it). */
  start: string;
  /** Participant ids (user ids in the store, handles in the API), in rotation order. */
  participants: string[];
  restrictions: Restriction[];
}

/** What shifts.ts needs of a schedule. Layers in priority order: the first with coverage wins. */
export interface ScheduleSpec {
  timeZone: string;
  layers: Rotation[];
}

/** An override: `user` is on call for [start, end) — instead of `replaces` only, or of everyone. */
export interface OverrideSpan {
  start: Date;
  end: Date;
  user: string;
  replaces: string | null;
}

/** A final shift: who is on call for [start, end); `layer` names the layer unless a full override. */
export interface Shift {
  start: Date;
  end: Date;
  users: string[];
  layer: string | null;
  override: boolean;
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const HHMM_24 = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const MIN_SHIFT_MS = 3_600_000;

export const timeZoneSchema = z
  .string()
  .min(1)
  .refine((zone) => isValidTimeZone(zone), 'unknown IANA time zone');

const dateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD')
  .refine(
    (d) =>
      !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
    'not a calendar date',
  );

export const restrictionSchema = z
  .strictObject({
    days: z
      .array(z.enum(WEEKDAYS))
      .min(1)
      .default([...WEEKDAYS]),
    start: z.string().regex(HHMM, 'a local time HH:MM'),
    end: z.string().regex(HHMM_24, 'a local time HH:MM (24:00 for midnight)'),
  })
  .refine((r) => r.start !== r.end, {
    path: ['end'],
    message: 'must differ from start',
  });

export const layerInputSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-"')
      .optional()
      .describe('default: layer-<position>'),
    type: z.enum(ROTATION_TYPES),
    shift_length: z
      .string()
      .refine(isDuration, 'a duration such as 12h or 3d')
      .refine((d) => !isDuration(d) || parseDuration(d) >= MIN_SHIFT_MS, 'at least 1h')
      .refine((d) => !isDuration(d) || parseDuration(d) <= MAX_SHIFT_MS, 'at most 366d')
      .optional()
      .describe('custom rotations only: e.g. 12h, 3d'),
    handoff: z.string().regex(HHMM, 'a local time HH:MM').default('09:00'),
    handoff_day: z
      .enum(WEEKDAYS)
      .optional()
      .describe('weekly rotations only (default: the weekday of start)'),
    start: dateSchema.describe('YYYY-MM-DD in the schedule’s zone'),
    participants: z.array(handleSchema).min(1).max(100),
    restrictions: z.array(restrictionSchema).max(50).default([]),
  })
  .superRefine((layer, ctx) => {
    if (layer.type === 'custom' && layer.shift_length === undefined) {
      ctx.addIssue({ code: 'custom', path: ['shift_length'], message: 'required for a custom rotation' });
    }
    if (layer.type !== 'custom' && layer.shift_length !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['shift_length'],
        message: `a ${layer.type} rotation has no shift_length`,
      });
    }
    if (layer.type !== 'weekly' && layer.handoff_day !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['handoff_day'],
        message: 'only weekly rotations have a handoff_day',
      });
    }
  });
export type LayerInput = z.input<typeof layerInputSchema>;

export const scheduleNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-", up to 63 characters');

/** Layer names are unique within a schedule (defaults count: layer-<position>). */
function uniqueLayerNames(s: { layers: { name?: string | undefined }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  s.layers.forEach((layer, i) => {
    const name = layer.name ?? `layer-${i + 1}`;
    if (seen.has(name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['layers', i, 'name'],
        message: `layer "${name}" is listed twice`,
      });
    }
    seen.add(name);
  });
}

const scheduleFields = z.strictObject({
  name: scheduleNameSchema,
  description: z.string().max(2000).default(''),
  time_zone: timeZoneSchema.describe('IANA zone of handoffs and restrictions, e.g. Europe/London'),
  team: scheduleNameSchema.nullish().describe('owning team'),
  layers: z
    .array(layerInputSchema)
    .min(1)
    .max(20)
    .describe('in priority order: the first with coverage wins'),
});

export const scheduleInputSchema = scheduleFields.superRefine(uniqueLayerNames);
/** PUT /schedules/:name — the name comes from the path. */
export const scheduleBodySchema = scheduleFields.omit({ name: true }).superRefine(uniqueLayerNames);
export type ScheduleInput = z.input<typeof scheduleInputSchema>;
export type ParsedScheduleInput = z.output<typeof scheduleInputSchema>;

export { type OverrideInput, overrideInputSchema } from './override-input.ts';

/** The stored layer shape (camelCase jsonb), participants as user ids. */
export interface StoredLayer {
  name: string;
  type: RotationType;
  shiftLength?: string | undefined;
  handoff: string;
  handoffDay?: Weekday | undefined;
  start: string;
  participants: string[];
  restrictions: Restriction[];
}

/** An API layer (parsed) → the stored/computed shape with participants mapped through `id`. */
export function toRotation(
  layer: z.output<typeof layerInputSchema>,
  index: number,
  id: (handle: string) => string,
): Rotation {
  const r: Rotation = {
    name: layer.name ?? `layer-${index + 1}`,
    type: layer.type,
    handoff: layer.handoff,
    start: layer.start,
    participants: layer.participants.map(id),
    restrictions: layer.restrictions.map((x) => ({ days: x.days, start: x.start, end: x.end })),
  };
  if (layer.shift_length !== undefined) r.shiftLength = layer.shift_length;
  if (layer.handoff_day !== undefined) r.handoffDay = layer.handoff_day;
  return r;
}

/** A rotation as the API shows it (snake_case, participants as handles). */
export function layerView(r: Rotation, handle: (id: string) => string) {
  return {
    name: r.name,
    type: r.type,
    ...(r.shiftLength !== undefined ? { shift_length: r.shiftLength } : {}),
    handoff: r.handoff,
    ...(r.handoffDay !== undefined ? { handoff_day: r.handoffDay } : {}),
    start: r.start,
    participants: r.participants.map(handle),
    restrictions: r.restrictions,
  };
}

/** The computation's view of a stored schedule row (participants are user ids). */
export function specOfRow(row: { time_zone: string; layers: unknown }): ScheduleSpec {
  return { timeZone: row.time_zone, layers: row.layers as Rotation[] };
}

/** A stored override as the computation sees it (user ids). */
export function spanOfRow(row: {
  starts_at: Date;
  ends_at: Date;
  user_id: string;
  replaces_user_id: string | null;
}): OverrideSpan {
  return {
    start: row.starts_at,
    end: row.ends_at,
    user: String(row.user_id),
    replaces: row.replaces_user_id === null ? null : String(row.replaces_user_id),
  };
}

/** Every participant id of a schedule's layers. */
export function participantIds(spec: ScheduleSpec): string[] {
  return [...new Set(spec.layers.flatMap((l) => l.participants))];
}

/** Longest range the shift list answers for at once. */
export const MAX_RANGE_DAYS = 90;

/** JSON with sorted keys, so a jsonb value read back (keys reordered) compares equal to what was written. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
