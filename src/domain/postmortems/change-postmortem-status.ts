import { inTx } from '../../db/tx.ts';
import { Conflict, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { isId } from '../incidents/incident.ts';
import { type Postmortem, type PostmortemStatus, STATUS_MOVES, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

/**
 * Moves a post-mortem along draft → in_review → published (or back from review to draft). Publishing
 * takes a manager and a reviewed document; moving to the status it already has changes nothing.
 */
export async function changePostmortemStatus({
  ctx,
  input,
}: Operation<{ incidentId: string; to: PostmortemStatus }>): Promise<Postmortem> {
  ctx.require(input.to === 'published' ? 'postmortem:publish' : 'postmortem:write');
  return inTx(ctx.db, async (tx) => {
    const before = isId(input.incidentId) ? await q.lockPostmortem(tx, input.incidentId) : undefined;
    if (!before) throw new NotFound('post-mortem of incident', input.incidentId);
    const now = ctx.clock.now();
    if (before.status === input.to) return withOverdue(before, now);
    const allowed = STATUS_MOVES[before.status];
    if (!allowed.includes(input.to)) {
      throw new Conflict(
        `a ${before.status.replace('_', ' ')} post-mortem cannot move to ${input.to.replace('_', ' ')}; allowed: ${allowed.join(', ') || 'none'}`,
      );
    }
    const publishing = input.to === 'published';
    const after = await q.updatePostmortem(tx, input.incidentId, {
      status: input.to,
      updated_at: now,
      ...(publishing ? { published_at: now, published_by: ctx.actor.name } : {}),
    });
    await audit.record(tx, ctx.actor, now, {
      action: `postmortem.${input.to}`,
      entityType: 'postmortem',
      entityId: input.incidentId,
      before: { status: before.status },
      after: { status: after.status },
    });
    return withOverdue(after, now);
  });
}
