import { formatDuration, parseDuration } from '../../lib/duration.ts';
import type { Incident } from '../incidents/incident.ts';
import { type Plan, severityOf } from '../plans/plan.ts';
import { requiredPostmortemDue } from '../postmortems/open-postmortem.ts';
import { DEFAULT_DEFINITIONS, type Moment } from '../reports/reports.ts';
import { matchingRunbooks, runbookFacts } from '../runbooks/runbooks.ts';

// The rules a drill judges beyond targets and cadence: the plan's goals (for this one incident) and
// its verification window; and the rules it cannot judge, said out loud as "not checked".

export interface DrillRuleRow {
  rule: string;
  expected: string;
  actual: string;
  verdict: 'met' | 'breached' | 'not checked';
  /** Counted in the drill's pass/fail (goals are means over many incidents: reported, not counted). */
  counts: boolean;
  note?: string;
}

type Milestone = Moment;

/** When the incident reached a milestone (detection defaults to its declaration). */
export function momentOf(incident: Incident, m: Milestone): Date | null {
  switch (m) {
    case 'detected':
      return incident.detected_at ?? incident.declared_at;
    case 'declared':
      return incident.declared_at;
    case 'acknowledged':
      return incident.acknowledged_at;
    case 'triaged':
      return incident.triaged_at;
    case 'mitigated':
      return incident.mitigated_at;
    case 'resolved':
      return incident.resolved_at;
  }
}

/** Goals (mttd, mtta, mttr) for the incident's severity: this incident's time against each. */
export function goalRows(plan: Plan, incident: Incident): DrillRuleRow[] {
  const rows: DrillRuleRow[] = [];
  for (const metric of ['mttd', 'mtta', 'mttr'] as const) {
    const goal = plan.goals?.[metric];
    const limit = goal?.bySeverity?.[incident.severity] ?? goal?.target;
    if (!goal || !limit) continue;
    const { from: fromDefault, to: toDefault } = DEFAULT_DEFINITIONS[metric];
    const from = momentOf(incident, (goal.from ?? fromDefault) as Milestone);
    const to = momentOf(incident, (goal.to ?? toDefault) as Milestone);
    const rule = `goals.${metric}${goal.bySeverity?.[incident.severity] ? `.bySeverity.${incident.severity}` : '.target'}`;
    if (!from || !to) {
      rows.push({
        rule,
        expected: limit,
        actual: '—',
        verdict: 'not checked',
        counts: false,
        note: 'never reached',
      });
      continue;
    }
    const ms = to.getTime() - from.getTime();
    rows.push({
      rule,
      expected: `≤ ${limit} (${goal.from ?? fromDefault} → ${goal.to ?? toDefault})`,
      actual: formatDuration(ms),
      verdict: ms <= parseDuration(limit) ? 'met' : 'breached',
      counts: false,
      note: 'a mean over incidents: this one is reported, not counted',
    });
  }
  return rows;
}

/** verification.monitorFor: the incident stayed in the verification state that long before resolving. */
export function verificationRow(
  plan: Plan,
  incident: Incident,
  states: { at: Date; data: Record<string, unknown> }[],
): DrillRuleRow | undefined {
  const v = plan.verification;
  if (!v?.monitorFor) return undefined;
  const state = v.state ?? 'monitoring';
  const expected = `≥ ${v.monitorFor} in ${state} before resolving`;
  if (!incident.resolved_at) {
    return {
      rule: 'verification.monitorFor',
      expected,
      actual: 'not resolved',
      verdict: 'not checked',
      counts: false,
    };
  }
  const resolvedAt = incident.resolved_at.getTime();
  // The last entry into the verification state before resolution, and how long it lasted.
  const entries = states.filter((e) => e.data.to === state && e.at.getTime() <= resolvedAt);
  const last = entries[entries.length - 1];
  if (!last) {
    return {
      rule: 'verification.monitorFor',
      expected,
      actual: `never in ${state}`,
      verdict: 'breached',
      counts: true,
    };
  }
  const leftAt = states
    .find((e) => e.at.getTime() > last.at.getTime() && e.data.from === state)
    ?.at.getTime();
  const ms = Math.min(leftAt ?? resolvedAt, resolvedAt) - last.at.getTime();
  return {
    rule: 'verification.monitorFor',
    expected,
    actual: formatDuration(ms),
    verdict: ms >= parseDuration(v.monitorFor) ? 'met' : 'breached',
    counts: true,
  };
}

/** A post-mortem as the drill left it (postmortems row). */
export interface DrillPostmortem {
  status: string;
  due_at: Date | null;
  created_at: Date;
  published_at: Date | null;
}

