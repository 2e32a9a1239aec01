import { z } from 'zod';
import type { SourceError } from '../../../lib/yaml-source.ts';
import { getSchedule } from '../../schedules/get-schedule.ts';
import * as schedules from '../../schedules/queries.ts';
import { saveSchedule } from '../../schedules/save-schedule.ts';
import {
  layerInputSchema,
  layerView,
  type ParsedScheduleInput,
  restrictionSchema,
  scheduleInputSchema,
  scheduleNameSchema,
  toRotation,
} from '../../schedules/schedules.ts';
import { defineKind, diffAgainst, documentSchema, errorAt, parseDocument } from '../config.ts';

// kind: Schedule — an on-call schedule: layers of rotations in one IANA zone. Participants are User
// handles (of this apply or stored); the team, if any, a Team. Overrides are runtime data (API/CLI),
// not part of the document, and an apply leaves them alone.
//   apiVersion: tocsin.dev/v1
//   kind: Schedule
//   metadata: { name: primary, description: First line }
//   spec:
//     timeZone: Africa/Addis_Ababa
//     team: platform
//     layers:                         # priority order: the first layer with coverage wins
//       - name: business-hours
//         type: daily                 # daily | weekly | custom (with shiftLength: 12h)
//         handoff: "09:00"            # local time in timeZone
//         start: 2026-01-05
//         participants: [selam, dawit]
//         restrictions: [{ days: [mon, tue, wed, thu, fri], start: "09:00", end: "18:00" }]
//       - { name: nights, type: weekly, handoffDay: mon, handoff: "09:00", start: 2026-01-05, participants: [hanna] }

const L = layerInputSchema.shape;
const layerDocument = z.strictObject({
  name: L.name,
  type: L.type,
  shiftLength: L.shift_length,
  handoff: L.handoff,
  handoffDay: L.handoff_day,
  start: L.start,
  participants: L.participants,
  restrictions: z.array(restrictionSchema).max(50).default([]),
});

export const scheduleDocumentSchema = documentSchema(
  'Schedule',
  z.strictObject({ name: scheduleNameSchema, description: z.string().max(2000).default('') }),
  z.strictObject({
    timeZone: z.string().min(1),
    team: scheduleNameSchema.nullish(),
    layers: z.array(layerDocument).min(1).max(20),
  }),
);
type ScheduleDocument = z.output<typeof scheduleDocumentSchema>;

const SNAKE: Record<string, string> = {
  time_zone: 'timeZone',
  shift_length: 'shiftLength',
  handoff_day: 'handoffDay',
};

/** Where an input field path (snake_case, as the API and the operation name it) lies in a document. */
function locateInput(path: readonly PropertyKey[]): PropertyKey[] {
  const [head, ...rest] = path.map((p) => (typeof p === 'string' ? (SNAKE[p] ?? p) : p));
  if (head === 'name' || head === 'description') return ['metadata', head];
  return ['spec', ...(head === undefined ? [] : [head]), ...rest];
}

/** The document as the operation's input. */
function toInput(doc: ScheduleDocument) {
  return {
    name: doc.metadata.name,
    description: doc.metadata.description,
    time_zone: doc.spec.timeZone,
    team: doc.spec.team ?? null,
    layers: doc.spec.layers.map((l) => ({
      ...(l.name !== undefined ? { name: l.name } : {}),
      type: l.type,
      ...(l.shiftLength !== undefined ? { shift_length: l.shiftLength } : {}),
      handoff: l.handoff,
      ...(l.handoffDay !== undefined ? { handoff_day: l.handoffDay } : {}),
      start: l.start,
      participants: l.participants,
      restrictions: l.restrictions,
    })),
  };
}

/** A schedule in the shape both sides of a diff share (camelCase, participants by handle). */
function comparable(s: {
  description: string;
  time_zone: string;
  team?: string | null | undefined;
  layers: ReturnType<typeof layerView>[];
}) {
  return {
    description: s.description,
    timeZone: s.time_zone,
    team: s.team ?? null,
    layers: s.layers.map((l) => ({
      name: l.name,
      type: l.type,
      shiftLength: l.shift_length ?? null,
      handoff: l.handoff,
      handoffDay: l.handoff_day ?? null,
      start: l.start,
      participants: l.participants,
      restrictions: l.restrictions,
    })),
  };
}

function wanted(input: ParsedScheduleInput) {
  const same = (h: string) => h;
  return comparable({
    ...input,
    layers: input.layers.map((l, i) => layerView(toRotation(l, i, same), same)),
  });
}

export const scheduleKind = defineKind<ParsedScheduleInput>({
  kind: 'Schedule',
  // After User (10) and Team (20), whose handles and names it references; before Plan (30), whose
  // paging names schedules.
  order: 25,
  permission: 'schedule:write',
  validate(doc) {
    const parsed = parseDocument(scheduleDocumentSchema, doc);
    if (parsed.errors) return parsed;
    // The operation's own rules (zone, rotation type vs. fields, unique layer names), at their place.
    const input = scheduleInputSchema.safeParse(toInput(parsed.value));
    if (input.success) return { value: input.data };
    const errors: SourceError[] = input.error.issues.map((i) => {
      const at = locateInput(i.path);
      return errorAt(doc, at, `${at.slice(1).join('.')}: ${i.message}`);
    });
    return { errors };
  },
  name: (input) => input.name,
  async plan(ctx, input) {
    const stored = (await schedules.existsByName(ctx.db, input.name))
      ? comparable(await getSchedule({ ctx, input: { name: input.name } }))
      : undefined;
    return diffAgainst(stored, wanted(input));
  },
  async apply(ctx, input) {
    const { change } = await saveSchedule({ ctx, input: { schedule: input, mode: 'upsert' } });
    return change;
  },
  locate: (detailPath) => locateInput(detailPath.split('.')),
});
