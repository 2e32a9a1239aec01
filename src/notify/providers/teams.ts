import type { NotificationPayload, PageLayout } from '../message.ts';
import { headline } from './slack.ts';

// Microsoft Teams through a Workflows webhook (the "Post to a channel when a webhook request is
// received" template; the Office 365 connector webhooks it replaces are retired). Workflows accept
// Adaptive Cards only, wrapped as a message with one attachment:
//   {type: "message", attachments: [{contentType: "application/vnd.microsoft.card.adaptive",
//                                    contentUrl: null, content: {type: "AdaptiveCard", …}}]}
// and answer 202 Accepted. Buttons are Action.OpenUrl: a Workflows card cannot call back into Tocsin,
// so acknowledging opens the ack link in the browser.

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

type CardElement = Record<string, unknown>;

/** Teams takes an Adaptive Card of up to 28 KB; Tocsin keeps each part well within it. */
const TEAMS_LIMITS = { heading: 200, text: 2000, fact: 300, facts: 12 } as const;

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/**
 * Text for a TextBlock or fact: Teams renders a Markdown subset there, so the characters that would
 * make a link or emphasis out of an incident title or alert text (`[`, `*`, `_` …) are backslash-escaped.
 */
export function cardEscape(text: string): string {
  return text.replace(/([\\`*_[\]~])/g, '\\$1');
}

/** "2 of 3 (round 1 of 2) of db-oncall" */
function stepOf(l: PageLayout): string {
  const round = l.rounds > 1 ? ` (round ${l.round} of ${l.rounds})` : '';
  return `${l.step} of ${l.steps}${round}${l.policy ? ` of ${l.policy}` : ''}`;
}

/**
 * A page laid out: heading, facts (incident number, service, severity and state, step, who else is
 * paged, ack code), the alert (source, summary, details), how to resolve, and Acknowledge / Open
 * incident buttons (Action.OpenUrl). Every text is escaped and cut.
 */
function pageCard(p: NotificationPayload & { incident: Incident }, l: PageLayout): CardElement[] {
  const inc = p.incident;
  const fact = (title: string, value: string) => ({
    title,
    value: cut(cardEscape(value), TEAMS_LIMITS.fact),
  });
  const facts = [
    fact('Incident', `#${inc.id}`),
    fact('Severity', `${inc.severity} · ${inc.state}`),
    ...(l.service ? [fact('Service', l.service)] : []),
    fact('Step', stepOf(l)),
    ...(l.others.length > 0 ? [fact('Also paged', l.others.join(', '))] : []),
    ...(p.ack ? [fact('Ack code', p.ack.code)] : []),
  ];
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: cut(cardEscape(p.subject ?? headline(p)), TEAMS_LIMITS.heading),
      size: 'Large',
      weight: 'Bolder',
      color: 'Attention',
      style: 'heading',
      wrap: true,
    },
    { type: 'FactSet', facts },
  ];
  if (l.alert) {
    body.push({
      type: 'TextBlock',
      text: cut(
        cardEscape(`Alert from ${l.alert.source || 'an integration'}: ${l.alert.summary}`),
        TEAMS_LIMITS.text,
      ),
      weight: 'Bolder',
      wrap: true,
    });
    if (l.alert.details.length > 0) {
      body.push({
        type: 'FactSet',
        facts: l.alert.details.slice(0, TEAMS_LIMITS.facts).map((d) => fact(d.name, d.value)),
      });
    }
  }
  const how = [
    ...(p.ack ? ['Acknowledge to stop the escalation: nobody else is paged.'] : []),
    ...(l.resolve ? [`Resolve when it is over: ${l.resolve}, or on the incident page.`] : []),
  ];
  if (how.length > 0) {
    body.push({
      type: 'TextBlock',
      text: cut(cardEscape(how.join(' ')), TEAMS_LIMITS.text),
      isSubtle: true,
      wrap: true,
    });
  }
  return body;
}

type Incident = NonNullable<NotificationPayload['incident']>;

/** The Adaptive Card (version 1.4, what Teams renders) for one payload. */
export function adaptiveCard(p: NotificationPayload): CardElement {
  const page = p.kind === 'page';
  if (page && p.incident && p.page) {
    return card(pageCard({ ...p, incident: p.incident }, p.page), actionsOf(p));
  }
  const body: CardElement[] = [
    {
      type: 'TextBlock',
      text: headline(p),
      size: 'Large',
      weight: 'Bolder',
      color: page ? 'Attention' : 'Default',
      style: 'heading',
      wrap: true,
    },
  ];
  if (p.text) body.push({ type: 'TextBlock', text: p.text, wrap: true });
  const facts: { title: string; value: string }[] = [];
  if (p.incident) {
    facts.push(
      { title: 'Severity', value: p.incident.severity },
      { title: 'State', value: p.incident.state },
    );
  }
  if (page && p.ack) facts.push({ title: 'Ack code', value: p.ack.code });
  if (facts.length > 0) body.push({ type: 'FactSet', facts });
  return card(body, actionsOf(p));
}

/** Acknowledge (pages) and Open incident buttons: links, since a Workflows card cannot call back. */
function actionsOf(p: NotificationPayload): CardElement[] {
  const actions: CardElement[] = [];
  if (p.kind === 'page' && p.ack) {
    actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: p.ack.url, style: 'destructive' });
  }
  if (p.incident?.url) {
    const title = p.kind === 'page' && p.page ? `Open incident #${p.incident.id}` : 'Open incident';
    actions.push({ type: 'Action.OpenUrl', title, url: p.incident.url });
  }
  return actions;
}

function card(body: CardElement[], actions: CardElement[]): CardElement {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.4',
    body,
    ...(actions.length > 0 ? { actions } : {}),
    msteams: { width: 'Full' },
  };
}

/** The body a Teams Workflows webhook expects. */
export function teamsMessage(p: NotificationPayload): CardElement {
  return {
    type: 'message',
    attachments: [{ contentType: ADAPTIVE_CARD, contentUrl: null, content: adaptiveCard(p) }],
  };
}
