import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTwilio } from '../../../test/fakes/twilio.ts';
import { ConfigError, loadEnv } from '../../config/env.ts';
import type { NotificationPayload } from '../message.ts';
import type { OutboundMessage } from './provider.ts';
import { deliveryFailure } from './testing.ts';
import {
  SMS_MAX,
  smsBody,
  TWIML_MAX,
  truncate,
  twilioProvidersFromEnv,
  twilioSmsProvider,
  twilioVoiceProvider,
  voiceTwiml,
  xmlText,
} from './twilio.ts';

// SMS and voice against the loopback fake of Twilio's REST API, which checks Basic auth and the
// required parameters as the real one does.

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'test-auth-token-0123456789abcdef';
const FROM = '+15005550006';
const GATHER = 'https://tocsin.example/api/v1/twilio/voice';
let twilio: FakeTwilio;

beforeAll(async () => {
  twilio = await FakeTwilio.start({ accountSid: SID, authToken: TOKEN });
});
afterAll(() => twilio.close());

const options = (authToken = TOKEN) => ({ accountSid: SID, authToken, from: FROM, apiUrl: `${twilio.url}/` });
const sms = (authToken?: string) => twilioSmsProvider(options(authToken));
const voice = () => twilioVoiceProvider({ ...options(), gatherUrl: GATHER });

function message(
  channel: string,
  destination: string,
  payload: NotificationPayload,
  id = '31',
): OutboundMessage {
  const now = new Date('2026-03-02T10:00:00Z');
  return { id, channel, destination, template: null, payload, createdAt: now, attempt: 1, now };
}

const page: NotificationPayload = {
  kind: 'page',
  text: 'SEV1 Checkout down: payments <fail> & "retry" storms',
  incident: { id: 'inc-7', title: 'Checkout down', severity: 'SEV1', state: 'open' },
  ack: { url: 'https://tocsin.example/ack/abc', code: '4821' },
};

const failure = deliveryFailure;

