import { Conflict, Forbidden, NotFound } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import { changeIncident, type IncidentChange } from '../incidents/change.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import type { Incident } from '../incidents/incident.ts';
import { approversFor } from '../updates/review-update.ts';
import {
  type ActionApproval,
  type ActionApprovalVote,
  describeAction,
  describeMissing,
  gateProgress,
  quorumReached,
} from './gates.ts';
import { decisionBodySchema } from './inputs.ts';
import * as q from './queries.ts';
import { carryOut } from './request-approval.ts';
import { approvalView } from './view.ts';

// The frame approve and reject share: the incident and the request locked, the voter checked (a
// person, not the requester, among the approvers of at least one of its gates), the vote recorded on
// the timeline and in the audit log in the same transaction.

export interface DecisionInput {
  incidentId: string;
  requestId: string;
  comment?: string | undefined;
}

/** The gates (indexes) of the request whose approvers include the user, now. */
async function gatesOfVoter(c: IncidentChange, request: ActionApproval, userId: string): Promise<number[]> {
  const out: number[] = [];
  for (const [i, gate] of request.gates.entries()) {
    for (const who of gate.by) {
      if ((await approversFor(c, who)).has(userId)) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

export async function decide(ctx: Ctx, input: DecisionInput, verdict: 'approved' | 'rejected') {
  ctx.require('incident:update');
  const data = decisionBodySchema.parse({ comment: input.comment });
  const userId = ctx.actor.userId;
  if (!userId) throw new Forbidden('approvals are given by people: use a user’s token');
  return changeIncident(ctx, input.incidentId, {}, async (c) => {
    const request = /^[1-9][0-9]{0,17}$/.test(input.requestId)
      ? await q.lockRequest(c.tx, c.incident.id, input.requestId)
      : undefined;
    if (!request) throw new NotFound('approval request', input.requestId);
    const votes = await q.votesOf(c.tx, [request.id]);
    const mine = votes.find((v) => String(v.user_id) === String(userId));
    if (mine?.verdict === verdict) return approvalView(request, votes, c.incident);
    if (request.status !== 'pending')
      throw new Conflict(`approval request ${request.id} is already ${request.status}`);
    if (mine) throw new Conflict(`${ctx.actor.name} already ${mine.verdict} approval request ${request.id}`);
    if (String(request.requested_by_user_id) === String(userId)) {
      throw new Forbidden(
        `${ctx.actor.name} asked for ${describeAction(request.action)}: someone else must approve or reject it`,
      );
    }
    const countsFor = await gatesOfVoter(c, request, userId);
    if (countsFor.length === 0) {
      throw new Forbidden(
        `${ctx.actor.name} is not an approver of request ${request.id}: it needs ` +
          describeMissing(gateProgress(request, votes)).join('; '),
      );
    }
    const vote = await q.insertVote(c.tx, {
      request_id: request.id,
      user_id: userId,
      actor_name: ctx.actor.name,
      verdict,
      counts_for: JSON.stringify(countsFor),
      comment: data.comment,
      at: c.now,
    });
    const all: ActionApprovalVote[] = [...votes, vote];
    const action = describeAction(request.action);
    await c.event(verdict === 'approved' ? EVENT_KINDS.approvalApproved : EVENT_KINDS.approvalRejected, {
      request_id: request.id,
      action,
      comment: data.comment,
    });
    await c.audit(`incident.approval_${verdict}`, undefined, vote, {
      type: 'incident_action_approval',
      id: request.id,
    });
    const reached = verdict === 'approved' && quorumReached(gateProgress(request, all));
    if (verdict === 'approved' && !reached) return approvalView(request, all, c.incident);
    const decided = await q.decideRequest(c.tx, request.id, {
      status: verdict,
      decided_at: c.now,
      decided_by: ctx.actor.name,
    });
    let incident: Incident = c.incident;
    if (reached) {
      await c.event(EVENT_KINDS.approvalGranted, {
        request_id: request.id,
        action,
        requested_by: request.requested_by,
      });
      incident = await carryOut(c, decided);
    }
    return approvalView(decided, all, incident);
  });
}
