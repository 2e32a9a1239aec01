import type { Executor, Row } from '../../db/schema.ts';
import * as incidents from '../incidents/queries.ts';
import type { PlanCache } from '../workflows/plan-cache.ts';
import * as q from './queries.ts';
import { runEscalationStep } from './run-step.ts';
import { stopPaging } from './stop-paging.ts';

// The engine's half of escalation: every active escalation whose next step is due gets it run, unless
// its incident was resolved (or, for paging, acknowledged) meanwhile — then it just ends.

export interface DueContext {
  tx: Executor;
  now: Date;
  plans: PlanCache;
  publicUrl: string;
  limit?: number;
}

export async function runDueEscalations(ctx: DueContext): Promise<number> {
  const due = await q.claimDueEscalations(ctx.tx, ctx.now, ctx.limit ?? 200);
  let handled = 0;
  for (const esc of due) handled += await runOne(ctx, esc);
  return handled;
}

async function runOne(ctx: DueContext, esc: Row<'escalations'>): Promise<number> {
  const { tx, now } = ctx;
  if (esc.incident_id === null) {
    await runEscalationStep(tx, esc, { incident: null, plan: null, now, publicUrl: ctx.publicUrl });
    return 1;
  }
  // Not now if the incident is being changed (see lockIncidentForStep): the next tick sees the change.
  if (!(await q.lockIncidentForStep(tx, esc.incident_id))) return 0;
  const incident = await incidents.findIncident(tx, esc.incident_id);
  if (!incident) return 0;
  if (incident.resolved_at) return stopPaging(tx, incident.id, 'resolved', 'tocsin', now);
  if (esc.kind === 'paging' && incident.acknowledged_at) {
    return stopPaging(tx, incident.id, 'acknowledged', 'tocsin', now);
  }
  const plan = await ctx.plans.get(tx, incident.plan_name, incident.plan_version);
  await runEscalationStep(tx, esc, { incident, plan, now, publicUrl: ctx.publicUrl });
  return 1;
}
