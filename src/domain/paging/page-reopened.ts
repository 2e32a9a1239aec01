import type { Executor, Row } from '../../db/schema.ts';
import type { Plan } from '../plans/plan.ts';
import { pageFromPlan } from './page-from-plan.ts';
import type { PagingIncident } from './run-step.ts';

/**
 * Pages a reopened incident as its severity's declaration did (severities[].page, by default the
 * service's escalation policy), from the first step: a recurrence must wake someone again. Each
 * reopen is its own escalation (source `reopened:<instant>`), so the first page does not hide it.
 */
export function pageReopened(
  tx: Executor,
  incident: PagingIncident,
  plan: Plan,
  message: string,
  now: Date,
): Promise<Row<'escalations'> | undefined> {
  const page = plan.severities.find((s) => s.id === incident.severity)?.page ?? {};
  const who = page.policy ?? page.to;
  const servicePolicy = page.servicePolicy !== false;
  if (!who && !servicePolicy) return Promise.resolve(undefined);
  return pageFromPlan(tx, {
    incident,
    plan,
    who: who ? [who] : [],
    channels: page.channels ?? [],
    kind: 'paging',
    servicePolicy,
    source: `reopened:${now.toISOString()}`,
    message,
    now,
  });
}
