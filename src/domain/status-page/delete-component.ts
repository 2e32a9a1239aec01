import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { statusPageChanged } from './cache.ts';
import * as q from './queries.ts';

/** Removes a component (its history goes with it); a group must be empty first. */
export async function deleteComponent({ ctx, input }: Operation<{ name: string }>) {
  ctx.require('status-page:write');
  await inTx(ctx.db, async (tx) => {
    const before = await q.lockComponentByName(tx, input.name);
    if (!before) throw new NotFound('status page component', input.name);
    if (before.is_group && Number((await q.countChildren(tx, before.id)).n) > 0) {
      throw new Conflict(`group "${input.name}" still has components: move or delete them first`);
    }
    await q.deleteComponent(tx, before.id);
    await audit.record(tx, ctx.actor, ctx.clock.now(), {
      action: 'status_page.component_deleted',
      entityType: 'status_page_component',
      entityId: before.id,
      before,
    });
  });
  statusPageChanged(ctx.db);
}
