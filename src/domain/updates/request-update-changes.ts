import { Conflict, Forbidden } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { requestChangesBodySchema } from './inputs.ts';
import * as q from './queries.ts';
import { approversFor, changeUpdate } from './review-update.ts';

/** An approver asks for changes, with a comment; the update keeps waiting until it is edited. */
export async function requestUpdateChanges({
  ctx,
  input,
}: Operation<{ incidentId: string; updateId: string; comment: string }>) {
  ctx.require('incident:update');
  const data = requestChangesBodySchema.parse({ comment: input.comment });
  const userId = ctx.actor.userId;
  if (!userId) throw new Forbidden('reviews are given by people: use a user’s token');
  return changeUpdate(ctx, input.incidentId, input.updateId, async (c) => {
    const { update, state } = c;
    if (update.status === 'published') throw new Conflict(`update ${update.id} is already published`);
    let approver = false;
    for (const r of state.required) if ((await approversFor(c, r)).has(userId)) approver = true;
    if (!approver) {
      throw new Forbidden(
        `${ctx.actor.name} is not an approver (${state.required.join(', ') || 'none'}) of this update`,
      );
    }
    const review = await q.insertReview(c.tx, {
      update_id: update.id,
      revision: update.revision,
      verdict: 'changes_requested',
      requirement: null,
      user_id: userId,
      actor_name: ctx.actor.name,
      comment: data.comment,
      at: c.now,
    });
    await c.event(EVENT_KINDS.updateChangesRequested, { update_id: update.id, comment: data.comment });
    await c.audit('update.changes_requested', undefined, review, { type: 'incident_update', id: update.id });
    return { update, review };
  });
}
