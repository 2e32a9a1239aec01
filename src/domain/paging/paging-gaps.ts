import { chatRoutesFromEnv } from '../../notify/providers/chat-webhook.ts';
import type { Plan } from '../plans/plan.ts';
import { chatRouteGaps, silentGroups } from '../plans/recipient-gaps.ts';

// Who an incident of each severity would page, checked before the first real alert finds out: a
// severity (or a service) whose incidents page nobody is the first-hour failure users hit most.

export interface PagingService {
  name: string;
  escalation_policy: string | null;
}

/** Whether a severity's declaration pages someone: its page target, its responders, or (by default) the service's policy. */
function pagesSomeone(plan: Plan, severityId: string, servicePolicy: string | null | undefined): boolean {
  const s = plan.severities.find((x) => x.id === severityId);
  if (!s) return false;
  if (s.page?.policy ?? s.page?.to) return true;
  if (s.responders.length > 0) return true;
  return s.page?.servicePolicy !== false && Boolean(servicePolicy);
}

/**
 * How the plan alone routes a severity's pages: to someone it names (page.to, page.policy,
 * responders), only to the service's escalation policy, or to nobody (servicePolicy: false).
 */
export type SeverityRoute = 'named' | 'service_policy' | 'nobody';

export function severityRoute(s: Plan['severities'][number]): SeverityRoute {
  if ((s.page?.policy ?? s.page?.to) || s.responders.length > 0) return 'named';
  return s.page?.servicePolicy === false ? 'nobody' : 'service_policy';
}

/** Warnings about a plan alone: severities that can page nobody, or only through a service's policy. */
export function planPagingGaps(plan: Plan): string[] {
  const never = plan.severities.filter((s) => severityRoute(s) === 'nobody').map((s) => s.id);
  const viaService = plan.severities.filter((s) => severityRoute(s) === 'service_policy').map((s) => s.id);
  const name = plan.metadata.name;
  return [
    ...(never.length > 0
      ? [
          `plan ${name}: ${never.join(', ')} incidents page nobody (page names no \`to\` or \`policy\` and servicePolicy is false)`,
        ]
      : []),
    ...(viaService.length > 0
      ? [
          `plan ${name}: ${viaService.join(', ')} incidents page only their service's escalation policy; without one they page nobody (set severities[].page.to or .policy)`,
        ]
      : []),
  ];
}

/** Warnings about one service under its plan: each severity whose incidents of this service page nobody. */
export function servicePagingGaps(service: PagingService, plan: Plan | undefined): string[] {
  if (!plan) {
    return [`service ${service.name}: no plan, so its alerts open no incident and page nobody`];
  }
  const silent = plan.severities.filter((s) => !pagesSomeone(plan, s.id, service.escalation_policy));
  if (silent.length === 0) return [];
  const ids = silent.map((s) => s.id).join(', ');
  const why = service.escalation_policy
    ? `plan ${plan.metadata.name} sets servicePolicy: false and names nobody for them`
    : `the service has no escalationPolicy and plan ${plan.metadata.name} names nobody to page for them`;
  return [`service ${service.name}: ${ids} incidents page nobody (${why})`];
}

/**
 * Warnings about whom a plan's pages and messages would reach nobody: groups of no one Tocsin can
 * message, and chat channels this server has no route for (its TOCSIN_CHAT_WEBHOOKS and Slack bot).
 */
export function planRecipientGaps(plan: Plan, routes = chatRoutesFromEnv()): string[] {
  return [
    ...silentGroups(plan).map((g) => `plan ${plan.metadata.name}: ${g.message}`),
    ...chatRouteGaps(plan, routes),
  ];
}
