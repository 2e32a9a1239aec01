import type { Operation } from '../context.ts';
import { periodOf, type ReportInput, reportScope } from './period.ts';
import * as q from './queries.ts';
import type { Period, RootCauseRow } from './reports.ts';

export interface RootCauseReport {
  period: Period;
  /** Every category the plan lists (0 when none happened), then any others post-mortems recorded. */
  categories: RootCauseRow[];
  /** Incidents whose post-mortem records no category yet. */
  uncategorised: number;
  /** Incidents without a post-mortem. */
  without_postmortem: number;
}

/** How many of the period's incidents had each root-cause category (as their post-mortems record). */
export async function getRootCauses({ ctx, input }: Operation<ReportInput>): Promise<RootCauseReport> {
  ctx.require('read');
  const scope = await reportScope(ctx, input);
  const rows = await q.countsPerRootCause(ctx.db, scope);
  const counts = new Map<string, number>();
  for (const c of scope.planSpec?.postmortem.rootCauseCategories ?? []) counts.set(c, 0);
  let uncategorised = 0;
  let withoutPostmortem = 0;
  for (const r of rows) {
    if (r.category !== null) counts.set(r.category, (counts.get(r.category) ?? 0) + Number(r.n));
    else if (r.has_postmortem) uncategorised += Number(r.n);
    else withoutPostmortem += Number(r.n);
  }
  return {
    period: periodOf(scope),
    categories: [...counts].map(([category, incidents]) => ({ category, incidents })),
    uncategorised,
    without_postmortem: withoutPostmortem,
  };
}
