import type { DrillEngine } from '../domain/drills/run-drill.ts';
import { Engine } from './engine.ts';
import { engineModules } from './modules.ts';

/**
 * The modules a drill gives work to: its incident's workflows and timers, paging, handoffs. The alert
 * sources and alert routing (heartbeats, checks, vendor feeds, alert rules, auto-resolve) have nothing
 * to act on in a drill's store — a drill raises no alert — yet each would cost a transaction on every
 * pass of every clock move; without them a drill runs at full virtual speed.
 */
export const DRILL_MODULES = ['workflow-timers', 'workflow-events', 'escalations', 'schedule-handoffs'];

/** Added when a scenario raises alerts: they go from alert to incident through the real rules. */
export const DRILL_ALERT_MODULES = ['alert-rules'];

/** Added when the plan gives tasks due times: owners reminded before, escalation once overdue. */
export const DRILL_TASK_MODULES = ['action-item-reminders'];

/** The real engine for a drill (runDrill); no delivery: its notifications stay in the outbox. */
export const drillEngine: DrillEngine = (deps, options) => {
  const names = [
    ...DRILL_MODULES,
    ...(options?.alerts ? DRILL_ALERT_MODULES : []),
    ...(options?.tasks ? DRILL_TASK_MODULES : []),
  ];
  return new Engine(
    deps,
    engineModules({ deliver: false }).filter((m) => names.includes(m.name)),
  );
};
