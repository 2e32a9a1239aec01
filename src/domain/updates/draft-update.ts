import { Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { readVisibleIncident } from '../incidents/change.ts';
import { updateStatuses } from '../incidents/incident.ts';
import * as incidents from '../incidents/queries.ts';
import * as workflows from '../workflows/queries.ts';
import { incidentVars, render } from '../workflows/render.ts';
import { snapshotOf } from '../workflows/snapshot.ts';
import { type Audience, nextUpdateDue, pickTemplate } from './cadence.ts';

const hhmm = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

/**
 * An update drafted from the plan's template, one text per language of the template, with the
 * placeholders (workflows/render.ts, the one placeholder table) filled from the incident, plus when
 * the next update of each audience is due. Nothing is stored: the author edits it and posts it.
 */
export async function draftUpdate({
  ctx,
  input,
}: Operation<{ incidentId: string; audience: Audience; template?: string | undefined }>) {
  ctx.require('read');
  const { incident, plan } = await readVisibleIncident(ctx, input.incidentId);
  const snapshot = snapshotOf(incident, await workflows.lastPublishedUpdates(ctx.db, [incident.id]));
  const now = ctx.clock.now();
  const due = {
    internal: nextUpdateDue(plan, snapshot, 'internal'),
    external: nextUpdateDue(plan, snapshot, 'external'),
  };
  const template = pickTemplate(plan, input.audience, incident.state, input.template);
  if (input.template && !template) {
    const known = plan.templates.map((t) => t.id).join(', ') || 'none';
    throw new Invalid('unknown template', [
      { path: 'template', message: `not a template of the plan (${known})` },
    ]);
  }
  const next = due[input.audience];
  const commander = await incidents.findRole(ctx.db, incident.id, 'incident-commander');
  const vars = {
    ...incidentVars(snapshot, plan, { now }),
    incident_commander: commander?.user ?? 'not assigned yet',
    next_update: next ? hhmm(next) : 'when there is news',
  };
  const bodies = Object.fromEntries(
    Object.entries(template?.body ?? {}).map(([lang, text]) => [lang, render(text, vars)]),
  );
  return {
    audience: input.audience,
    template: template?.id ?? null,
    bodies,
    missing_languages: plan.languages.filter((l) => !(l in bodies)),
    // The author chooses the update's own status; it starts as the incident's state.
    status: incident.state,
    statuses: updateStatuses(plan),
    next_update_due: due,
  };
}
