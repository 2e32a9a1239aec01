import { pageOf } from '../../lib/cursor.ts';
import type { Operation } from '../context.ts';
import type { ListIncidentsInput } from './inputs.ts';
import type { IncidentListCache } from './list-cache.ts';
import { listFilter, visibleOnly } from './list-incidents.ts';
import * as incidents from './queries.ts';

/**
 * listIncidents answered as the JSON text (UTF-8) of `{ incidents, next }`: the same document
 * JSON.stringify writes of listIncidents' answer, for the HTTP route, written from the columns as
 * PostgreSQL prints them (queries.listIncidentsText) — no Date made, no jsonb parsed only to be
 * serialised again. The same filters, order, cursor and confidential rule as listIncidents.
 */
export async function listIncidentsJson(
  { ctx, input }: Operation<ListIncidentsInput>,
  cache?: IncidentListCache,
): Promise<Buffer> {
  const list = listFilter(ctx, input);
  if (!list) return Buffer.from('{"incidents":[],"next":null}');
  // Answers the same for every reader with `read` (checked above) may come from the cache.
  const { filter } = list;
  const key =
    cache && filter.involving === undefined && filter.team === undefined
      ? JSON.stringify([
          filter.state,
          filter.severity,
          filter.type,
          filter.plan,
          filter.service,
          filter.limit,
          filter.offset,
          filter.after,
        ])
      : undefined;
  const cached = key === undefined ? undefined : cache?.get(key);
  if (cached !== undefined) return cached;
  const generation = cache?.current ?? 0;
  const rows = await incidents.listIncidentsText(ctx.db, filter);
  const page = pageOf(rows, list.limit, (r) => ({ at: r.cursor_at, id: String(r.id) }));
  // Confidential incidents the caller may not see are left out, as listIncidents does.
  const shown = await visibleOnly(
    ctx,
    page.items.map((r) => ({
      row: r,
      id: String(r.id),
      service: r.service as string | null,
      confidential: r.confidential === true,
      plan_name: String(r.plan_name),
      plan_version: Number(r.plan_version),
    })),
  );
  // UTF-8 once: a kept answer is written as it is, not encoded again per request.
  const body = Buffer.from(
    `{"incidents":[${shown.map((s) => incidentJson(s.row)).join(',')}],"next":${JSON.stringify(page.next)}}`,
  );
  if (key !== undefined && !page.items.some((r) => r.confidential === true))
    cache?.set(key, generation, body);
  return body;
}

/** One incident as JSON.stringify writes its row (bigint ids as strings, times as Date.toJSON). */
export function incidentJson(row: incidents.IncidentText): string {
  let out = '{';
  for (const [column, kind] of incidents.INCIDENT_COLUMNS) {
    const v = row[column];
    if (out.length > 1) out += ',';
    out += `"${column}":`;
    if (v === null || v === undefined) out += 'null';
    else if (kind === 'json') out += String(v);
    else if (kind === 'time') out += `"${isoOf(String(v))}"`;
    else out += JSON.stringify(v);
  }
  return `${out}}`;
}

/**
 * "2026-12-04 07:17:49.123456" (a UTC timestamp as PostgreSQL prints it, DateStyle ISO as pg needs)
 * as Date.toJSON writes it: "2026-12-04T07:17:49.123Z" (milliseconds, cut as a Date cuts them).
 */
function isoOf(text: string): string {
  const ms = text.length > 20 ? `${text.slice(20, 23)}000`.slice(0, 3) : '000';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${ms}Z`;
}
