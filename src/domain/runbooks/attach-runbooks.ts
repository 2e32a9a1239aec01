import type { Executor } from '../../db/schema.ts';
import { EVENT_KINDS, type EventKind } from '../incidents/events.ts';
import * as incidents from '../incidents/queries.ts';
import type { Plan } from '../plans/plan.ts';
import { attachedRunbookIds } from './queries.ts';
import {
  type IncidentFacts,
  matchingRunbooks,
  type PlanRunbook,
  runbookChecklist,
  runbookItems,
} from './runbooks.ts';

export interface AttachInput {
  incidentId: string;
  plan: Plan;
  /** The runbooks to attach: those matching these facts, or the ones named. */
  facts?: IncidentFacts;
  ids?: string[];
  event(kind: EventKind, data: Record<string, unknown>): Promise<unknown>;
}

/**
 * Attaches runbooks to an incident, in the caller's transaction: each one not attached yet becomes
 * the checklist `runbook:<id>` (its steps, if any) and a `runbook.attached` timeline event, which
 * marks it attached: attaching again is a no-op.
 */
export async function attachRunbooks(tx: Executor, input: AttachInput): Promise<PlanRunbook[]> {
  const wanted = [
    ...(input.facts ? matchingRunbooks(input.plan, input.facts) : []),
    ...input.plan.runbooks.filter((r) => input.ids?.includes(r.id)),
  ];
  if (wanted.length === 0) return [];
  const already = new Set(await attachedRunbookIds(tx, input.incidentId));
  const attached: PlanRunbook[] = [];
  for (const runbook of new Set(wanted)) {
    if (already.has(runbook.id)) continue;
    already.add(runbook.id);
    const checklist = runbookChecklist(runbook.id);
    await incidents.insertChecklistItems(
      tx,
      runbookItems(runbook).map((text, position) => ({
        incident_id: input.incidentId,
        checklist,
        position,
        text,
        source: 'plan',
      })),
    );
    await input.event(EVENT_KINDS.runbookAttached, {
      runbook: runbook.id,
      title: runbook.title,
      ...(runbook.url ? { url: runbook.url } : {}),
      steps: runbook.triage.length + runbook.steps.length,
    });
    attached.push(runbook);
  }
  return attached;
}
