import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { requiredApprovals } from '../incidents/incident.ts';
import { approvalState, isBlocked, publishBlockers, type Update } from './approvals.ts';
import * as q from './queries.ts';

/** An incident's updates, oldest first, each with its approval state and what blocks publication. */
export async function listUpdates({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const { incident, plan } = await readVisibleIncident(ctx, input.incidentId);
  if (!incident) throw new NotFound('incident', input.incidentId);
  const updates = await q.listUpdates(ctx.db, incident.id);
  const reviews = await q.reviewsOf(
    ctx.db,
    updates.map((u) => u.id),
  );
  return updates.map((u: Update) => {
    const state = approvalState(
      requiredApprovals(plan, u.audience),
      u,
      reviews.filter((r) => String(r.update_id) === u.id),
    );
    const blockers = publishBlockers(plan, u, state);
    return {
      ...u,
      approval: state,
      missing_languages: blockers.languages,
      publishable: u.status !== 'published' && !isBlocked(blockers),
      reviews: reviews.filter((r) => String(r.update_id) === u.id),
    };
  });
}
