import { Conflict } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { markPublished } from '../incidents/publish-update.ts';
import { describeBlockers, isBlocked, publishBlockers, type Update } from './approvals.ts';
import { changeUpdate, type UpdateChange } from './review-update.ts';

/** Publishes when nothing blocks it; otherwise a 409 naming every missing approval and language. */
export async function publishReady(c: UpdateChange): Promise<Update> {
  const blockers = publishBlockers(c.plan, c.update, c.state);
  if (isBlocked(blockers)) {
    const { message, details } = describeBlockers(blockers);
    throw new Conflict(message, details);
  }
  return markPublished(
    c,
    c.update,
    c.state.approved.map((a) => a.by),
  );
}

/** Publishes an approved update (a repeat is not an error). */
export async function publishPendingUpdate({
  ctx,
  input,
}: Operation<{ incidentId: string; updateId: string }>) {
  ctx.require('incident:update');
  return changeUpdate(ctx, input.incidentId, input.updateId, async (c) =>
    c.update.status === 'published' ? c.update : publishReady(c),
  );
}
