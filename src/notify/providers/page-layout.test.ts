import { describe, expect, it } from 'vitest';
import { cardMessageProblem } from '../../../test/fakes/teams.ts';
import { type PageFacts, pageLayout, pageSubject, pageText } from '../../domain/paging/page-content.ts';
import type { NotificationPayload } from '../message.ts';
import { SLACK_ACK_ACTION, slackContent } from './slack.ts';
import { adaptiveCard, cardEscape, teamsMessage } from './teams.ts';

// Day one (issue 9, item 5): Slack blocks and Teams cards carry the page's parts — incident number
// and link, service, the alert's source, summary and details, the step and who else is paged, how
// to acknowledge and resolve — escaped, and cut to each channel's limits.

const facts = (over: Partial<PageFacts> = {}): PageFacts => ({
  incident: {
    id: '12',
    title: 'Payments <DB> & *pool* [down]',
    severity: 'SEV1',
    state: 'investigating',
    service: 'payments',
  },
  alert: {
    source: 'prometheus',
    summary: 'Connection pool exhausted on db-1 <primary>',
    details: { instance: 'db-1:5432', waiting: 42, note: '_all_ `clients` <blocked>' },
  },
  message: '[SEV1] Payments DB down',
  policy: 'db-oncall',
  step: 2,
  steps: 3,
  round: 1,
  rounds: 2,
  others: ['kofi', 'selam'],
  incidentUrl: 'https://tocsin.example/incidents/12',
  ack: { url: 'https://tocsin.example/ack/tok123', code: '4821' },
  ...over,
});

/** The payload run-step.ts queues for a page, from the same builders. */
const payloadOf = (f: PageFacts): NotificationPayload => ({
  kind: 'page',
  text: pageText(f),
  subject: pageSubject(f),
  ...(f.incident
    ? {
        incident: {
          id: f.incident.id,
          title: f.incident.title,
          severity: f.incident.severity,
          state: f.incident.state,
          ...(f.incidentUrl ? { url: f.incidentUrl } : {}),
        },
      }
    : {}),
  ...(f.ack ? { ack: f.ack } : {}),
  page: pageLayout(f),
});

const texts = (v: unknown): string => JSON.stringify(v);

