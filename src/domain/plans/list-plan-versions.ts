import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import * as plans from './queries.ts';

export interface PlanVersionSummary {
  version: number;
  current: boolean;
  digest: string;
  created_at: Date;
  created_by: string;
}

/** A plan's version history, newest first. */
export async function listPlanVersions({
  ctx,
  input,
}: Operation<{ name: string }>): Promise<PlanVersionSummary[]> {
  ctx.require('read');
  const head = await plans.findPlan(ctx.db, input.name);
  if (!head) throw new NotFound('plan', input.name);
  const rows = await plans.listVersions(ctx.db, input.name);
  return rows.map((r) => ({
    version: r.version,
    current: r.version === head.current_version,
    digest: r.digest,
    created_at: r.created_at,
    created_by: r.created_by,
  }));
}
