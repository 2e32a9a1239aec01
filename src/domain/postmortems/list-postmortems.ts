import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { type ListPostmortemsQuery, type Postmortem, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

/** Post-mortems, newest incident first; `overdue: true` lists only those past due and unpublished. */
export async function listPostmortems({
  ctx,
  input,
}: Operation<ListPostmortemsQuery>): Promise<Postmortem[]> {
  ctx.require('read');
  const now = ctx.clock.now();
  const rows = await q.listPostmortems(ctx.db, {
    status: input.status,
    overdueAt: input.overdue ? now : undefined,
    limit: input.limit,
  });
  // The post-mortem of a confidential incident the caller may not see is left out.
  const hidden = await hiddenIncidentIds(
    ctx.db,
    rows.map((r) => r.incident_id),
    ctx.actor,
    now,
  );
  const out = rows.filter((r) => !hidden.has(r.incident_id)).map((r) => withOverdue(r, now));
  return input.overdue === false ? out.filter((p) => !p.overdue) : out;
}
