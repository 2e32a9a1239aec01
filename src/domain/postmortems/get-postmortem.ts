import type { Executor } from '../../db/schema.ts';
import { NotFound } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { hiddenIncidentIds } from '../incidents/confidential.ts';
import { isId } from '../incidents/incident.ts';
import { loadPlanVersion } from '../plans/get-plan.ts';
import { type Postmortem, toMarkdown, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

/** What one post-mortem reads as: with the categories its root cause may take (the editor's choices). */
export type PostmortemView = Postmortem & { root_cause_categories: string[] };

/**
 * The post-mortem of an incident (its id is the incident's), with its overdue flag and the plan's
 * root-cause categories (empty: any text).
 */
export async function getPostmortem({
  ctx,
  input,
}: Operation<{ incidentId: string }>): Promise<PostmortemView> {
  ctx.require('read');
  const row = isId(input.incidentId) ? await q.findPostmortem(ctx.db, input.incidentId) : undefined;
  const now = ctx.clock.now();
  // A confidential incident's post-mortem is as missing as the incident to who may not see it.
  if (!row || (await hiddenIncidentIds(ctx.db, [row.incident_id], ctx.actor, now)).size > 0) {
    throw new NotFound('post-mortem of incident', input.incidentId);
  }
  return {
    ...withOverdue(row, now),
    root_cause_categories: await rootCauseCategoriesOf(ctx.db, row.incident_id),
  };
}

/** The incident's plan's (current version) postmortem.rootCauseCategories; empty: any text goes. */
export async function rootCauseCategoriesOf(db: Executor, incidentId: string): Promise<string[]> {
  const incident = await q.planOfIncident(db, incidentId);
  if (!incident) return [];
  return (await loadPlanVersion(db, incident.plan_name)).plan.postmortem.rootCauseCategories;
}

/** The document as Markdown, for export. */
export async function exportPostmortem(op: Operation<{ incidentId: string }>): Promise<string> {
  return toMarkdown(await getPostmortem(op));
}

/** The document as a PDF, for export (src/domain/postmortems/pdf.ts). */
export async function exportPostmortemPdf(op: Operation<{ incidentId: string }>): Promise<Buffer> {
  const postmortem = await getPostmortem(op);
  // Loaded on the first export: pdfkit and its fonts take ~150 ms to load (issue 14, start).
  const { postmortemPdf } = await import('./pdf.ts');
  return postmortemPdf(postmortem, { createdAt: op.ctx.clock.now() });
}
