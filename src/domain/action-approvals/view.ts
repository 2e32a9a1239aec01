import type { Incident } from '../incidents/incident.ts';
import {
  type ActionApproval,
  type ActionApprovalVote,
  describeAction,
  describeMissing,
  gateProgress,
} from './gates.ts';

/** A request as the API shows it: what was asked, by whom, each gate's progress, the votes. */
export function approvalView(request: ActionApproval, votes: ActionApprovalVote[], incident?: Incident) {
  const progress = gateProgress(request, votes);
  return {
    id: request.id,
    incident_id: request.incident_id,
    action: request.action,
    summary: describeAction(request.action),
    status: request.status,
    requested_by: request.requested_by,
    requested_at: request.requested_at,
    decided_at: request.decided_at,
    decided_by: request.decided_by,
    gates: progress.map((p) => ({ ...p.gate, approved_by: p.approvals, missing: p.missing })),
    missing: request.status === 'pending' ? describeMissing(progress) : [],
    votes: votes.map((v) => ({ by: v.actor_name, verdict: v.verdict, comment: v.comment, at: v.at })),
    ...(incident ? { incident } : {}),
  };
}
