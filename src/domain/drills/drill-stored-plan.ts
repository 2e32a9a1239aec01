import { Unavailable } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { type DrillEngine, type DrillReport, planDrill, runDrill } from './run-drill.ts';
import { openThrowawayStore } from './throwaway-store.ts';

export interface DrillStoredPlanInput {
  plan: string;
  severity?: string | undefined;
  /** The PostgreSQL server a throwaway database is made on (the store Tocsin runs on). */
  serverUrl: string | undefined;
  engine: DrillEngine;
}

/**
 * Drills a stored plan's current version (the console's "run a drill"): the same drill as `tocsin
 * drill`, in a throwaway database on the same server, so the live store is never touched. Managers
 * only: it creates and drops a database.
 */
export async function drillStoredPlan({ ctx, input }: Operation<DrillStoredPlanInput>): Promise<DrillReport> {
  ctx.require('plan:write');
  const stored = await loadPlanVersion(ctx.db, input.plan);
  const drill = {
    planSource: stored.source,
    planFile: `${stored.name}@${stored.version}`,
    severity: input.severity,
  };
  // A severity the plan does not have fails here, before a database is made.
  planDrill(drill);
  if (!input.serverUrl) throw new Unavailable('drills are not available on this instance');
  const store = await openThrowawayStore(input.serverUrl);
  try {
    return await runDrill(store.db, drill, input.engine);
  } finally {
    await store.close();
  }
}
