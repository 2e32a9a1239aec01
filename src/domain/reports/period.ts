import type { Executor } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import type { Plan } from '../plans/plan.ts';
import * as q from './queries.ts';
import { DEFAULT_PERIOD_MS, type Period, type ReportQuery } from './reports.ts';

export interface ReportScope extends Period {
  /** The plan whose goals and metric definitions apply (current version), if one is chosen. */
  planSpec: Plan | undefined;
}

/** The period (default: the 90 days before now) and the plan: the named one, else the only one. */
export async function reportScope(ctx: Ctx, query: Omit<ReportQuery, 'format'>): Promise<ReportScope> {
  const to = query.to ? new Date(query.to) : ctx.clock.now();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_PERIOD_MS);
  if (from.getTime() >= to.getTime()) {
    throw new Invalid('empty period', [{ path: 'from', message: `must be before to (${to.toISOString()})` }]);
  }
  const plan = query.plan ?? (await onlyPlan(ctx.db));
  const planSpec = plan ? (await loadPlanVersion(ctx.db, plan)).plan : undefined;
  return { from, to, plan: query.plan ?? null, planSpec };
}

async function onlyPlan(db: Executor): Promise<string | undefined> {
  const names = await q.planNames(db);
  return names.length === 1 ? names[0]?.name : undefined;
}
