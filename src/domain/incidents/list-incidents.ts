import { decodeCursor, pageOf, refuseOffsetWithCursor } from '../../lib/cursor.ts';
import type { Ctx, Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { mayView } from './confidential.ts';
import type { Incident } from './incident.ts';
import { type ListIncidentsInput, listIncidentsQuerySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Incidents, newest first, filtered by state (open / resolved / all), severity, plan, service, the
 * service's team and "mine" (the caller holds a role, responds or was paged); `next` is the cursor of
 * the following page (null on the last).
 */
export async function listIncidents({
  ctx,
  input,
}: Operation<ListIncidentsInput>): Promise<{ incidents: Incident[]; next: string | null }> {
  const list = listFilter(ctx, input);
  if (!list) return { incidents: [], next: null };
  const rows = await incidents.listIncidents(ctx.db, list.filter);
  const page = pageOf(rows, list.limit, (r) => ({ at: r.cursor_at, id: r.id }));
  // Confidential incidents the caller may not see are left out (a page may then be shorter; the
  // cursor still follows the rows read, so paging neither skips nor repeats).
  const shown = await visibleOnly(ctx, page.items);
  return { incidents: shown.map(({ cursor_at: _, ...incident }) => incident), next: page.next };
}

/** The query of a list request (permission checked), or null when it lists nothing. */
export function listFilter(
  ctx: Ctx,
  input: ListIncidentsInput,
): { filter: incidents.IncidentFilter; limit: number } | null {
  ctx.require('read');
  const q = listIncidentsQuerySchema.parse(input);
  refuseOffsetWithCursor(q);
  const { mine, ...filters } = q;
  // An actor without a user (the system, a drill) is involved in nothing: "mine" lists none.
  if (mine === 'true' && !ctx.actor.userId) return null;
  return {
    limit: q.limit,
    filter: {
      ...filters,
      involving: mine === 'true' ? (ctx.actor.userId ?? undefined) : undefined,
      limit: q.limit + 1,
      after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
    },
  };
}

/** The incidents of a list the actor may see (confidential ones only to those confidential.ts allows). */
export async function visibleOnly<
  T extends Pick<Incident, 'id' | 'service' | 'confidential' | 'plan_name' | 'plan_version'>,
>(ctx: Ctx, rows: T[]): Promise<T[]> {
  const now = ctx.clock.now();
  const out: T[] = [];
  for (const row of rows) {
    if (row.confidential) {
      const { plan } = await loadPlanVersion(ctx.db, row.plan_name, row.plan_version);
      if (!(await mayView(ctx.db, plan, row, ctx.actor, now))) continue;
    }
    out.push(row);
  }
  return out;
}
