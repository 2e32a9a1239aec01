import { loadEnv } from '../config/env.ts';
import { auditPaging } from '../domain/paging/audit-paging.ts';
import type { EngineModule } from './engine.ts';

/** Raises (and resolves) self-alerts when pages stay unsent or the engine falls behind. */
export function auditorModule(
  options: {
    selfService?: string | undefined;
    /** Channels a provider serves here: pages of others are not overdue (default: every channel). */
    deliverable?: readonly string[] | undefined;
  } = {},
): EngineModule {
  const selfService = 'selfService' in options ? options.selfService : loadEnv().TOCSIN_SELF_ALERT_SERVICE;
  let raised = new Set<string>();
  const logged = new Map<string, string>();
  let first = true;
  return {
    id: 45,
    name: 'auditor',
    async tick({ tx, now, clock, log, afterCommit }) {
      // Raised (or resolved) once the tick's transaction commits: a tick that rolls back changed
      // nothing, and its alert must be sent again by the next one.
      const next = new Set(raised);
      const changed = await auditPaging({
        tx,
        now,
        clock,
        log,
        selfService,
        raised: next,
        logged,
        all: first,
        deliverable: options.deliverable,
      });
      afterCommit(() => {
        raised = next;
        first = false;
      });
      return changed;
    },
  };
}
