import type { Executor } from '../../db/schema.ts';
import { EVENT_KINDS } from '../incidents/events.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { INCIDENT_CHANNEL_DELIVERY, incidentChannelKey } from '../notifications/queries.ts';
import { resolveRecipients } from '../paging/recipients.ts';
import { targetOf } from '../paging/steps.ts';
import { publicTitle } from '../plans/placeholders.ts';
import type { Plan } from '../plans/plan.ts';
import * as q from './queries.ts';

// The incident's own chat channel in Slack (plan `channel: {name, platform: slack}`): opened when the
// incident is declared (under the name the plan's pattern gave it, incidents/incident.ts channelName),
// the people on the incident invited as they join, and the incident card, every published update
// (internal, and external as the status page shows it) and the key timeline events posted there. Driven by the timeline (the workflow events pass consumes
// each event once), and everything goes through the outbox: durable, retried, deduplicated per event.

export interface ChannelEvent {
  id: string;
  kind: string;
  data: Record<string, unknown> | null;
  actor_id: string | null;
  actor_name: string;
}

export interface ChannelIncident {
  id: string;
  title: string;
  /** The channel is outside Tocsin: a confidential incident's posts give its code name. */
  confidential?: boolean;
  code_name?: string | null;
  severity: string;
  state: string;
  summary: string;
  impact: string;
  channel_name: string;
  war_room_url?: string | null | undefined;
  service?: string | null | undefined;
}

/** Whether the plan asks Tocsin to open a channel per incident in Slack. */
export function opensSlackChannel(plan: Plan): boolean {
  return plan.channel?.platform?.toLowerCase() === 'slack';
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));

/** The incident card: what anyone joining the channel reads first. */
function cardText(incident: ChannelIncident, url: string, extra: string[]): string {
  return [
    `Incident #${incident.id} declared: [${incident.severity}] ${publicTitle(incident)}`,
    ...(incident.summary ? [`Summary: ${incident.summary}`] : []),
    ...(incident.impact ? [`Impact: ${incident.impact}`] : []),
    `State: ${incident.state}`,
    ...(incident.war_room_url ? [`War room: ${incident.war_room_url}`] : []),
    ...extra,
    `Incident page: ${url}`,
  ].join('\n');
}

/** The line a key timeline event posts; undefined for events the channel does not hear about. */
async function eventText(
  tx: Executor,
  event: ChannelEvent,
  languages: string[],
): Promise<string | undefined> {
  const d = event.data ?? {};
  switch (event.kind) {
    case EVENT_KINDS.acknowledged:
      return `Acknowledged by ${event.actor_name}`;
    case EVENT_KINDS.severityChanged:
      return `Severity ${str(d.from)} → ${str(d.to)}${d.reason ? `: ${str(d.reason)}` : ''} (${event.actor_name})`;
    case EVENT_KINDS.stateChanged:
      return `State → ${str(d.to)}${d.from ? ` (was ${str(d.from)})` : ''} (${event.actor_name})`;
    case EVENT_KINDS.roleAssigned:
      return `${str(d.user)} is now ${str(d.role)}`;
    case EVENT_KINDS.resolved:
      return `Resolved by ${event.actor_name}${d.resolution ? `: ${str(d.resolution)}` : ''}`;
    case EVENT_KINDS.targetBreached:
      return `Target missed: ${str(d.target ?? d.kind)}`;
    case EVENT_KINDS.updatePublished: {
      const update = await q.findUpdateBodies(tx, str(d.update_id));
      if (!update) return undefined;
      // The plan's languages in its order, then any other the update carries.
      const order = [...new Set([...languages, ...Object.keys(update.bodies)])];
      const texts = order.flatMap((l) => (update.bodies[l] ? [update.bodies[l]] : []));
      // A published external update is what customers now read: the channel sees it, labelled so.
      const label = d.audience === 'external' ? 'Status page update' : 'Update';
      return `${label} (${event.actor_name}):\n${texts.join('\n\n')}`;
    }
    default:
      return undefined;
  }
}

