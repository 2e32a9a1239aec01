import type { Plan } from './plan-schema.ts';

// What a plan names as a recipient that no one, or nothing configured, stands behind — caught before
// the first incident finds out: a group of no one Tocsin can message (customers, a chat handle) and
// chat channels with no route on this server. At run time the same pages and messages reach nobody
// (incident timeline, /health/detailed).

export interface PlanGap {
  path: (string | number)[];
  message: string;
}

type Group = Plan['groups'][number];

/** Whether a group lists anyone (or any address) Tocsin can page or message. */
function namesSomeone(g: Group): boolean {
  return (
    g.users.length > 0 ||
    g.teams.length > 0 ||
    Boolean(g.schedule) ||
    g.leadership ||
    g.serviceOwner ||
    g.incidentResponders ||
    g.customers === 'affected' ||
    Boolean(g.email) ||
    Boolean(g.chat?.startsWith('#'))
  );
}

/** Groups that name no one Tocsin can message: every page or message to them reaches nobody. */
export function silentGroups(plan: Plan): PlanGap[] {
  return plan.groups.flatMap((g, i) => {
    if (namesSomeone(g)) return [];
    const why = [
      ...(g.customers === 'all' ? ['customers are reached through the status page only'] : []),
      ...(g.chat ? [`chat ${g.chat} is a handle, not a #channel`] : []),
    ];
    return [
      {
        path: ['groups', i, 'id'],
        message: `group ${g.id} names no one Tocsin can message${why.length > 0 ? ` (${why.join('; ')})` : ''}: pages and messages to it reach nobody`,
      },
    ];
  });
}

/** A #channel, not a placeholder such as {incident_channel} (the incident's own, made per incident). */
const isFixedChannel = (v: string | undefined): v is string =>
  Boolean(v?.startsWith('#')) && !v?.includes('{');

/** Every fixed chat channel the plan posts or pages to, with where it says so. */
export function planChatChannels(plan: Plan): { channel: string; path: (string | number)[] }[] {
  const out: { channel: string; path: (string | number)[] }[] = [];
  const add = (v: string | undefined, path: (string | number)[]) => {
    if (isFixedChannel(v)) out.push({ channel: v, path });
  };
  plan.severities.forEach((s, i) => {
    add(s.page?.chat, ['severities', i, 'page', 'chat']);
    add(s.page?.to, ['severities', i, 'page', 'to']);
  });
  plan.groups.forEach((g, i) => {
    add(g.chat, ['groups', i, 'chat']);
  });
  plan.workflows.forEach((w, i) => {
    w.then.forEach((a, j) => {
      const at = ['workflows', i, 'then', j];
      if ('post' in a) add(a.post.channel, [...at, 'post', 'channel']);
      if ('notify' in a) add(a.notify.channel, [...at, 'notify', 'channel']);
      if ('page' in a) add(typeof a.page === 'string' ? a.page : a.page.target, [...at, 'page']);
    });
  });
  return out;
}

/** The chat routes this server has: TOCSIN_CHAT_WEBHOOKS channel keys, and whether a Slack bot posts anywhere. */
export interface ChatRoutes {
  channels: ReadonlySet<string>;
  slackBot: boolean;
}

const channelKey = (name: string) => name.trim().toLowerCase();

/** Warnings about the plan's chat channels that no configuration here routes (their posts reach nobody). */
export function chatRouteGaps(plan: Plan, routes: ChatRoutes): string[] {
  if (routes.slackBot) return [];
  const unrouted = planChatChannels(plan).filter((c) => !routes.channels.has(channelKey(c.channel)));
  if (unrouted.length === 0) return [];
  const names = [...new Set(unrouted.map((c) => c.channel))].join(', ');
  const where = unrouted.map((c) => c.path.join('.')).join(', ');
  const name = plan.metadata.name;
  return routes.channels.size === 0
    ? [
        `plan ${name}: no chat provider is configured (TOCSIN_CHAT_WEBHOOKS, TOCSIN_SLACK_BOT_TOKEN): posts to ${names} reach nobody (${where})`,
      ]
    : [
        `plan ${name}: no route for chat ${names} (not in TOCSIN_CHAT_WEBHOOKS, no TOCSIN_SLACK_BOT_TOKEN): posts to it reach nobody (${where})`,
      ];
}
