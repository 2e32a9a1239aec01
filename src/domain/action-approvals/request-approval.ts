import type { GatedActionRequest } from '../../db/schema.ts';
import { Conflict } from '../../errors.ts';
import type { Actor } from '../context.ts';
import { type IncidentChange, moveToState, setSeverity } from '../incidents/change.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { assertOpen, type Incident } from '../incidents/incident.ts';
import {
  type ActionApproval,
  type ActionApprovalVote,
  describeAction,
  describeMissing,
  gateProgress,
  gatesFor,
  sameAction,
} from './gates.ts';
import * as q from './queries.ts';

// The gate itself, used inside the incident operations that carry out a gated action (severity,
// triage, transition, resolve): a person asking for an action the plan gates opens a pending
// request instead (committed), and the operation then answers 409 naming it and what it misses.
// The engine's own moves (the system actor) follow the plan's rules and are never gated.

/** A gated action that was not carried out: its pending request. */
export class PendingApproval {
  constructor(
    readonly request: ActionApproval,
    readonly votes: ActionApprovalVote[],
  ) {}
}

/** Opens (or finds the same pending) request when the plan gates the action; undefined when it does not. */
export async function requestIfGated(
  c: IncidentChange,
  action: GatedActionRequest,
): Promise<PendingApproval | undefined> {
  if (c.ctx.actor.kind === 'system') return undefined;
  const gates = gatesFor(c.plan, c.lifecycle, action);
  if (gates.length === 0) return undefined;
  const same = (await q.pendingRequests(c.tx, c.incident.id)).find((r) => sameAction(r.action, action));
  if (same) return new PendingApproval(same, await q.votesOf(c.tx, [same.id]));
  const request = await q.insertRequest(c.tx, {
    incident_id: c.incident.id,
    action: JSON.stringify(action),
    gates: JSON.stringify(gates),
    requested_by_user_id: c.ctx.actor.userId,
    requested_by: c.ctx.actor.name,
    requested_at: c.now,
  });
  await c.event(EVENT_KINDS.approvalRequested, {
    request_id: request.id,
    action: describeAction(action),
    needs: describeMissing(gateProgress(request, [])),
  });
  await c.audit('incident.approval_requested', undefined, request, {
    type: 'incident_action_approval',
    id: request.id,
  });
  return new PendingApproval(request, []);
}

/** After the commit: the action's result, or a 409 naming the pending request and what it misses. */
export function carriedOut<T>(result: T | PendingApproval): T {
  if (!(result instanceof PendingApproval)) return result;
  const { request, votes } = result;
  const missing = describeMissing(gateProgress(request, votes));
  throw new Conflict(
    `${describeAction(request.action)} needs approval: missing ${missing.join('; ')}; approval request ` +
      `${request.id} is pending (tocsin incident approve ${request.incident_id} ${request.id})`,
    [
      { path: 'approval_request', message: request.id },
      ...request.gates.map((g) => ({
        path: `approvals.actions.${g.index}`,
        message: `${g.quorum} of ${g.by.join(' or ')}`,
      })),
    ],
  );
}

/** Carries out an approved request as its requester asked (the requester's permissions apply). */
export async function carryOut(c: IncidentChange, request: ActionApproval): Promise<Incident> {
  const a = request.action;
  if (a.kind === 'severity') {
    assertOpen(c.incident, c.lifecycle, 'change its severity');
    return setSeverity(c, c.incident, a.to, a.reason);
  }
  const mover: Actor = {
    kind: 'user',
    userId: request.requested_by_user_id,
    name: request.requested_by,
    role: null,
    leadership: false,
  };
  return moveToState(c, a.to, { reason: a.reason, resolution: a.resolution, mover });
}
