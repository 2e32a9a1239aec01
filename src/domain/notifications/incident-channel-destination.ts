import type { Executor, Row } from '../../db/schema.ts';
import { findIncidentChannel, INCIDENT_CHANNEL_DELIVERY } from './queries.ts';

// Posts and invites for an incident's own channel are queued to `#<channel_name>`, the name the plan's
// pattern gave it. Once Tocsin opened that channel in Slack (possibly under a suffixed name, when the
// planned one was taken), they go to the opened channel's id instead; until then, or without Slack,
// the name stays (a chat webhook for it, or the Slack bot posting by name).

/** A channel Tocsin opened, from the channel.open row's provider id "<id> <name>". */
export function parseOpenedChannel(providerId: string | null): { id: string; name: string } | undefined {
  const [id, name] = (providerId ?? '').split(' ');
  return id && name ? { id, name } : undefined;
}

/** Where a row goes: the opened channel's id for its incident's own channel, else its destination. */
export async function resolveIncidentChannel(db: Executor, row: Row<'outbox'>): Promise<string> {
  const own = row.channel === 'chat' || row.channel === INCIDENT_CHANNEL_DELIVERY;
  if (!own || row.incident_id === null || !row.destination.startsWith('#')) return row.destination;
  const found = await findIncidentChannel(db, String(row.incident_id));
  if (!found || row.destination !== `#${found.channel_name}` || found.status !== 'sent')
    return row.destination;
  return parseOpenedChannel(found.provider_id)?.id ?? row.destination;
}
