import type { Operation } from '../context.ts';
import { changeIncident } from './change.ts';
import { EVENT_KINDS } from './events.ts';
import { type AddAffectedUsersInput, affectedUsersBodySchema } from './inputs.ts';
import * as incidents from './queries.ts';

/**
 * Records the customers an incident affects, by email address, so a plan group with
 * `customers: affected` reaches them (the post-incident email). Resolved incidents take them too: the
 * list is often known only afterwards. Adding an address twice is not an error.
 */
export async function addAffectedUsers({ ctx, input }: Operation<AddAffectedUsersInput>) {
  ctx.require('incident:update');
  const { incidentId, ...body } = input;
  const data = affectedUsersBodySchema.parse(body);
  const emails = [...new Set(data.emails.map((e) => e.toLowerCase()))];
  return changeIncident(ctx, incidentId, {}, async (c) => {
    const added = (
      await incidents.insertAffectedUsers(c.tx, c.incident.id, emails, c.now, ctx.actor.name)
    ).map((r) => r.email);
    if (added.length > 0) {
      await c.event(EVENT_KINDS.fieldChanged, { field: 'affected_users', added: added.length });
      await c.audit('incident.affected_users_added', undefined, { emails: added });
    }
    return { added: added.length, emails: await incidents.affectedUserEmails(c.tx, c.incident.id) };
  });
}
