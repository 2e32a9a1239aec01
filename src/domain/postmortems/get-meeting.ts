import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { getPostmortem } from './get-postmortem.ts';
import type { PostmortemMeeting } from './meeting.ts';
import * as q from './queries.ts';

/** The meeting of an incident's post-mortem, when one is scheduled. */
export async function getPostmortemMeeting(
  op: Operation<{ incidentId: string }>,
): Promise<PostmortemMeeting> {
  const pm = await getPostmortem(op); // read permission and confidentiality, as for the document
  const meeting = await q.findMeeting(op.ctx.db, pm.incident_id);
  if (!meeting) throw new NotFound('meeting of the post-mortem of incident', op.input.incidentId);
  return meeting;
}
