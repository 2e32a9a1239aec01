import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { isId } from '../incidents/incident.ts';
import { postmortemPdf } from './pdf.ts';
import { type Postmortem, toMarkdown, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

/** The post-mortem of an incident (its id is the incident's), with its overdue flag. */
export async function getPostmortem({ ctx, input }: Operation<{ incidentId: string }>): Promise<Postmortem> {
  ctx.require('read');
  const row = isId(input.incidentId) ? await q.findPostmortem(ctx.db, input.incidentId) : undefined;
  const now = ctx.clock.now();
  // A confidential incident's post-mortem is as missing as the incident to who may not see it.
  if (!row || (await hiddenIncidentIds(ctx.db, [row.incident_id], ctx.actor, now)).size > 0) {
    throw new NotFound('post-mortem of incident', input.incidentId);
  }
  return withOverdue(row, now);
}

/** The document as Markdown, for export. */
export async function exportPostmortem(op: Operation<{ incidentId: string }>): Promise<string> {
  return toMarkdown(await getPostmortem(op));
}

/** The document as a PDF, for export (src/domain/postmortems/pdf.ts). */
export async function exportPostmortemPdf(op: Operation<{ incidentId: string }>): Promise<Buffer> {
  return postmortemPdf(await getPostmortem(op), { createdAt: op.ctx.clock.now() });
}
