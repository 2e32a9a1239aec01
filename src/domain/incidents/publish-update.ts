import type { Row } from '../../db/schema.ts';
import { Invalid } from '../../errors.ts';
import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { initialUpdateStatus, missingLanguages } from './incident.ts';
import { type PublishUpdateInput, publishUpdateBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Publishes an internal or external update. An external update must carry text in every language
 * of the plan. The first published update is the firstUpdate milestone, the first external one the
 * statusPage milestone.
 */
export async function publishUpdate({
  ctx,
  input,
}: Operation<PublishUpdateInput>): Promise<Row<'incident_updates'>> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = publishUpdateBodySchema.parse(body);
  // Allowed after resolution too: the final "resolved" status-page update usually comes then.
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const { languages } = c.plan;
    const details = Object.entries(data.bodies).flatMap(([lang, text]) =>
      !languages.includes(lang)
        ? [{ path: `bodies.${lang}`, message: `not a language of the plan (${languages.join(', ')})` }]
        : text.trim() === ''
          ? [{ path: `bodies.${lang}`, message: 'empty' }]
          : [],
    );
    if (data.audience === 'external') {
      const missing = missingLanguages(languages, data.bodies);
      if (missing.length > 0) {
        const absent = missing.filter((l) => !(l in data.bodies));
        throw new Invalid(
          `an external update needs text in every language of the plan; missing: ${missing.join(', ')}`,
          [...details, ...absent.map((l) => ({ path: `bodies.${l}`, message: 'missing' }))],
        );
      }
    }
    if (details.length > 0) throw new Invalid('the update is not valid', details);
    const status = initialUpdateStatus(c.plan, data.audience);
    const published = status === 'published';
    const update = await incidents.insertUpdate(c.tx, {
      incident_id: c.incident.id,
      audience: data.audience,
      state: c.incident.state,
      bodies: JSON.stringify(data.bodies),
      status,
      created_by: ctx.actor.name,
      created_at: c.now,
      published_at: published ? c.now : null,
    });
    if (published) {
      await incidents.updateIncident(c.tx, c.incident.id, {
        first_update_at: c.incident.first_update_at ?? c.now,
        status_page_at:
          data.audience === 'external' ? (c.incident.status_page_at ?? c.now) : c.incident.status_page_at,
        updated_at: c.now,
      });
      await c.event(EVENT_KINDS.updatePublished, {
        update_id: update.id,
        audience: data.audience,
        state: update.state,
        languages: Object.keys(data.bodies),
      });
    }
    await c.audit(`update.${status}`, undefined, update, { type: 'incident_update', id: update.id });
    return update;
  });
}
