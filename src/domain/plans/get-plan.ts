import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { type Plan, upgradeStoredPlan } from './plan.ts';
import * as plans from './queries.ts';

export interface PlanVersionView {
  name: string;
  version: number;
  current_version: number;
  digest: string;
  source: string;
  plan: Plan;
  created_at: Date;
  created_by: string;
}

/** A plan's version (default: the current one) read inside any executor; used by other concepts. */
export async function loadPlanVersion(
  db: Executor,
  name: string,
  version?: number,
): Promise<PlanVersionView> {
  const head = await plans.findPlan(db, name);
  if (!head) throw new NotFound('plan', name);
  const v = version ?? head.current_version;
  const row = await plans.findVersion(db, name, v);
  if (!row) throw new NotFound('plan version', `${name}@${v}`);
  return {
    name,
    version: row.version,
    current_version: head.current_version,
    digest: row.digest,
    source: row.source,
    plan: upgradeStoredPlan(row.spec, row.digest),
    created_at: row.created_at,
    created_by: row.created_by,
  };
}

export async function getPlan({ ctx, input }: Operation<{ name: string; version?: number | undefined }>) {
  ctx.require('read');
  return loadPlanVersion(ctx.db, input.name, input.version);
}