/**
 * Post-mortem deadlines (severities[].postmortem.required/due, postmortem.requiredWhen): one is
 * created at resolution when the plan requires it, and published by its due time, judged on the
 * drill's clock (which runs to the due time when the scenario leaves it unpublished).
 */
export function postmortemRow(
  plan: Plan,
  incident: Incident,
  document: DrillPostmortem | null,
  now: Date,
  offsetOf: (at: Date) => string | null,
): DrillRuleRow | undefined {
  const bySeverity = severityOf(plan, incident.severity)?.postmortem?.required === true;
  const rule = bySeverity ? `severities.${incident.severity}.postmortem` : 'postmortem.requiredWhen';
  if (!incident.resolved_at) {
    if (!bySeverity && !plan.postmortem?.requiredWhen) return undefined;
    return {
      rule,
      expected: 'a post-mortem when resolved',
      actual: 'not resolved',
      verdict: 'not checked',
      counts: false,
    };
  }
  const due = requiredPostmortemDue(plan, incident, incident.resolved_at);
  if (due === undefined) return undefined;
  const expected = due ? `created at resolution, published within ${due}` : 'created at resolution';
  if (!document) return { rule, expected, actual: 'no post-mortem', verdict: 'breached', counts: true };
  const created = `created ${offsetOf(document.created_at)}`;
  if (!document.due_at)
    return { rule, expected, actual: `${created}, ${document.status}`, verdict: 'met', counts: true };
  const by = `due ${offsetOf(document.due_at)}`;
  if (document.published_at) {
    const met = document.published_at <= document.due_at;
    const actual = `${created}, published ${offsetOf(document.published_at)} (${by})`;
    return { rule: `${rule}.due`, expected, actual, verdict: met ? 'met' : 'breached', counts: true };
  }
  const actual = `${created}, still ${document.status.replace('_', ' ')} at ${offsetOf(now)} (${by})`;
  return now > document.due_at
    ? { rule: `${rule}.due`, expected, actual, verdict: 'breached', counts: true }
    : {
        rule: `${rule}.due`,
        expected,
        actual,
        verdict: 'not checked',
        counts: false,
        note: 'due after the drill',
      };
}

/** runbooks[].attach: each runbook matching the incident (at its final severity) was attached to it. */
export function runbookRows(plan: Plan, incident: Incident, attached: string[]): DrillRuleRow[] {
  return matchingRunbooks(plan, runbookFacts(incident)).map((r) => {
    const met = attached.includes(r.id);
    return {
      rule: `runbooks.${r.id}.attach`,
      expected: 'attached',
      actual: met ? 'attached' : 'not attached',
      verdict: met ? 'met' : 'breached',
      counts: true,
    };
  });
}

/** Rules the plan sets that a drill cannot judge. */
export function notChecked(plan: Plan): DrillRuleRow[] {
  const rows: DrillRuleRow[] = [];
  const add = (rule: string, why: string) =>
    rows.push({ rule, expected: '—', actual: '—', verdict: 'not checked', counts: false, note: why });
  if (plan.verification?.checks.some((c) => c.metric))
    add('verification.checks', 'metrics are not measured in a drill');
  if (Object.keys(plan.goals?.maxPerQuarter ?? {}).length > 0)
    add('goals.maxPerQuarter', 'needs a quarter of incidents');
  if (plan.goals?.review) add('goals.review', 'a calendar rule, not an incident rule');
  if (plan.postmortem.meeting) add('postmortem.meeting', 'meetings happen outside Tocsin');
  if (plan.review) add('review', "the plan's own review cycle");
  return rows;
}

/** An approval request on a gated action as the drill saw it (action-approvals/view.ts). */
export interface DrillApprovalRequest {
  summary: string;
  status: string;
  requested_by: string;
  gates: { index: number; quorum: number; approved_by: string[] }[];
  votes: { by: string; verdict: string }[];
}

/**
 * approvals.actions: each gate asked for in the drill is met when every request it covers was decided
 * (approved by its quorum, none of them the requester, or rejected); a request still waiting at the
 * end is breached (the action never happened). A gate nobody asked for is not checked.
 */