describe('Slack blocks of a page', () => {
  it('lay out number and link, service, step, others, the alert, ack and resolve, escaped', () => {
    const { text, blocks } = slackContent(payloadOf(facts()));
    expect(text).toBe('Page: [SEV1] #12 Payments &lt;DB&gt; &amp; *pool* [down] (payments)');
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context', 'actions']);
    // A header is plain text: nothing to escape there.
    expect(blocks[0]).toMatchObject({
      text: { type: 'plain_text', text: '🚨 [SEV1] #12 Payments <DB> & *pool* [down] (payments)' },
    });
    const fields = (blocks[1] as { fields: { text: string }[] }).fields.map((f) => f.text);
    expect(fields).toEqual([
      '*Incident*\n<https://tocsin.example/incidents/12|#12>',
      '*Severity · state*\nSEV1 · investigating',
      '*Service*\npayments',
      '*You are paged at*\nstep 2 of 3 (round 1 of 2) of db-oncall',
      '*Also paged*\nkofi, selam',
    ]);
    const alert = (blocks[2] as { text: { text: string } }).text.text;
    expect(alert).toBe(
      '*Alert from prometheus:* Connection pool exhausted on db-1 &lt;primary&gt;\n' +
        '• instance: db-1:5432\n• waiting: 42\n• note: _all_ `clients` &lt;blocked&gt;',
    );
    expect(texts(blocks[3])).toContain('reply 4821 to an SMS page');
    expect(texts(blocks[3])).toContain('npx tocsin incident resolve 12');
    expect((blocks[4] as { elements: unknown[] }).elements).toEqual([
      expect.objectContaining({ action_id: SLACK_ACK_ACTION, value: '12', style: 'danger' }),
      expect.objectContaining({ url: 'https://tocsin.example/incidents/12', value: '12' }),
    ]);
  });

  it('cut every part to Slack’s limits', () => {
    const long = 'x'.repeat(5000);
    const f = facts({
      incident: { id: '13', title: long, severity: 'SEV1', state: 'investigating', service: 'payments' },
      alert: { source: 'p', summary: long, details: {} },
      others: Array.from({ length: 400 }, (_, i) => `person-${i}`),
    });
    const { blocks } = slackContent(payloadOf(f));
    expect((blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
    for (const field of (blocks[1] as { fields: { text: string }[] }).fields) {
      expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    expect((blocks[1] as { fields: unknown[] }).fields.length).toBeLessThanOrEqual(10);
    expect((blocks[2] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(3000);
    expect(blocks.length).toBeLessThanOrEqual(50);
  });

  it('keep the older layout for a page without parts (rows queued before)', () => {
    const { page: _parts, ...withoutParts } = payloadOf(facts());
    expect(slackContent(withoutParts).blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'context',
      'actions',
    ]);
  });
});

describe('Teams card of a page', () => {
  it('lays out facts, the alert and its details, how to resolve, and both buttons, escaped', () => {
    const message = teamsMessage(payloadOf(facts()));
    expect(cardMessageProblem(message)).toBeUndefined();
    const card = adaptiveCard(payloadOf(facts()));
    const body = card.body as Record<string, unknown>[];
    expect(body.map((b) => b.type)).toEqual(['TextBlock', 'FactSet', 'TextBlock', 'FactSet', 'TextBlock']);
    expect(body[0]).toMatchObject({
      text: '\\[SEV1\\] #12 Payments <DB> & \\*pool\\* \\[down\\] (payments)',
      color: 'Attention',
    });
    expect(body[1]?.facts).toEqual([
      { title: 'Incident', value: '#12' },
      { title: 'Severity', value: 'SEV1 · investigating' },
      { title: 'Service', value: 'payments' },
      { title: 'Step', value: '2 of 3 (round 1 of 2) of db-oncall' },
      { title: 'Also paged', value: 'kofi, selam' },
      { title: 'Ack code', value: '4821' },
    ]);
    expect(body[2]).toMatchObject({
      text: 'Alert from prometheus: Connection pool exhausted on db-1 <primary>',
    });
    expect(body[3]?.facts).toEqual([
      { title: 'instance', value: 'db-1:5432' },
      { title: 'waiting', value: '42' },
      { title: 'note', value: '\\_all\\_ \\`clients\\` <blocked>' },
    ]);
    expect(String(body[4]?.text)).toContain('npx tocsin incident resolve 12');
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Acknowledge',
        url: 'https://tocsin.example/ack/tok123',
        style: 'destructive',
      },
      { type: 'Action.OpenUrl', title: 'Open incident #12', url: 'https://tocsin.example/incidents/12' },
    ]);
  });

  it('cuts long parts and stays well under the 28 KB Teams takes', () => {
    const long = 'y'.repeat(20_000);
    const f = facts({
      incident: { id: '14', title: long, severity: 'SEV1', state: 'investigating', service: long },
      alert: {
        source: long,
        summary: long,
        details: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, long])),
      },
      others: Array.from({ length: 2000 }, (_, i) => `person-${i}`),
    });
    const body = JSON.stringify(teamsMessage(payloadOf(f)));
    expect(Buffer.byteLength(body)).toBeLessThan(28 * 1024);
    const card = adaptiveCard(payloadOf(f));
    expect(String((card.body as { text?: string }[])[0]?.text).length).toBeLessThanOrEqual(200);
  });

  it('escapes the Markdown that would make links or emphasis', () => {
    expect(cardEscape('[click](http://evil) *now* _x_ `y` ~z~ \\')).toBe(
      '\\[click\\](http://evil) \\*now\\* \\_x\\_ \\`y\\` \\~z\\~ \\\\',
    );
  });
});
