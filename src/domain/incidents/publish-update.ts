import type { Row } from '../../db/schema.ts';
import { Conflict, Invalid } from '../../errors.ts';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import type { Operation } from '../context.ts';
import { statusPageStateOf } from '../plans/plan.ts';
import { statusPageChanged } from '../status-page/cache.ts';
import * as statusPage from '../status-page/queries.ts';
import { notifySubscribers } from '../subscribers/notify-subscribers.ts';
import { enforceGuardRails } from '../updates/guard-rails.ts';
import { changeIncident, type IncidentChange } from './change.ts';
import { publicName, refuseExternal } from './confidential.ts';
import { EVENT_KINDS } from './events.ts';
import { initialUpdateStatus, missingLanguages, requiredApprovals, updateStatuses } from './incident.ts';
import { type PublishUpdateInput, publishUpdateBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

type Update = Row<'incident_updates'>;

/**
 * Marks an update published, inside the caller's incident change. The first published update is the
 * firstUpdate milestone, the first external one the statusPage milestone. Callers check first that
 * nothing blocks it (approvals, languages).
 */
export async function markPublished(
  c: IncidentChange,
  update: Update,
  approvedBy: string[] = [],
): Promise<Update> {
  const after = await c.tx
    .updateTable('incident_updates')
    .set({ status: 'published', published_at: c.now, updated_at: c.now })
    .where('id', '=', update.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const current = (await incidents.findIncident(c.tx, c.incident.id)) ?? c.incident;
  await incidents.updateIncident(c.tx, c.incident.id, {
    first_update_at: current.first_update_at ?? c.now,
    status_page_at:
      update.audience === 'external' ? (current.status_page_at ?? c.now) : current.status_page_at,
    updated_at: c.now,
  });
  await c.event(EVENT_KINDS.updatePublished, {
    update_id: update.id,
    audience: update.audience,
    state: update.state,
    languages: Object.keys(update.bodies),
    ...(approvedBy.length > 0 ? { approved_by: approvedBy } : {}),
  });
  await c.audit('update.published', { status: update.status }, after, {
    type: 'incident_update',
    id: update.id,
  });
  if (update.audience === 'external') {
    await notifySubscribers(
      c.tx,
      {
        kind: 'incident',
        id: c.incident.id,
        key: `update-${update.id}`,
        name: publicName(c.incident),
        status: statusPageStateOf(c.plan, update.state),
        bodies: update.bodies,
        at: c.now,
      },
      c.now,
    );
  }
  return after;
}

/**
 * Checks external text against the guard rails (built in, plus the status page settings' patterns);
 * internal text is not checked. Throws on a hit without an override reason.
 */
export async function guardRails(
  c: IncidentChange,
  audience: Update['audience'],
  bodies: Record<string, string>,
  overrideReason: string | undefined,
) {
  if (audience !== 'external') return null;
  const settings = await statusPage.findSettings(c.tx);
  return enforceGuardRails(bodies, settings?.guard_patterns ?? [], {
    reason: overrideReason,
    by: c.ctx.actor.name,
    at: c.now,
  });
}

/** An update status the plan does not know, as a detail of a 400 (none for a known or absent one). */
export function statusProblems(plan: IncidentChange['plan'], status: string | undefined) {
  const allowed = updateStatuses(plan);
  return status === undefined || allowed.includes(status)
    ? []
    : [{ path: 'status', message: `not a status of the plan (${allowed.join(', ')})` }];
}

/**
 * Creates an internal or external update. When the plan names approvers for its audience it waits
 * in pending_approval (src/domain/updates approves and publishes it); otherwise it is published at
 * once, and an external one must then carry text in every language of the plan (409 naming those
 * missing).
 */
export async function publishUpdate({ ctx, input }: Operation<PublishUpdateInput>): Promise<Update> {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = publishUpdateBodySchema.parse(body);
  // Allowed after resolution too: the final "resolved" status-page update usually comes then.
  const update = await changeIncident(ctx, incidentId, {}, async (c) => {
    const { languages } = c.plan;
    const details = Object.entries(data.bodies).flatMap(([lang, text]) =>
      !languages.includes(lang)
        ? [{ path: `bodies.${lang}`, message: `not a language of the plan (${languages.join(', ')})` }]
        : text.trim() === ''
          ? [{ path: `bodies.${lang}`, message: 'empty' }]
          : [],
    );
    details.push(...statusProblems(c.plan, data.status));
    if (details.length > 0) throw new Invalid('the update is not valid', details);
    if (data.audience === 'external') refuseExternal(c.plan, c.incident);
    const status = initialUpdateStatus(c.plan, data.audience);
    if (status === 'published' && data.audience === 'external') {
      const missing = missingLanguages(languages, data.bodies);
      if (missing.length > 0) {
        throw new Conflict(
          `an external update needs text in every language of the plan; missing: ${missing.join(', ')}`,
          missing.map((l) => ({ path: `bodies.${l}`, message: 'missing' })),
        );
      }
    }
    const nextUpdateAt = data.next_update === undefined ? null : nextUpdateTime(data.next_update, c.now);
    const guard = await guardRails(c, data.audience, data.bodies, data.guard_override_reason);
    const created = await incidents.insertUpdate(c.tx, {
      incident_id: c.incident.id,
      audience: data.audience,
      state: data.status ?? c.incident.state,
      bodies: JSON.stringify(data.bodies),
      status: 'pending_approval',
      created_by: ctx.actor.name,
      created_at: c.now,
      guard_override: guard ? JSON.stringify(guard) : null,
      next_update_at: nextUpdateAt,
    });
    await c.audit('update.created', undefined, created, { type: 'incident_update', id: created.id });
    if (guard) {
      await c.event(EVENT_KINDS.updateGuardOverridden, {
        update_id: created.id,
        rules: [...new Set(guard.hits.map((h) => h.rule))],
        reason: guard.reason,
      });
    }
    if (status === 'published') return markPublished(c, created);
    await c.event(EVENT_KINDS.updateSubmitted, {
      update_id: created.id,
      audience: data.audience,
      missing: requiredApprovals(c.plan, data.audience),
      missing_languages: data.audience === 'external' ? missingLanguages(languages, data.bodies) : [],
    });
    return created;
  });
  if (update.status === 'published' && update.audience === 'external') statusPageChanged(ctx.db);
  return update;
}

/** The longest promise of a next update: a week ahead. */
const NEXT_UPDATE_MAX_MS = 7 * 86_400_000;

/** "Next update at" from a duration (45m) or an ISO date-time: after now, at most a week ahead. */
function nextUpdateTime(text: string, now: Date): Date {
  const at = isDuration(text) ? new Date(now.getTime() + parseDuration(text)) : new Date(text);
  const ahead = at.getTime() - now.getTime();
  if (ahead <= 0 || ahead > NEXT_UPDATE_MAX_MS) {
    throw new Invalid('the update is not valid', [
      { path: 'next_update', message: 'must be after now and at most 7 days ahead' },
    ]);
  }
  return at;
}
