import type { Executor } from '../../db/schema.ts';

/**
 * The Slack identities of these users (by id or handle): a Slack member id from an enabled slack
 * contact method when there is one, else the email users.lookupByEmail finds them by.
 */
export async function slackIdentities(
  db: Executor,
  who: { ids: string[]; handles: string[] },
): Promise<{ slack_ids: string[]; emails: string[] }> {
  if (who.ids.length === 0 && who.handles.length === 0) return { slack_ids: [], emails: [] };
  const rows = await db
    .selectFrom('users as u')
    .leftJoin('contact_methods as c', (j) =>
      j.onRef('c.user_id', '=', 'u.id').on('c.kind', '=', 'slack').on('c.disabled', '=', false),
    )
    .select(['u.id', 'u.email', 'c.address'])
    .where('u.deactivated_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(who.ids.length > 0 ? [eb('u.id', 'in', who.ids)] : []),
        ...(who.handles.length > 0 ? [eb('u.handle', 'in', who.handles)] : []),
      ]),
    )
    .execute();
  const slack = new Map<string, string>();
  const emails = new Map<string, string>();
  for (const r of rows) {
    if (r.address) slack.set(String(r.id), r.address);
    else if (r.email) emails.set(String(r.id), r.email);
  }
  return {
    slack_ids: [...new Set(slack.values())],
    emails: [...emails].filter(([id]) => !slack.has(id)).map(([, email]) => email),
  };
}

/** The published update's texts by language, for posting an internal update. */
export async function findUpdateBodies(db: Executor, updateId: string) {
  const row = await db
    .selectFrom('incident_updates')
    .select(['bodies', 'audience'])
    .where('id', '=', updateId)
    .executeTakeFirst();
  return row;
}

/** Who holds the incident's roles now (user ids), invited with the declarer when the channel opens. */
export async function roleHolderIds(db: Executor, incidentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('incident_roles')
    .select('user_id')
    .where('incident_id', '=', incidentId)
    .execute();
  return rows.map((r) => String(r.user_id));
}
