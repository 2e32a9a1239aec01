import { noteAlertsResolved } from '../domain/alert-rules/note-alerts-resolved.ts';
import { routeAlerts } from '../domain/alert-rules/route-alerts.ts';
import type { EngineModule } from './engine.ts';

/**
 * From alerts to incidents: decides what each new alert does under its service's rules, and notes
 * incidents whose alerts have all resolved.
 */
export function alertRulesModule(): EngineModule {
  return {
    id: 20,
    name: 'alert-rules',
    tick: async ({ tx, now, log }) =>
      (await routeAlerts({ tx, now, log })) + (await noteAlertsResolved({ tx, now, log })),
  };
}
