import type { Executor } from '../../db/schema.ts';
import { parseOpenedChannel } from '../notifications/incident-channel-destination.ts';
import { findIncidentChannel } from '../notifications/queries.ts';
import type { Plan } from '../plans/plan.ts';
import { opensSlackChannel } from './incident-channel.ts';

/** Where an incident's Slack channel stands, as the API shows it. */
export interface IncidentChatChannel {
  platform: 'slack';
  /** opening: queued (or being created); open: created in Slack; failed: Slack refused it for good. */
  status: 'opening' | 'open' | 'failed';
  /** The Slack channel id once open. */
  id: string | null;
  /** The channel's name: the opened one (suffixed when the planned name was taken), else the planned one. */
  name: string;
  /** Why the last attempt failed, when one did. */
  error: string | null;
}

/** The incident's Slack channel, read from its channel.open outbox row; null when the plan opens none. */
export async function incidentChatChannel(
  db: Executor,
  plan: Plan,
  incidentId: string,
): Promise<IncidentChatChannel | null> {
  if (!opensSlackChannel(plan)) return null;
  const row = await findIncidentChannel(db, incidentId);
  if (!row) return null;
  const opened = row.status === 'sent' ? parseOpenedChannel(row.provider_id) : undefined;
  return {
    platform: 'slack',
    status: opened ? 'open' : row.status === 'failed' || row.status === 'cancelled' ? 'failed' : 'opening',
    id: opened?.id ?? null,
    name: opened?.name ?? row.channel_name,
    error: row.last_error,
  };
}
