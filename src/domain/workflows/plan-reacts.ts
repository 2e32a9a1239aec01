import { announces } from '../chat/announcements.ts';
import { opensSlackChannel } from '../chat/incident-channel.ts';
import type { EventKind } from '../incidents/events.ts';
import type { Plan } from '../plans/plan.ts';
import { effectiveRules } from './compile-plan-rules.ts';

/**
 * Whether the workflow-events pass can act on a timeline event of this kind for an incident of this
 * plan: a rule (a workflow or one the plan's fields compile to) triggers on it, the incident's own
 * chat channel hears of it, or an announcement channel posts it — what processWorkflowEvents does
 * with an event besides marking it processed and its incident's timers due. When none can, the
 * writer marks both itself (incidents/queries.ts moveStateIfUnchanged) and the pass is spared a
 * wake-up, a transaction and its commit. A resolved incident's events are the pass's in any case.
 */
export function planReactsTo(plan: Plan, kind: EventKind): boolean {
  return (
    opensSlackChannel(plan) || announces(plan, kind) || effectiveRules(plan).some((r) => r.when === kind)
  );
}
