import { describe, expect, it } from 'vitest';
import { cardMessageProblem } from '../../../test/fakes/teams.ts';
import { ADAPTIVE_CARD, adaptiveCard, teamsMessage } from './teams.ts';
import { page } from './testing.ts';

describe('the Teams Workflows message', () => {
  it('wraps one Adaptive Card 1.4 in a message, as Workflows webhooks require', () => {
    const message = teamsMessage(page);
    expect(message).toMatchObject({
      type: 'message',
      attachments: [
        { contentType: ADAPTIVE_CARD, contentUrl: null, content: { type: 'AdaptiveCard', version: '1.4' } },
      ],
    });
    expect(cardMessageProblem(message)).toBeUndefined();
  });

  it('shows headline, text and facts, with Acknowledge and Open incident buttons on a page', () => {
    const card = adaptiveCard(page) as {
      body: Record<string, unknown>[];
      actions: Record<string, unknown>[];
    };
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: '[SEV1] Checkout down',
      color: 'Attention',
    });
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: page.text, wrap: true });
    expect(card.body[2]).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Severity', value: 'SEV1' },
        { title: 'State', value: 'triggered' },
        { title: 'Ack code', value: '4821' },
      ],
    });
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Acknowledge',
        url: 'https://t.example/ack/tok',
        style: 'destructive',
      },
      { type: 'Action.OpenUrl', title: 'Open incident', url: 'https://t.example/i/42' },
    ]);
  });

  it('has no Acknowledge on a notification and no actions at all without links', () => {
    const notify = adaptiveCard({ ...page, kind: 'notify' }) as { actions: { title: string }[] };
    expect(notify.actions.map((a) => a.title)).toEqual(['Open incident']);
    const bare = adaptiveCard({ kind: 'verify', text: 'Your Tocsin code is 123456' });
    expect(bare).not.toHaveProperty('actions');
    expect(bare.body).toHaveLength(2);
  });
});