describe('Twilio SMS', () => {
  it('creates a Message with To, From and Body and returns its sid', async () => {
    const result = await sms().send(message('sms', '+251911234567', page));
    const created = twilio.messages.at(-1);
    expect(result.providerId).toBe(created?.sid);
    expect(result.providerId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(created?.params).toEqual({
      To: '+251911234567',
      From: FROM,
      Body: 'SEV1 Checkout down: payments <fail> & "retry" storms\nReply 4821 to acknowledge',
    });
  });

  it('keeps a long page within 1600 characters and still ends with the reply code', async () => {
    await sms().send(message('sms', '+4915112345678', { ...page, text: '🚨'.repeat(1000) }));
    const body = twilio.messages.at(-1)?.params.Body ?? '';
    expect(body.length).toBeLessThanOrEqual(SMS_MAX);
    expect(body.endsWith('…\nReply 4821 to acknowledge')).toBe(true);
    // No half of a surrogate pair left behind by the cut.
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('maps Twilio errors: 401 and 400 permanent with code and message, 429 and 5xx retryable', async () => {
    const auth = await failure(sms('wrong-token').send(message('sms', '+251911234567', page)));
    expect(auth).toMatchObject({ retryable: false, message: 'Twilio HTTP 401 20003: Authenticate' });
    twilio.failNext(400, 21610, 'Attempt to send to unsubscribed recipient');
    const unsubscribed = await failure(sms().send(message('sms', '+251911234567', page)));
    expect(unsubscribed).toMatchObject({
      retryable: false,
      message: 'Twilio HTTP 400 21610: Attempt to send to unsubscribed recipient',
    });
    twilio.failNext(429, 20429, 'Too Many Requests');
    expect((await failure(sms().send(message('sms', '+251911234567', page)))).retryable).toBe(true);
    twilio.failNext(503, 20500, 'Service Unavailable');
    expect((await failure(sms().send(message('sms', '+251911234567', page)))).retryable).toBe(true);
  });

  it('refuses a destination that is not E.164 before calling Twilio', async () => {
    const before = twilio.created.length;
    for (const to of ['0911234567', '+0123', 'tel:+251911234567', '+25191123456789012']) {
      expect((await failure(sms().send(message('sms', to, page)))).retryable).toBe(false);
    }
    expect(twilio.created.length).toBe(before);
  });

  it('fails retryably when the API cannot be reached', async () => {
    const down = twilioSmsProvider({ ...options(), apiUrl: 'http://127.0.0.1:1', timeoutMs: 2000 });
    const error = await failure(down.send(message('sms', '+251911234567', page)));
    expect(error).toMatchObject({ retryable: true });
    expect(error.message).toMatch(/^Twilio: /);
  });
});

describe('the Twilio fake checks requests like the API', () => {
  const post = (body: URLSearchParams, auth = `${SID}:${TOKEN}`, resource = 'Messages') =>
    fetch(`${twilio.url}/2010-04-01/Accounts/${SID}/${resource}.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    });

  it('answers 400 with Twilio’s error JSON when To is missing, 401 on bad credentials', async () => {
    const missing = await post(new URLSearchParams({ From: FROM, Body: 'x' }));
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      code: 21604,
      message: "A 'To' phone number is required.",
      more_info: 'https://www.twilio.com/docs/errors/21604',
      status: 400,
    });
    const call = await post(new URLSearchParams({ From: FROM, Twiml: '<Response/>' }), undefined, 'Calls');
    expect(await call.json()).toMatchObject({ code: 21201, status: 400 });
    expect(
      (await post(new URLSearchParams({ To: '+15005550001', From: FROM, Body: 'x' }), `${SID}:nope`)).status,
    ).toBe(401);
  });
});

describe('Twilio voice', () => {
  it('calls with TwiML that speaks the page, escaped, and gathers the ack code', async () => {
    const result = await voice().send(message('voice', '+251911234567', page, 'row-9'));
    const created = twilio.calls.at(-1);
    expect(result.providerId).toBe(created?.sid);
    expect(result.providerId).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created?.params.To).toBe('+251911234567');
    expect(created?.params.From).toBe(FROM);
    expect(created?.params.Twiml).toBe(
      '<Response>' +
        '<Say>SEV1 Checkout down: payments &lt;fail&gt; &amp; &quot;retry&quot; storms</Say>' +
        '<Gather input="dtmf" numDigits="4" timeout="10" ' +
        'action="https://tocsin.example/api/v1/twilio/voice?message=row-9" method="POST">' +
        '<Say>To acknowledge, enter 4 8 2 1 on your keypad.</Say></Gather>' +
        '<Say>No answer received. Goodbye.</Say></Response>',
    );
  });

  it('asks for 1 when the code cannot be typed, and escapes the action URL', () => {
    const twiml = voiceTwiml({ ...page, ack: { url: 'x', code: 'ABC' } }, 'https://t.example/v?a=1', 'm&1');
    expect(twiml).toContain('numDigits="1"');
    expect(twiml).toContain('action="https://t.example/v?a=1&amp;message=m%261"');
    expect(twiml).toContain('press 1');
  });

  it('spells out verification codes and plays notices without a Gather', () => {
    expect(voiceTwiml({ kind: 'verify', text: 'Tocsin here.', code: '913' }, GATHER, '1')).toContain(
      'Your verification code is 9 1 3. Again: 9 1 3.',
    );
    const notice = voiceTwiml({ kind: 'notify', text: 'Resolved' }, GATHER, '1');
    expect(notice).not.toContain('Gather');
    expect(notice).toContain('<Say>Resolved</Say>');
  });

  it('keeps the TwiML within Twilio’s 4000 characters even when escaping grows the text', async () => {
    const twiml = voiceTwiml({ ...page, text: '&<>"'.repeat(2000) }, GATHER, '1');
    expect(twiml.length).toBeLessThanOrEqual(TWIML_MAX);
    expect(twiml).toContain('</Gather>');
    await voice().send(message('voice', '+251911234567', { ...page, text: '&'.repeat(5000) }));
    expect(twilio.calls.at(-1)?.params.Twiml?.length).toBeLessThanOrEqual(TWIML_MAX);
  });
});

describe('rendering helpers', () => {
  it('drops characters XML forbids and truncates with an ellipsis', () => {
    expect(xmlText('a\u0000b\u0007c<d')).toBe('abc&lt;d');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(smsBody({ kind: 'verify', text: 'Confirm this number', code: '42' })).toBe(
      'Confirm this number\nCode: 42',
    );
    expect(smsBody({ kind: 'notify', text: 'Resolved', ack: { url: 'x', code: '1' } })).toBe('Resolved');
  });
});

describe('Twilio from the environment', () => {
  it('is off without settings, a configuration error when partial', () => {
    expect(twilioProvidersFromEnv(loadEnv({}))).toEqual([]);
    expect(() => twilioProvidersFromEnv(loadEnv({ TOCSIN_TWILIO_ACCOUNT_SID: SID }))).toThrow(ConfigError);
    expect(() =>
      twilioProvidersFromEnv(loadEnv({ TOCSIN_TWILIO_ACCOUNT_SID: SID, TOCSIN_TWILIO_FROM: FROM })),
    ).toThrow('Twilio needs TOCSIN_TWILIO_AUTH_TOKEN as well');
    expect(() => loadEnv({ TOCSIN_TWILIO_FROM: '0911234567' })).toThrow(/TOCSIN_TWILIO_FROM/);
    expect(() => loadEnv({ TOCSIN_TWILIO_ACCOUNT_SID: 'AC123' })).toThrow(/TOCSIN_TWILIO_ACCOUNT_SID/);
  });

  it('builds sms and voice, the call’s Gather posting to the public URL', async () => {
    const providers = twilioProvidersFromEnv(
      loadEnv({
        TOCSIN_TWILIO_ACCOUNT_SID: SID,
        TOCSIN_TWILIO_AUTH_TOKEN: TOKEN,
        TOCSIN_TWILIO_FROM: FROM,
        TOCSIN_TWILIO_API_URL: twilio.url,
        TOCSIN_PUBLIC_URL: 'https://oncall.example/',
      }),
    );
    expect(providers.map((p) => p.channel)).toEqual(['sms', 'voice']);
    await providers[1]?.send(message('voice', '+251911234567', page, 'env-1'));
    expect(twilio.calls.at(-1)?.params.Twiml).toContain(
      'action="https://oncall.example/api/v1/twilio/voice?message=env-1"',
    );
  });
});
