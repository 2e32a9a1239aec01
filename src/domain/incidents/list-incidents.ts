import { decodeCursor, pageOf, refuseOffsetWithCursor } from '../../lib/cursor.ts';
import type { Operation } from '../context.ts';
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
  ctx.require('read');
  const q = listIncidentsQuerySchema.parse(input);
  refuseOffsetWithCursor(q);
  const { mine, ...filters } = q;
  // An actor without a user (the system, a drill) is involved in nothing: "mine" lists none.
  if (mine === 'true' && !ctx.actor.userId) return { incidents: [], next: null };
  const rows = await incidents.listIncidents(ctx.db, {
    ...filters,
    involving: mine === 'true' ? (ctx.actor.userId ?? undefined) : undefined,
    limit: q.limit + 1,
    after: q.cursor === undefined ? undefined : decodeCursor(q.cursor),
  });
  const page = pageOf(rows, q.limit, (r) => ({ at: r.cursor_at, id: r.id }));
  return { incidents: page.items.map(({ cursor_at: _, ...incident }) => incident), next: page.next };
}
