import { autoResolveAlerts } from '../domain/alerts/auto-resolve-alerts.ts';
import type { EngineModule } from './engine.ts';

/** Resolves open alerts not seen again for their service's `rules.autoResolve`. */
export function alertAutoResolveModule(): EngineModule {
  return {
    id: 11,
    name: 'alert-auto-resolve',
    tick: ({ tx, now }) => autoResolveAlerts({ tx, now }),
  };
}
