import type { Operation } from '../context.ts';
import { coverageOfAll, onCallMsPerUser } from '../schedules/coverage.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import { NIGHT, type OnCallLoadRow, type Period } from './reports.ts';

export interface OnCallLoadReport {
  period: Period;
  /** Night, in each person's own time zone: [from:00, to:00). */
  night: { from: string; to: string };
  rows: OnCallLoadRow[];
}

const HOUR = 3_600_000;
const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/**
 * On-call load per person over the period: pages received, pages at night in their own time zone,
 * and hours on call from the schedules. Busiest first.
 */
export async function getOnCallLoad({ ctx, input }: Operation<ReportInput>): Promise<OnCallLoadReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const [pages, coverage] = await Promise.all([
    q.pagesPerPerson(ctx.db, scope, NIGHT),
    coverageOfAll(ctx.db, scope.from, scope.to),
  ]);
  const onCall = onCallMsPerUser(coverage);
  const ids = [...new Set([...pages.map((p) => String(p.user_id)), ...onCall.keys()])];
  const users = await q.usersByIds(ctx.db, ids);
  const rows = users.map((u): OnCallLoadRow => {
    const p = pages.find((r) => String(r.user_id) === String(u.id));
    return {
      user: u.handle,
      name: u.name,
      time_zone: u.time_zone,
      pages: Number(p?.n ?? 0),
      night_pages: Number(p?.night ?? 0),
      hours_on_call: Math.round(((onCall.get(String(u.id)) ?? 0) / HOUR) * 100) / 100,
    };
  });
  rows.sort((a, b) => b.pages - a.pages || b.hours_on_call - a.hours_on_call || a.user.localeCompare(b.user));
  return { period: periodOf(scope), night: { from: hh(NIGHT.from), to: hh(NIGHT.to) }, rows };
}
