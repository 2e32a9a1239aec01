import type { Executor } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import type { Ctx } from '../context.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import type { Plan } from '../plans/plan.ts';
import * as q from './queries.ts';
import { DEFAULT_PERIOD_MS, type Period, type ReportQuery } from './reports.ts';

/** A report's query without its output format; include_exercises may be left out (false). */
export type ReportInput = Omit<ReportQuery, 'format' | 'include_exercises'> & {
  include_exercises?: boolean | undefined;
};

export interface ReportScope extends Period {
  /** The plan whose goals and metric definitions apply (current version), if one is chosen. */
  planSpec: Plan | undefined;
}

/** The period (default: the 90 days before now) and the plan: the named one, else the only one. */
export async function reportScope(ctx: Ctx, query: ReportInput): Promise<ReportScope> {
  const to = query.to ? new Date(query.to) : ctx.clock.now();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - DEFAULT_PERIOD_MS);
  if (from.getTime() >= to.getTime()) {
    throw new Invalid('empty period', [{ path: 'from', message: `must be before to (${to.toISOString()})` }]);
  }
  const plan = query.plan ?? (await onlyPlan(ctx.db));
  const planSpec = plan ? (await loadPlanVersion(ctx.db, plan)).plan : undefined;
  return {
    from,
    to,
    plan: query.plan ?? null,
    include_exercises: query.include_exercises ?? false,
    planSpec,
  };
}

async function onlyPlan(db: Executor): Promise<string | undefined> {
  const names = await q.planNames(db);
  return names.length === 1 ? names[0]?.name : undefined;
}

/** The period as a report answers it (without the plan's spec). */
export function periodOf(s: ReportScope): Period {
  return { from: s.from, to: s.to, plan: s.plan, include_exercises: s.include_exercises };
}
