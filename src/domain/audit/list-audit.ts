import { decodeCursor, pageOf } from '../../lib/cursor.ts';
import type { Operation } from '../context.ts';
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
  return { entries: page.items, next: page.next };
}
