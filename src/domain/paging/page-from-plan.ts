import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { EscalationStep, Executor, Row } from '../../db/schema.ts';
import { memoized } from '../../db/tx-memo.ts';
import * as policies from '../escalation-policies/queries.ts';
import { downgradingWindow } from '../maintenance/downgrading-window.ts';
import type { Plan } from '../plans/plan.ts';
import { isPolicyTarget } from '../plans/target-kinds.ts';
import { businessHoursOf, isBusinessHours } from '../workflows/business-hours.ts';
import * as q from './queries.ts';
import type { PagingIncident } from './run-step.ts';
import { startPaging } from './start-paging.ts';
import { contactKinds, DEFAULT_ESCALATE_AFTER_SECONDS, planPolicySteps, targetOf } from './steps.ts';

// A page the plan (or a workflow) asks for, turned into an escalation: who (a plan escalation policy,
// the service's own escalation policy, or groups/roles/people), how (the severity's channels), and
// the severity's response hours (best effort after hours: a low-urgency page, no escalation), and
// a `downgrade` maintenance window on the incident's service, and a low-urgency incident (issue 11
// §3.9, set by the service's alert rules or at declare) are best effort the same way.

export interface PlanPage {
  incident: PagingIncident;
  plan: Plan;
  /** Plan policy ids, groups, roles, user:/schedule:/team: targets — several make one step. */
  who: string[];
  /** The plan's page channels (phone, sms, push, chat, email); empty: each person's rules. */
  channels: readonly string[];
  kind: 'paging' | 'duration';
  /** The severity's own page: a service with an escalation policy pages that one instead. */
  servicePolicy: boolean;
  source: string;
  message: string;
  now: Date;
}

/** Contact kinds used after business hours for a best-effort severity: nothing that rings. */
const AFTER_HOURS_KINDS = ['push', 'email', 'slack'];

let publicUrl: string | undefined;
/** TOCSIN_PUBLIC_URL (read once): links in messages start with it. */
export function linkBase(): string {
  publicUrl ??= publicUrlOf(loadEnv());
  return publicUrl;
}

export async function pageFromPlan(tx: Executor, page: PlanPage): Promise<Row<'escalations'> | undefined> {
  const found = await stepsFor(tx, page);
  // A severity that pages only the service's policy, for an incident whose service has none.
  if (!found) return undefined;
  const { steps, repeat, policy } = found;
  let channels = contactKinds(page.channels);
  let run = { steps, repeat };
  const severity = page.plan.severities.find((s) => s.id === page.incident.severity);
  const afterHours =
    severity?.response?.hours === 'business-hours-best-effort' &&
    !isBusinessHours(page.now, businessHoursOf(page.plan));
  const window = page.incident.service
    ? await memoized(tx, `downgrade:${page.incident.service}:${page.now.getTime()}`, () =>
        downgradingWindow(tx, page.incident.service as string, page.now),
      )
    : undefined;
  const lowUrgency = page.incident.urgency === 'low';
  const bestEffort = lowUrgency || afterHours || window !== undefined;
  const why = lowUrgency
    ? 'low urgency'
    : window
      ? `maintenance window ${window.name ?? window.id}`
      : 'after business hours';
  if (bestEffort) {
    channels = channels.filter((k) => AFTER_HOURS_KINDS.includes(k));
    if (channels.length === 0) channels = AFTER_HOURS_KINDS;
    run = { steps: steps.slice(0, 1), repeat: 0 };
  }
  return startPaging(tx, {
    incident: page.incident,
    plan: page.plan,
    kind: page.kind,
    source: page.source,
    policy: bestEffort ? `${policy} (${why}: best effort, no escalation)` : policy,
    steps: run.steps,
    repeat: run.repeat,
    channels,
    message: page.message,
    now: page.now,
    publicUrl: linkBase(),
  });
}

async function stepsFor(
  tx: Executor,
  page: PlanPage,
): Promise<{ steps: EscalationStep[]; repeat: number; policy: string } | undefined> {
  if (page.servicePolicy && page.incident.service) {
    const name = page.incident.service;
    const service = await memoized(tx, `service:${name}`, () => q.serviceOf(tx, name));
    const policy = service?.escalation_policy;
    const stored = policy
      ? await memoized(tx, `policy:${policy}`, () => policies.findPolicy(tx, policy))
      : undefined;
    if (stored)
      return { steps: stored.steps, repeat: stored.repeat, policy: `escalation policy ${stored.name}` };
  }
  if (page.who.length === 0) return undefined;
  const [only] = page.who;
  if (page.who.length === 1 && only && isPolicyTarget(only, page.plan)) {
    const planPolicy = planPolicySteps(page.plan, only);
    if (planPolicy) return { ...planPolicy, policy: `plan policy ${only}` };
  }
  // Several targets make one step; a plan policy among them contributes its first step's people.
  const targets = page.who.flatMap((who) => {
    if (!isPolicyTarget(who, page.plan)) return [targetOf(who, page.plan)];
    return planPolicySteps(page.plan, who)?.steps[0]?.targets ?? [];
  });
  return {
    steps: [{ escalateAfterSeconds: DEFAULT_ESCALATE_AFTER_SECONDS, targets }],
    repeat: 0,
    policy: page.who.join(', '),
  };
}
