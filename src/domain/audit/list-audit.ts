import { decodeCursor, pageOf } from '../../lib/cursor.ts';
import type { Operation } from '../context.ts';
import { mayViewIncidentId } from '../incidents/confidential.ts';
import * as audit from './queries.ts';

export interface ListAuditInput {
  entityType?: string | undefined;
  entityId?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Audit entries, newest first; `next` is the cursor of the following page (null on the last). */
export async function listAudit({ ctx, input }: Operation<ListAuditInput>) {
  ctx.require('audit:read');
  const rows = await audit.list(ctx.db, {
    entityType: input.entityType,
    entityId: input.entityId,
    limit: input.limit + 1,
    beforeId: input.cursor === undefined ? undefined : decodeCursor(input.cursor).id,
  });
  const page = pageOf(rows, input.limit, (r) => ({ id: r.id }));
  // Entries about a confidential incident only for those who may see it (its title is in them).
  const now = ctx.clock.now();
  const entries = [];
  for (const e of page.items) {
    const incidentId = e.entity_type === 'incident' ? e.entity_id : null;
    if (await mayViewIncidentId(ctx.db, incidentId, ctx.actor, now)) entries.push(e);
  }
  return { entries, next: page.next };
}
