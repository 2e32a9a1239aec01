import { Conflict, Forbidden, Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { isBlocked, publishBlockers } from './approvals.ts';
import { approveBodySchema } from './inputs.ts';
import { publishReady } from './publish-pending-update.ts';
import * as q from './queries.ts';
import { approversFor, changeUpdate } from './review-update.ts';

/**
 * Approves an update for one of the plan's requirements the approver stands for (the role they hold
 * on the incident, or a group they belong to). One person approves for one requirement per revision,
 * so "the incident commander and a member of leadership" takes two people. The last approval
 * publishes the update when every language has text.
 */
export async function approveUpdate({
  ctx,
  input,
}: Operation<{
  incidentId: string;
  updateId: string;
  comment?: string | undefined;
  as?: string | undefined;
}>) {
  ctx.require('incident:update');
  const data = approveBodySchema.parse({ comment: input.comment, as: input.as });
  const userId = ctx.actor.userId;
  if (!userId) throw new Forbidden('approvals are given by people: use a user’s token');
  return changeUpdate(ctx, input.incidentId, input.updateId, async (c) => {
    const { update, state } = c;
    if (update.status === 'published') throw new Conflict(`update ${update.id} is already published`);
    if (state.required.length === 0)
      throw new Conflict(`the plan asks no approval of ${update.audience} updates`);
    const mine = state.approved.find((a) => a.by === ctx.actor.name);
    if (mine) return { update, approved_for: mine.requirement, published: false };
    if (data.as && !state.required.includes(data.as)) {
      throw new Invalid('not an approver of this update', [
        { path: 'as', message: `one of ${state.required.join(', ')}` },
      ]);
    }
    const candidates = data.as ? [data.as] : state.missing;
    let requirement: string | undefined;
    for (const r of candidates) {
      if (state.missing.includes(r) && (await approversFor(c, r)).has(userId)) {
        requirement = r;
        break;
      }
    }
    if (!requirement) {
      throw new Forbidden(
        state.missing.length === 0
          ? `update ${update.id} has every approval it needs`
          : `${ctx.actor.name} cannot approve for ${state.missing.join(' or ')} on incident ${c.incident.id}`,
      );
    }
    const review = await q.insertReview(c.tx, {
      update_id: update.id,
      revision: update.revision,
      verdict: 'approved',
      requirement,
      user_id: userId,
      actor_name: ctx.actor.name,
      comment: data.comment,
      at: c.now,
    });
    await c.event(EVENT_KINDS.updateApproved, {
      update_id: update.id,
      requirement,
      revision: update.revision,
    });
    await c.audit('update.approved', undefined, review, { type: 'incident_update', id: update.id });
    const next = {
      ...state,
      approved: [...state.approved, { requirement, by: ctx.actor.name, at: c.now, comment: data.comment }],
      missing: state.missing.filter((r) => r !== requirement),
    };
    if (isBlocked(publishBlockers(c.plan, update, next)))
      return { update, approved_for: requirement, published: false };
    const published = await publishReady({ ...c, state: next });
    return { update: published, approved_for: requirement, published: true };
  });
}
