import type { ActionApprovalGate, GatedActionRequest, Row } from '../../db/schema.ts';
import type { Lifecycle, Plan } from '../plans/plan.ts';

// Pure rules of approval gates on incident actions (plan approvals.actions): which gates an asked-for
// action meets, and what a request still misses. No I/O (gates.test.ts).

export type ActionApproval = Row<'incident_action_approvals'>;
export type ActionApprovalVote = Row<'incident_action_approval_votes'>;

function severityRank(plan: Plan, id: string): number {
  return plan.severities.findIndex((s) => s.id === id);
}

/** Whether one gate of the plan applies to the action (severities are listed most severe first). */
function gateApplies(
  plan: Plan,
  lifecycle: Lifecycle,
  gate: Plan['approvals']['actions'][number],
  a: GatedActionRequest,
): boolean {
  if (a.kind === 'severity') {
    const from = severityRank(plan, a.from);
    const to = severityRank(plan, a.to);
    if (gate.action === 'changeSeverity') return true;
    if (gate.action === 'lowerSeverity') return to > from;
    if (gate.action === 'raiseSeverity') return to < from;
    return false;
  }
  if (gate.action === 'resolve') return a.to === lifecycle.resolved;
  if (gate.action === 'close') return a.to === lifecycle.states[lifecycle.states.length - 1];
  if (gate.action === 'enterState') return a.to === gate.state;
  return false;
}

/** The plan's gates an action meets, with their index in approvals.actions. */
export function gatesFor(plan: Plan, lifecycle: Lifecycle, a: GatedActionRequest): ActionApprovalGate[] {
  return plan.approvals.actions.flatMap((g, index) =>
    gateApplies(plan, lifecycle, g, a)
      ? [{ index, action: g.action, ...(g.state ? { state: g.state } : {}), by: g.by, quorum: g.quorum }]
      : [],
  );
}

export interface GateProgress {
  gate: ActionApprovalGate;
  approvals: string[];
  missing: number;
}

/** How far each gate of a request is: who approved for it and how many approvals it still needs. */
export function gateProgress(
  request: Pick<ActionApproval, 'gates'>,
  votes: ActionApprovalVote[],
): GateProgress[] {
  return request.gates.map((gate, i) => {
    const approvals = votes
      .filter((v) => v.verdict === 'approved' && v.counts_for.includes(i))
      .map((v) => v.actor_name);
    return { gate, approvals, missing: Math.max(0, gate.quorum - approvals.length) };
  });
}

export function quorumReached(progress: GateProgress[]): boolean {
  return progress.every((p) => p.missing === 0);
}

/** "2 of leadership (1 given)": one line per gate still short of its quorum. */
export function describeMissing(progress: GateProgress[]): string[] {
  return progress
    .filter((p) => p.missing > 0)
    .map(
      (p) =>
        `${p.gate.quorum} of ${p.gate.by.join(' or ')} for ${gateName(p.gate)} (${p.approvals.length} given)`,
    );
}

export function gateName(gate: Pick<ActionApprovalGate, 'action' | 'state'>): string {
  return gate.action === 'enterState' ? `entering ${gate.state}` : gate.action;
}

/** What the request asks, in words: "severity SEV1 → SEV3", "state investigating → resolved". */
export function describeAction(a: GatedActionRequest): string {
  return `${a.kind} ${a.from} → ${a.to}`;
}

export function sameAction(x: GatedActionRequest, y: GatedActionRequest): boolean {
  return x.kind === y.kind && x.to === y.to;
}