export function gateRows(plan: Plan, requests: DrillApprovalRequest[]): DrillRuleRow[] {
  return plan.approvals.actions.map((g, i) => {
    const rule = `approvals.actions[${i}]`;
    const expected = `${g.action === 'enterState' ? `entering ${g.state}` : g.action}: ${g.quorum} of ${g.by.join(' or ')}`;
    const mine = requests.flatMap((r) => {
      const gate = r.gates.find((x) => x.index === i);
      return gate ? [{ r, gate }] : [];
    });
    if (mine.length === 0)
      return {
        rule,
        expected,
        actual: '—',
        verdict: 'not checked',
        counts: false,
        note: 'not asked for in the drill',
      };
    const bad = mine.filter(
      ({ r, gate }) =>
        r.status === 'pending' ||
        (r.status === 'approved' &&
          (gate.approved_by.length < gate.quorum || gate.approved_by.includes(r.requested_by))),
    );
    const actual = mine
      .map(({ r, gate }) =>
        r.status === 'rejected'
          ? `${r.summary}: rejected by ${r.votes.find((v) => v.verdict === 'rejected')?.by}`
          : `${r.summary} asked by ${r.requested_by}: ${r.status}${gate.approved_by.length > 0 ? ` (approved by ${gate.approved_by.join(', ')})` : ''}`,
      )
      .join('; ');
    return {
      rule,
      expected,
      actual,
      verdict: bad.length === 0 ? 'met' : 'breached',
      counts: true,
      ...(bad.some(({ r }) => r.status === 'pending')
        ? { note: 'still waiting for approval at the end' }
        : {}),
    };
  });
}

/** An update the plan asks approval of, with its reviews (incident_update_reviews rows). */
export interface ApprovedUpdate {
  id: string;
  audience: 'internal' | 'external';
  status: string;
  revision: number;
  created_at: Date;
  published_at: Date | null;
  reviews: { revision: number; verdict: string; requirement: string | null; actor_name: string; at: Date }[];
}

/**
 * approvals.internal / approvals.external: each update of an audience the plan asks approval of was
 * approved, for every requirement, by a different person on the revision that was published. One
 * still waiting when the drill ends breaches it (it never reached its audience).
 */
export function approvalRows(
  plan: Plan,
  updates: ApprovedUpdate[],
  offsetOf: (at: Date) => string,
): DrillRuleRow[] {
  return updates.flatMap((u) => {
    const required = [...new Set(plan.approvals[u.audience] ?? [])];
    if (required.length === 0) return [];
    const approved = u.reviews.filter(
      (r) => r.revision === u.revision && r.verdict === 'approved' && r.requirement !== null,
    );
    const byRequirement = required.map((req) => approved.find((r) => r.requirement === req));
    const people = new Set(approved.map((r) => r.actor_name));
    const missing = required.filter((_, i) => !byRequirement[i]);
    const actual = [
      ...approved.map((r) => `${r.actor_name} as ${r.requirement} ${offsetOf(r.at)}`),
      ...(missing.length > 0 ? [`waiting for ${missing.join(' and ')}`] : []),
    ].join(', ');
    const met = u.status === 'published' && missing.length === 0 && people.size >= required.length;
    return [
      {
        rule: `approvals.${u.audience}`,
        expected: required.join(' + '),
        actual,
        verdict: met ? 'met' : 'breached',
        counts: true,
        note: `update ${u.id} written ${offsetOf(u.created_at)}, ${
          u.published_at ? `published ${offsetOf(u.published_at)}` : 'never published'
        }`,
      },
    ];
  });
}

/** An alert step as the drill saw it: what ingest did and what the alert rules decided. */
export interface DrillAlertRow {
  at_offset: string;
  key: string;
  action: string;
  outcome: string;
  /** alerts.routing: declared:ID, grouped:ID, reopened:ID, suppressed:ID, recorded, … */
  routing: string | null;
  incident_id: string | null;
}

/** A trigger of a key after the incident it fed was resolved (the alert row is `row`). */
export interface Recurrence {
  row: number;
  incidentId: string;
  resolvedAt: Date;
  at: Date;
}

/**
 * lifecycle.reopenWithin: a recurrence within the window of the resolution reopens the incident
 * (and pages again); a later one, or any when the plan sets no window, opens a new incident.
 */
export function recurrenceRow(plan: Plan, r: Recurrence, alert: DrillAlertRow): DrillRuleRow {
  const within = plan.lifecycle.reopenWithin;
  const after = r.at.getTime() - r.resolvedAt.getTime();
  const reopens = within !== undefined && after <= parseDuration(within);
  const expected = reopens ? `reopens #${r.incidentId}` : 'opens a new incident';
  const [how, id] = (alert.routing ?? 'not routed').split(':');
  const actual =
    how === 'reopened'
      ? `reopened #${id}`
      : how === 'declared'
        ? `opened #${id}`
        : (alert.routing ?? 'not routed');
  const met = reopens ? how === 'reopened' && id === r.incidentId : how === 'declared';
  return {
    rule: 'lifecycle.reopenWithin',
    expected,
    actual,
    verdict: met ? 'met' : 'breached',
    counts: true,
    note: `"${alert.key}" again ${formatDuration(after)} after #${r.incidentId} resolved${within ? ` (window ${within})` : ' (no window)'}`,
  };
}

