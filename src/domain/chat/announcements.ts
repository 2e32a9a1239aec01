import type { Executor } from '../../db/schema.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import type { Plan } from '../plans/plan.ts';
import type { ANNOUNCE_EVENTS } from '../plans/plan-schema.ts';

type AnnounceEvent = (typeof ANNOUNCE_EVENTS)[number];

import type { ChannelEvent, ChannelIncident } from './incident-channel.ts';

// Announcement channels (plan communication.channels[].announce, e.g. the creator platform's
// #incidents): a post when an incident is declared, changes severity or resolves, for the severities
// the channel names. Queued in the outbox (channel chat), one per event and channel.

const ANNOUNCED: Record<string, AnnounceEvent> = {
  [EVENT_KINDS.declared]: 'declared',
  [EVENT_KINDS.severityChanged]: 'severity_changed',
  [EVENT_KINDS.resolved]: 'resolved',
};

/**
 * The severity when the event happened (the engine may read the event later, after further changes):
 * the declared one, the one changed to, else the current one.
 */
function severityAt(incident: ChannelIncident, event: ChannelEvent): string {
  const d = event.data ?? {};
  const at =
    event.kind === EVENT_KINDS.declared
      ? d.severity
      : event.kind === EVENT_KINDS.severityChanged
        ? d.to
        : undefined;
  return typeof at === 'string' ? at : incident.severity;
}

function announcement(incident: ChannelIncident, event: ChannelEvent, url: string): string {
  const d = event.data ?? {};
  const head = `Incident #${incident.id} [${severityAt(incident, event)}] ${incident.title}`;
  const room = typeof d.war_room === 'string' ? d.war_room : undefined;
  const lines =
    event.kind === EVENT_KINDS.declared
      ? [
          `${head} declared by ${event.actor_name}`,
          `Channel: #${incident.channel_name}`,
          ...(room ? [`War room: ${room}`] : []),
        ]
      : event.kind === EVENT_KINDS.severityChanged
        ? [
            `${head}: severity ${String(d.from ?? '')} → ${String(d.to ?? '')}${d.reason ? ` (${String(d.reason)})` : ''}`,
            ...(incident.war_room_url ? [`War room: ${incident.war_room_url}`] : []),
          ]
        : [`${head} resolved${d.resolution ? `: ${String(d.resolution)}` : ''}`];
  return [...lines, url].join('\n');
}

/** Queues the plan's announcements of one timeline event. */
export async function announceEvent(
  env: { tx: Executor; now: Date; url: (incidentId: string) => string },
  plan: Plan,
  incident: ChannelIncident,
  event: ChannelEvent,
): Promise<void> {
  const moment = ANNOUNCED[event.kind];
  if (!moment) return;
  const severity = severityAt(incident, event);
  const channels = plan.communication.channels.filter(
    (c) => c.announce.includes(moment) && (c.severities.length === 0 || c.severities.includes(severity)),
  );
  const url = env.url(incident.id);
  for (const channel of channels) {
    await enqueueNotification(
      env.tx,
      {
        incidentId: incident.id,
        channel: 'chat',
        destination: channel.name,
        payload: {
          kind: 'announcement',
          text: announcement(incident, event, url),
          incident: {
            id: incident.id,
            title: incident.title,
            severity: incident.severity,
            state: incident.state,
            url,
          },
        },
        dedupKey: `announce:${event.id}:${channel.name}`,
      },
      env.now,
    );
  }
}
