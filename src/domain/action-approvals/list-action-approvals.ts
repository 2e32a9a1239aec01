import type { Operation } from '../context.ts';
import { readIncident } from '../incidents/change.ts';
import * as q from './queries.ts';
import { approvalView } from './view.ts';

/** An incident's approval requests on actions, oldest first, with each gate's progress. */
export async function listActionApprovals({ ctx, input }: Operation<{ incidentId: string }>) {
  ctx.require('read');
  const { incident } = await readIncident(ctx.db, input.incidentId);
  const requests = await q.listRequests(ctx.db, incident.id);
  const votes = await q.votesOf(
    ctx.db,
    requests.map((r) => r.id),
  );
  return requests.map((r) =>
    approvalView(
      r,
      votes.filter((v) => String(v.request_id) === r.id),
    ),
  );
}
