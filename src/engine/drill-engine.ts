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

/** The real engine for a drill (runDrill); no delivery: its notifications stay in the outbox. */
export const drillEngine: DrillEngine = (deps) =>
  new Engine(
    deps,
    engineModules({ deliver: false }).filter((m) => DRILL_MODULES.includes(m.name)),
  );
