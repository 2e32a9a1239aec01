import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import * as q from './queries.ts';

export interface WorkflowRunView {
  id: string;
  workflow: string;
  source: 'plan' | 'workflow';
  trigger_key: string;
  fired_at: Date;
  plan_name: string;
  plan_version: number;
  actions: unknown;
}

/** The workflow firings of one incident, newest first, with what each action did. */
export async function listWorkflowRuns({
  ctx,
  input,
}: Operation<{ incidentId: string; limit: number }>): Promise<WorkflowRunView[]> {
  ctx.require('read');
  await readVisibleIncident(ctx, input.incidentId);
  const rows = await q.listRuns(ctx.db, input.incidentId, input.limit);
  return rows.map((r) => ({
    id: String(r.id),
    workflow: r.workflow,
    source: r.source,
    trigger_key: r.trigger_key,
    fired_at: r.fired_at,
    plan_name: r.plan_name,
    plan_version: r.plan_version,
    actions: r.actions,
  }));
}
