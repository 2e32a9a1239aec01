import type { NotificationPayload } from '../message.ts';
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

/** The Adaptive Card (version 1.4, what Teams renders) for one payload. */
export function adaptiveCard(p: NotificationPayload): CardElement {
  const page = p.kind === 'page';
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
  const actions: CardElement[] = [];
  if (page && p.ack) {
    actions.push({ type: 'Action.OpenUrl', title: 'Acknowledge', url: p.ack.url, style: 'destructive' });
  }
  if (p.incident?.url) actions.push({ type: 'Action.OpenUrl', title: 'Open incident', url: p.incident.url });
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
