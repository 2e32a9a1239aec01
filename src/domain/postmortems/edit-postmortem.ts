import type { Executor } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Conflict, Invalid, NotFound } from '../../errors.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { isId } from '../incidents/incident.ts';
import { rootCauseCategoriesOf } from './get-postmortem.ts';
import { type EditPostmortemBody, editPostmortemSchema, type Postmortem, withOverdue } from './postmortem.ts';
import * as q from './queries.ts';

export type EditPostmortemInput = { incidentId: string } & EditPostmortemBody;

/**
 * Replaces the Markdown of the named sections (and the title). A published post-mortem is final;
 * one in review goes on being edited by its reviewers. Every change is audited with the old text.
 */
export async function editPostmortem({ ctx, input }: Operation<EditPostmortemInput>): Promise<Postmortem> {
  ctx.require('postmortem:write');
  const { incidentId, ...body } = input;
  const data = editPostmortemSchema.parse(body);
  return inTx(ctx.db, async (tx) => {
    const before = isId(incidentId) ? await q.lockPostmortem(tx, incidentId) : undefined;
    if (!before) throw new NotFound('post-mortem of incident', incidentId);
    if (before.status === 'published')
      throw new Conflict(`the post-mortem of incident ${incidentId} is published`);
    const edits = data.sections ?? {};
    const known = new Set(before.sections.map((s) => s.id));
    const unknown = Object.keys(edits).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new Invalid(
        'unknown section',
        unknown.map((id) => ({
          path: `sections.${id}`,
          message: `not a section (${[...known].join(', ')})`,
        })),
      );
    }
    if (data.root_cause_category) await checkCategory(tx, incidentId, data.root_cause_category);
    const sections = before.sections.map((s) => (s.id in edits ? { ...s, body: edits[s.id] ?? s.body } : s));
    const now = ctx.clock.now();
    const after = await q.updatePostmortem(tx, incidentId, {
      ...(data.title ? { title: data.title } : {}),
      ...(data.root_cause_category !== undefined ? { root_cause_category: data.root_cause_category } : {}),
      sections: q.sectionsJson(sections),
      updated_at: now,
    });
    const changedIds = new Set(Object.keys(edits));
    await audit.record(tx, ctx.actor, now, {
      action: 'postmortem.edited',
      entityType: 'postmortem',
      entityId: incidentId,
      before: {
        ...(data.title ? { title: before.title } : {}),
        ...(data.root_cause_category !== undefined
          ? { root_cause_category: before.root_cause_category }
          : {}),
        sections: before.sections.filter((s) => changedIds.has(s.id)),
      },
      after: {
        ...(data.title ? { title: data.title } : {}),
        ...(data.root_cause_category !== undefined ? { root_cause_category: data.root_cause_category } : {}),
        sections: sections.filter((s) => changedIds.has(s.id)),
      },
    });
    return withOverdue(after, now);
  });
}

/** A category the incident's plan (current version) lists, when it lists any. */
async function checkCategory(tx: Executor, incidentId: string, category: string): Promise<void> {
  const allowed = await rootCauseCategoriesOf(tx, incidentId);
  if (allowed.length > 0 && !allowed.includes(category)) {
    throw new Invalid('unknown root-cause category', [
      {
        path: 'root_cause_category',
        message: `not one of the plan's postmortem.rootCauseCategories (${allowed.join(', ')})`,
      },
    ]);
  }
}
