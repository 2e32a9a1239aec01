import type { Operation } from '../context.ts';
import { readVisibleIncident } from './change.ts';
import { computeTargets, type TargetClock } from './targets.ts';

/** The incident's target clocks (met / breached / pending) under the plan version it was declared with. */
export async function getIncidentTargets({
  ctx,
  input,
}: Operation<{ incidentId: string }>): Promise<TargetClock[]> {
  ctx.require('read');
  const { incident, plan } = await readVisibleIncident(ctx, input.incidentId);
  return computeTargets(incident, plan, ctx.clock.now());
}