type DueItems = Awaited<ReturnType<typeof import('./queries.ts').dueItems>>;

/**
 * tasks: each task or action item with a due time was reminded before it (when it was given that
 * due time before the reminder was due) and, overdue unfinished by the end of the drill, escalated.
 */
export function dueTaskRows(remindBeforeMs: number, { items, events }: DueItems, now: Date): DrillRuleRow[] {
  const of = (kind: string, id: string) =>
    events.find((e) => e.kind === kind && (e.data as { action_item_id?: string }).action_item_id === id);
  return items.flatMap((item) => {
    const due = item.due_at as Date;
    const rows: DrillRuleRow[] = [];
    const remindAt = due.getTime() - remindBeforeMs;
    if (item.created_at.getTime() < remindAt && remindAt <= now.getTime()) {
      const reminded = of('task.due_soon', item.id);
      rows.push({
        rule: 'tasks.remindBefore',
        expected: `"${item.title}": owner reminded by ${new Date(remindAt).toISOString()}`,
        actual: reminded ? `reminded ${reminded.at.toISOString()}` : 'not reminded',
        verdict: reminded && reminded.at.getTime() <= remindAt + 60_000 ? 'met' : 'breached',
        counts: true,
      });
    }
    if (due < now && (!item.done_at || item.done_at > due)) {
      const escalated = of('task.overdue', item.id);
      rows.push({
        rule: 'tasks.escalateTo',
        expected: `"${item.title}": escalated once overdue (${due.toISOString()})`,
        actual: escalated ? `escalated ${escalated.at.toISOString()}` : 'not escalated',
        verdict: escalated ? 'met' : 'breached',
        counts: true,
      });
    }
    return rows;
  });
}

type Pages = Awaited<ReturnType<typeof import('./queries.ts').pagesOf>>;

/**
 * urgency (issue 11 §3.9): a low-urgency incident pages best effort — its pages say so and none
 * moved past its first step or round. A high-urgency incident adds no row.
 */
export function urgencyRow(incident: Incident, { escalations, started }: Pages): DrillRuleRow[] {
  if (incident.urgency !== 'low') return [];
  const policies = started.map((e) => String((e.data as { policy?: unknown }).policy ?? ''));
  // `step` is the next step to notify once one ran: past 1, or a second round, a later step paged.
  const escalated = escalations.filter((e) => e.step > 1 || e.round > 0).length;
  const bestEffort = policies.length > 0 && policies.every((p) => p.includes('best effort'));
  return [
    {
      rule: 'urgency',
      expected: `#${incident.id} low: best effort, no escalation`,
      actual:
        policies.length === 0
          ? 'not paged'
          : `paged ${policies.join('; ')}${escalated > 0 ? `; ${escalated} paged a later step` : ''}`,
      verdict: bestEffort && escalated === 0 ? 'met' : 'breached',
      counts: true,
    },
  ];
}

/** A shadow's acknowledge step the drill saw refused (escalationPolicies[].steps[].shadows). */
export interface ShadowRefusal {
  incidentId: string;
  who: string;
  at: Date;
}

/**
 * shadows (issue 11 §3.11): a shadow's acknowledgement is refused and changes nothing — the
 * incident stays unacknowledged by it and the escalation goes on: someone paged (not shadowed)
 * after the refusal, unless a person paged acknowledged first.
 */
export function shadowRow(
  refusal: ShadowRefusal,
  incident: Incident,
  pagedAfter: { at: Date; to: string }[],
  offsetOf: (d: Date) => string,
): DrillRuleRow {
  const ackedBy = incident.acknowledged_at && incident.acknowledged_at <= refusal.at;
  const next = pagedAfter[0];
  const actual = ackedBy
    ? `#${incident.id} was acknowledged at ${offsetOf(incident.acknowledged_at as Date)}`
    : next
      ? `refused at ${offsetOf(refusal.at)}; ${next.to} paged at ${offsetOf(next.at)}`
      : `refused at ${offsetOf(refusal.at)}; nobody paged after it`;
  return {
    rule: 'shadows',
    expected: `${refusal.who} shadows #${incident.id}: cannot acknowledge, the escalation goes on`,
    actual,
    verdict: !ackedBy && next ? 'met' : 'breached',
    counts: true,
  };
}