/**
 * Who an event brings into the channel: the declarer with the role holders, an assignee, an
 * acknowledger, and the people a responder added names (a plan group's members, a role's holder,
 * a schedule's on-call person, a team) as they are at that moment.
 */
async function invitees(
  env: ChannelEnv,
  plan: Plan,
  incident: ChannelIncident,
  event: ChannelEvent,
): Promise<{ ids: string[]; handles: string[] } | undefined> {
  const { tx } = env;
  const d = event.data ?? {};
  if (event.kind === EVENT_KINDS.responderAdded && typeof d.responder === 'string') {
    const target = typeof d.user === 'string' ? `user:${d.user}` : d.responder;
    const found = await resolveRecipients(tx, [targetOf(target, plan)], {
      incidentId: incident.id,
      service: incident.service ?? null,
      plan,
      now: env.now,
    });
    return { ids: [...found.userIds], handles: [] };
  }
  if (event.kind === EVENT_KINDS.declared) {
    const ids = await q.roleHolderIds(tx, incident.id);
    return { ids: event.actor_id ? [event.actor_id, ...ids] : ids, handles: [] };
  }
  if (event.kind === EVENT_KINDS.roleAssigned && typeof d.user === 'string')
    return { ids: [], handles: [d.user] };
  if (event.kind === EVENT_KINDS.acknowledged && event.actor_id)
    return { ids: [event.actor_id], handles: [] };
  return undefined;
}

export interface ChannelEnv {
  tx: Executor;
  now: Date;
  /** The incident page, for the card's link. */
  url: (incidentId: string) => string;
}

/**
 * Queues what one timeline event means for the incident's Slack channel: on declaration the
 * channel.open row and the card; invites for people who join; a post for each key event.
 */
export async function postEventToIncidentChannel(
  env: ChannelEnv,
  plan: Plan,
  incident: ChannelIncident,
  event: ChannelEvent,
  cardExtra: string[] = [],
): Promise<void> {
  if (!opensSlackChannel(plan)) return;
  const { tx, now } = env;
  const destination = `#${incident.channel_name}`;
  const base = { incidentId: incident.id, destination };
  if (event.kind === EVENT_KINDS.declared) {
    await enqueueNotification(
      tx,
      {
        ...base,
        channel: INCIDENT_CHANNEL_DELIVERY,
        payload: { kind: 'channel.open', name: incident.channel_name },
        dedupKey: incidentChannelKey(incident.id),
      },
      now,
    );
  }
  const who = await invitees(env, plan, incident, event);
  if (who) {
    const identities = await q.slackIdentities(tx, who);
    if (identities.slack_ids.length + identities.emails.length > 0) {
      await enqueueNotification(
        tx,
        {
          ...base,
          channel: INCIDENT_CHANNEL_DELIVERY,
          payload: { kind: 'channel.invite', ...identities },
          dedupKey: `incident-channel-invite:${event.id}`,
        },
        now,
      );
    }
  }
  const url = env.url(incident.id);
  const text =
    event.kind === EVENT_KINDS.declared
      ? cardText(incident, url, cardExtra)
      : await eventText(tx, event, plan.languages);
  if (text === undefined) return;
  await enqueueNotification(
    tx,
    {
      ...base,
      channel: 'chat',
      payload: {
        kind: event.kind === EVENT_KINDS.declared ? 'incident.card' : 'post',
        text,
        ...(event.kind === EVENT_KINDS.declared
          ? { subject: `Incident #${incident.id}: ${publicTitle(incident)}` }
          : {}),
        incident: {
          id: incident.id,
          title: publicTitle(incident),
          severity: incident.severity,
          state: incident.state,
          url,
        },
      },
      dedupKey: `incident-channel-post:${event.id}`,
    },
    now,
  );
}
