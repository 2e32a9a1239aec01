import { Conflict, Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { mergePatch } from '../incidents/incident.ts';
import { guardRails, statusProblems } from '../incidents/publish-update.ts';
import { editUpdateBodySchema } from './inputs.ts';
import * as q from './queries.ts';
import { changeUpdate } from './review-update.ts';

/**
 * Changes the text of an unpublished update (a JSON merge patch of its languages) and/or its own
 * status. The edit is a new
 * revision: approvals given so far no longer count and are asked for again.
 */
export async function editUpdate({
  ctx,
  input,
}: Operation<{
  incidentId: string;
  updateId: string;
  bodies?: Record<string, string | null> | undefined;
  status?: string | undefined;
  guard_override_reason?: string | undefined;
}>) {
  ctx.require('incident:update');
  const data = editUpdateBodySchema.parse({
    bodies: input.bodies,
    status: input.status,
    guard_override_reason: input.guard_override_reason,
  });
  return changeUpdate(ctx, input.incidentId, input.updateId, async (c) => {
    const { update } = c;
    if (update.status === 'published') throw new Conflict(`update ${update.id} is published: post a new one`);
    const { languages } = c.plan;
    const details = Object.entries(data.bodies ?? {}).flatMap(([lang, text]) =>
      !languages.includes(lang)
        ? [{ path: `bodies.${lang}`, message: `not a language of the plan (${languages.join(', ')})` }]
        : text !== null && text.trim() === ''
          ? [{ path: `bodies.${lang}`, message: 'empty: use null to remove a language' }]
          : [],
    );
    details.push(...statusProblems(c.plan, data.status));
    if (details.length > 0) throw new Invalid('the update is not valid', details);
    const bodies = mergePatch(update.bodies, data.bodies ?? {});
    if (Object.keys(bodies).length === 0) {
      throw new Invalid('the update would have no text', [
        { path: 'bodies', message: 'at least one language' },
      ]);
    }
    const guard = await guardRails(c, update.audience, bodies, data.guard_override_reason);
    const after = await q.setUpdate(c.tx, update.id, {
      bodies: JSON.stringify(bodies),
      state: data.status ?? update.state,
      guard_override: guard ? JSON.stringify(guard) : null,
      revision: update.revision + 1,
      updated_at: c.now,
    });
    await c.event(EVENT_KINDS.updateEdited, {
      update_id: update.id,
      revision: after.revision,
      approvals_reset: c.state.approved.map((a) => a.requirement),
    });
    await c.audit(
      'update.edited',
      { bodies: update.bodies, status: update.state, revision: update.revision },
      { bodies, status: after.state, revision: after.revision },
      {
        type: 'incident_update',
        id: update.id,
      },
    );
    return after;
  });
}
