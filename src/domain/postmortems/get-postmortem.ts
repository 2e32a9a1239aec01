import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { isId } from '../incidents/incident.ts';
import { type Postmortem, toMarkdown, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

/** The post-mortem of an incident (its id is the incident's), with its overdue flag. */
export async function getPostmortem({ ctx, input }: Operation<{ incidentId: string }>): Promise<Postmortem> {
  ctx.require('read');
  const row = isId(input.incidentId) ? await q.findPostmortem(ctx.db, input.incidentId) : undefined;
  if (!row) throw new NotFound('post-mortem of incident', input.incidentId);
  return withOverdue(row, ctx.clock.now());
}

/** The document as Markdown, for export. */
export async function exportPostmortem(op: Operation<{ incidentId: string }>): Promise<string> {
  return toMarkdown(await getPostmortem(op));
}
