import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { slackButtonClick } from '../../../test/fakes/slack.ts';
import { Invalid } from '../../errors.ts';
import { parseSlackInteraction, slackSignature, verifySlackSignature } from './slack.ts';

// The worked example of docs.slack.dev/authentication/verifying-requests-from-slack (a slash command
// body, but the scheme is the same for every request Slack signs).
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TS = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIG = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';
const docTime = (offsetSeconds: number) => new Date((Number(DOC_TS) + offsetSeconds) * 1000);

describe('verifySlackSignature', () => {
  it("accepts Slack's documented example within five minutes of its timestamp", () => {
    expect(slackSignature(DOC_SECRET, DOC_TS, DOC_BODY)).toBe(DOC_SIG);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, DOC_BODY, docTime(0))).toBe(true);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, DOC_BODY, docTime(299))).toBe(true);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, DOC_BODY, docTime(-299))).toBe(true);
  });

  it('refuses replays: a timestamp more than five minutes away, either way', () => {
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, DOC_BODY, docTime(301))).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, DOC_BODY, docTime(-301))).toBe(false);
  });

  it('refuses a changed body, another secret, a tampered signature and malformed headers', () => {
    const now = docTime(10);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG, `${DOC_BODY}&x=1`, now)).toBe(false);
    expect(verifySlackSignature('another-secret-0123456', DOC_TS, DOC_SIG, DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG.replace(/3$/, '4'), DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG.replace('v0=', 'v1='), DOC_BODY, now)).toBe(
      false,
    );
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, DOC_SIG.slice(0, -1), DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, undefined, DOC_SIG, DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, DOC_TS, undefined, DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature(DOC_SECRET, '1531420618.5', DOC_SIG, DOC_BODY, now)).toBe(false);
    expect(verifySlackSignature('', DOC_TS, DOC_SIG, DOC_BODY, now)).toBe(false);
  });

  it('agrees with an independent HMAC over v0:timestamp:body', () => {
    const body = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
    const ts = '1772445600';
    const mac = createHmac('sha256', 'test-signing-secret-1').update(`v0:${ts}:${body}`).digest('hex');
    expect(
      verifySlackSignature('test-signing-secret-1', ts, `v0=${mac}`, body, new Date(1772445600_000)),
    ).toBe(true);
  });
});

/** A block_actions interaction as Slack sends it (trimmed of fields Tocsin ignores). */
function interaction(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'block_actions',
    user: { id: 'U024BE7LH', username: 'ayana', name: 'ayana', team_id: 'T0CAG' },
    api_app_id: 'A0CA5',
    token: 'Shh_its_a_seekrit',
    container: {
      type: 'message',
      message_ts: '1772445600.000100',
      channel_id: 'C0INCIDENT',
      is_ephemeral: false,
    },
    trigger_id: '12466734323.1395872398',
    team: { id: 'T0CAG', domain: 'acme' },
    channel: { id: 'C0INCIDENT', name: 'incidents' },
    response_url: 'https://hooks.slack.com/actions/T0CAG/1234567890/abcdefABCDEF',
    actions: [
      {
        action_id: 'tocsin_ack',
        block_id: 'b1',
        value: 'inc_42',
        style: 'danger',
        type: 'button',
        text: { type: 'plain_text', text: 'Acknowledge' },
        action_ts: '1772445612.000200',
      },
    ],
    ...overrides,
  };
}
const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

describe('parseSlackInteraction', () => {
  it('reads a signed click from the fake, after verifying it', () => {
    const now = new Date('2026-03-02T10:00:00Z');
    const click = slackButtonClick('test-signing-secret-1', { value: 'inc_9', userId: 'U9' }, now);
    const ts = click.headers['x-slack-request-timestamp'];
    const sig = click.headers['x-slack-signature'];
    expect(verifySlackSignature('test-signing-secret-1', ts, sig, click.body, now)).toBe(true);
    expect(parseSlackInteraction(click.body)).toMatchObject({
      actionId: 'tocsin_ack',
      value: 'inc_9',
      slackUserId: 'U9',
    });
  });

  it('reads the clicked button, who clicked and where to answer', () => {
    expect(parseSlackInteraction(form(interaction()))).toEqual({
      actionId: 'tocsin_ack',
      value: 'inc_42',
      slackUserId: 'U024BE7LH',
      responseUrl: 'https://hooks.slack.com/actions/T0CAG/1234567890/abcdefABCDEF',
    });
  });

  it.each([
    ['no payload field', 'token=x&type=block_actions', 'payload', 'form field missing'],
    ['a payload that is not JSON', 'payload=%7Bnope', 'payload', 'not JSON'],
    ['another interaction type', form(interaction({ type: 'view_submission' })), 'payload.type', ''],
    ['no actions', form(interaction({ actions: [] })), 'payload.actions', 'no action in the interaction'],
    [
      'an action without value',
      form(interaction({ actions: [{ action_id: 'x' }] })),
      'payload.actions.0.value',
      '',
    ],
    ['no user', form(interaction({ user: undefined })), 'payload.user', ''],
    [
      'a response_url that is no URL',
      form(interaction({ response_url: 'nope' })),
      'payload.response_url',
      '',
    ],
  ])('refuses %s, naming the field', (_what, body, path, message) => {
    let error: unknown;
    try {
      parseSlackInteraction(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Invalid);
    const detail = (error as Invalid).details.find((d) => d.path === path);
    expect(detail, JSON.stringify((error as Invalid).details)).toBeDefined();
    expect(detail?.message).toContain(message);
  });
});
