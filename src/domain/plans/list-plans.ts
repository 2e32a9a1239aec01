import type { Operation } from '../context.ts';
import { upgradeStoredPlan } from './plan.ts';
import * as plans from './queries.ts';

export interface PlanSummary {
  name: string;
  title: string | null;
  current_version: number;
  digest: string;
  severities: string[];
  updated_at: Date;
}

/** Every stored plan at its current version. */
export async function listPlans({ ctx }: Operation<void>): Promise<PlanSummary[]> {
  ctx.require('read');
  const rows = await plans.listPlans(ctx.db);
  return rows.map((r) => {
    const spec = upgradeStoredPlan(r.spec, r.digest);
    return {
      name: r.name,
      title: spec.metadata.title ?? null,
      current_version: r.current_version,
      digest: r.digest,
      severities: spec.severities.map((s) => s.id),
      updated_at: r.updated_at,
    };
  });
}
