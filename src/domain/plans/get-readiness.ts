import type { Operation } from '../context.ts';
import { coverageOfAll, gapsOf } from '../schedules/coverage.ts';
import { loadPlanVersion } from './get-plan.ts';
import * as q from './queries.ts';
import { daysBetween, GAP_WINDOW_DAYS, planReadiness, type ServerReadiness } from './readiness.ts';

const DAY = 86_400_000;

/**
 * The readiness report of a stored plan (current version): what the plan file says (paging route per
 * severity, review due) and what only the server knows: whether each of the plan's services has an
 * owner (a team or an escalation policy) and a runbook the plan attaches to it by name, the times in
 * the next 14 days a schedule has nobody on call, and the days since the plan's last exercise.
 */
export async function getReadiness({ ctx, input }: Operation<{ name: string }>): Promise<ServerReadiness> {
  ctx.require('read');
  const { plan, version } = await loadPlanVersion(ctx.db, input.name);
  const now = ctx.clock.now();
  const to = new Date(now.getTime() + GAP_WINDOW_DAYS * DAY);
  const [services, coverage, lastExercise] = await Promise.all([
    q.servicesOfPlan(ctx.db, input.name),
    coverageOfAll(ctx.db, now, to),
    q.lastExerciseAt(ctx.db, input.name),
  ]);
  return {
    plan: input.name,
    version,
    ...planReadiness(plan, now),
    services: services.map((s) => {
      const runbooks = plan.runbooks.filter((r) => r.attach?.services.includes(s.name)).map((r) => r.id);
      const owned = s.team !== null || s.escalation_policy !== null;
      return { ...s, runbooks, ready: owned && runbooks.length > 0 };
    }),
    window: { from: now.toISOString(), to: to.toISOString() },
    schedules: coverage.map((c) => ({
      schedule: c.schedule,
      time_zone: c.time_zone,
      gaps: gapsOf(c.shifts, now, to).map((g) => ({
        start: g.start.toISOString(),
        end: g.end.toISOString(),
      })),
    })),
    last_exercise_at: lastExercise?.toISOString() ?? null,
    days_since_last_exercise: lastExercise ? daysBetween(lastExercise, now) : null,
  };
}
