import { DateTime } from 'luxon';
import type { Executor } from '../../db/schema.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import * as schedules from './queries.ts';
import { type OverrideSpan, type ScheduleSpec, type Shift, spanOfRow, specOfRow } from './schedules.ts';
import { finalShifts } from './shifts.ts';

// Handoff notices: when a shift starts, each person coming on call gets a `handoff` message through
// their own notification preferences (channel auto). Each tick looks back only HANDOFF_LOOKBACK_MS,
// so after an outage nobody is told about a handoff long past; the outbox dedup key (schedule, shift
// start, user) makes a repeated tick — or a second engine — queue nothing twice.

const MINUTE = 60_000;
export const HANDOFF_LOOKBACK_MS = 10 * MINUTE;
/** How far ahead the end of the new shift is looked up for the message. */
export const HANDOFF_HORIZON_MS = 14 * 24 * 60 * MINUTE;

interface Incoming {
  schedule: string;
  timeZone: string;
  userId: string;
  start: Date;
  end: Date;
}

/** When `user`'s time on call that starts at `start` ends (within the horizon). */
function onCallUntil(spec: ScheduleSpec, overrides: OverrideSpan[], user: string, start: Date): Date {
  const ahead = finalShifts(spec, overrides, start, new Date(start.getTime() + HANDOFF_HORIZON_MS));
  let end = start;
  for (const s of ahead) {
    if (s.start.getTime() !== end.getTime() || !s.users.includes(user)) break;
    end = s.end;
  }
  return end;
}

/** People whose time on call starts in (now - lookback, now] in one schedule. */
function incomingOf(spec: ScheduleSpec, overrides: OverrideSpan[], name: string, now: Date): Incoming[] {
  const from = new Date(now.getTime() - HANDOFF_LOOKBACK_MS);
  const shifts = finalShifts(spec, overrides, from, new Date(now.getTime() + 1));
  return shifts.flatMap((s: Shift, i) => {
    if (s.start.getTime() <= from.getTime() || s.start.getTime() > now.getTime()) return [];
    const prev = shifts[i - 1];
    const before = prev && prev.end.getTime() === s.start.getTime() ? prev.users : [];
    return s.users
      .filter((u) => !before.includes(u))
      .map((u) => ({
        schedule: name,
        timeZone: spec.timeZone,
        userId: u,
        start: s.start,
        end: onCallUntil(spec, overrides, u, s.start),
      }));
  });
}

function text(i: Incoming): string {
  const local = DateTime.fromJSDate(i.end, { zone: i.timeZone }).toFormat('ccc d LLL yyyy HH:mm');
  return `You are now on call for ${i.schedule} until ${local} (${i.timeZone}).`;
}

/** Queues handoff notices for shifts that just started; returns how many were queued. */
export async function queueHandoffs({ tx, now }: { tx: Executor; now: Date }): Promise<number> {
  const rows = await schedules.listAll(tx);
  if (rows.length === 0) return 0;
  const overrides = await schedules.overridesOverlapping(
    tx,
    rows.map((r) => String(r.id)),
    new Date(now.getTime() - HANDOFF_LOOKBACK_MS),
    new Date(now.getTime() + HANDOFF_HORIZON_MS),
  );
  const incoming = rows.flatMap((r) =>
    incomingOf(
      specOfRow(r),
      overrides.filter((o) => String(o.schedule_id) === String(r.id)).map(spanOfRow),
      r.name,
      now,
    ),
  );
  if (incoming.length === 0) return 0;
  const handles = new Map(
    (await schedules.handlesOf(tx, [...new Set(incoming.map((i) => i.userId))])).map((u) => [
      String(u.id),
      u.handle,
    ]),
  );
  let queued = 0;
  for (const i of incoming) {
    const handle = handles.get(i.userId);
    if (!handle) continue;
    const id = await enqueueNotification(
      tx,
      {
        incidentId: null,
        channel: 'auto',
        destination: `user:${handle}`,
        payload: {
          kind: 'handoff',
          subject: `On call: ${i.schedule}`,
          text: text(i),
          schedule: i.schedule,
          start: i.start.toISOString(),
          end: i.end.toISOString(),
        },
        dedupKey: `handoff:${i.schedule}:${i.start.toISOString()}:${i.userId}`,
      },
      now,
    );
    if (id !== undefined) queued++;
  }
  return queued;
}
