import { inTx } from '../../db/tx.ts';
import { NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import {
  ENTITY,
  endOf,
  publicSuppression,
  type SuppressionKind,
  suppressionIdSchema,
  WRITE_PERMISSION,
} from './maintenance.ts';
import * as q from './queries.ts';

/**
 * Ends a maintenance window or silence now (a pending one is cancelled). Ending one that is already
 * over is not an error: it is returned unchanged.
 */
export async function endSuppression({ ctx, input }: Operation<{ kind: SuppressionKind; id: string }>) {
  ctx.require(WRITE_PERMISSION[input.kind]);
  const entity = ENTITY[input.kind];
  return inTx(ctx.db, async (tx) => {
    const id = suppressionIdSchema.safeParse(input.id);
    const before = id.success ? await q.lockSuppression(tx, input.kind, id.data) : undefined;
    if (!before) throw new NotFound(entity, input.id);
    const now = ctx.clock.now();
    if (endOf(before) > now) {
      await q.endSuppression(tx, before.id, now, ctx.actor.name);
      await audit.record(tx, ctx.actor, now, {
        action: `${entity}.ended`,
        entityType: entity,
        entityId: before.id,
        before: { ends_at: before.ends_at, ended_at: before.ended_at },
        after: { ended_at: now, ended_by: ctx.actor.name },
      });
    }
    const after = await q.findSuppression(tx, input.kind, before.id);
    if (!after) throw new NotFound(entity, input.id);
    return publicSuppression(after, now);
  });
}
