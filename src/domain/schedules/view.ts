import type { Executor, Row } from '../../db/schema.ts';
import * as schedules from './queries.ts';
import { layerView, participantIds, type Shift, specOfRow } from './schedules.ts';

// How the API shows schedules and shifts: participants and on-call users by handle.

export type ScheduleRow = Row<'schedules'> & { team: string | null };

/** id → handle for the given user ids (unknown ids show as "#<id>", e.g. a removed user). */
export async function handleMap(db: Executor, ids: string[]): Promise<(id: string) => string> {
  const rows = await schedules.handlesOf(db, ids);
  const byId = new Map(rows.map((r) => [String(r.id), r.handle]));
  return (id) => byId.get(String(id)) ?? `#${id}`;
}

export function scheduleView(row: ScheduleRow, handle: (id: string) => string) {
  const spec = specOfRow(row);
  return {
    name: row.name,
    description: row.description,
    time_zone: row.time_zone,
    team: row.team,
    layers: spec.layers.map((l) => layerView(l, handle)),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
export type ScheduleView = ReturnType<typeof scheduleView>;

export async function viewOf(db: Executor, row: ScheduleRow): Promise<ScheduleView> {
  return scheduleView(row, await handleMap(db, participantIds(specOfRow(row))));
}

export function shiftView(s: Shift, handle: (id: string) => string) {
  return {
    start: s.start.toISOString(),
    end: s.end.toISOString(),
    users: s.users.map(handle),
    layer: s.layer,
    override: s.override,
  };
}
export type ShiftView = ReturnType<typeof shiftView>;
