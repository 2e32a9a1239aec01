import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { FakeTwilio, twilioSid, twilioWebhookSignature } from '../../../test/fakes/twilio.ts';
import {
  parseTwilioGather,
  parseTwilioSms,
  twilioSignature,
  twimlReply,
  twimlSay,
  verifyTwilioSignature,
} from './twilio.ts';

describe('Twilio webhook signature', () => {
  // The example of Twilio's webhook-security documentation, also the vector of Twilio's own helper
  // libraries' tests: auth token 12345, this URL and these Gather parameters.
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  };
  const documented = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

  it('matches Twilio’s documented example', () => {
    expect(twilioSignature('12345', url, params)).toBe(documented);
    expect(verifyTwilioSignature('12345', url, params, documented)).toBe(true);
  });

  it('does not depend on the order the parameters came in', () => {
    const reversed = Object.fromEntries(Object.entries(params).reverse());
    expect(verifyTwilioSignature('12345', url, reversed, documented)).toBe(true);
  });

  it('rejects a changed parameter, URL, query, token, or a missing signature', () => {
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '9999' }, documented)).toBe(false);
    expect(verifyTwilioSignature('12345', url, { ...params, Extra: '' }, documented)).toBe(false);
    expect(
      verifyTwilioSignature('12345', 'https://mycompany.com/myapp.php?foo=1&bar=3', params, documented),
    ).toBe(false);
    expect(
      verifyTwilioSignature('12345', 'http://mycompany.com/myapp.php?foo=1&bar=2', params, documented),
    ).toBe(false);
    expect(verifyTwilioSignature('54321', url, params, documented)).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, '')).toBe(false);
    expect(verifyTwilioSignature('', url, params, documented)).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, 'short')).toBe(false);
  });

  it('accepts the URL with or without the default port, as Twilio’s libraries do', () => {
    expect(
      verifyTwilioSignature('12345', 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params, documented),
    ).toBe(true);
    const signedWithPort = twilioSignature(
      '12345',
      'https://mycompany.com:443/myapp.php?foo=1&bar=2',
      params,
    );
    expect(verifyTwilioSignature('12345', url, params, signedWithPort)).toBe(true);
    // Another port is another URL.
    expect(
      verifyTwilioSignature('12345', 'https://mycompany.com:8443/myapp.php?foo=1&bar=2', params, documented),
    ).toBe(false);
  });

  it('verifies a webhook the Twilio fake signed (an SMS reply, UTF-8 included)', async () => {
    const fake = await FakeTwilio.start({ accountSid: `AC${'a'.repeat(32)}`, authToken: 'fake-token-123' });
    try {
      const hook = 'https://tocsin.example/api/v1/twilio/sms';
      const form = {
        From: '+251911234567',
        To: '+15005550006',
        Body: 'ack 4821 ✓ ሰላም',
        MessageSid: twilioSid('SM'),
      };
      const { body, headers } = fake.webhook(hook, form);
      const received = Object.fromEntries(new URLSearchParams(body));
      expect(
        verifyTwilioSignature('fake-token-123', hook, received, headers['x-twilio-signature'] ?? ''),
      ).toBe(true);
      expect(verifyTwilioSignature('other-token', hook, received, headers['x-twilio-signature'] ?? '')).toBe(
        false,
      );
      expect(twilioWebhookSignature('12345', url, params)).toBe(documented);
    } finally {
      await fake.close();
    }
  });
});

describe('inbound Twilio forms', () => {
  const sid = `SM${'0'.repeat(32)}`;

  it('parses an SMS reply', () => {
    expect(
      parseTwilioSms({
        From: '+251911234567',
        To: '+15005550006',
        Body: '  4821 \n',
        MessageSid: sid,
        NumMedia: '0',
      }),
    ).toEqual({ from: '+251911234567', body: '4821', messageSid: sid });
  });

  it('names the bad field', () => {
    const bad = (params: Record<string, string>) => {
      try {
        parseTwilioSms(params);
      } catch (error) {
        expect(error).toBeInstanceOf(ZodError);
        return (error as ZodError).issues.map((i) => i.path.join('.'));
      }
      return [];
    };
    expect(bad({ Body: 'x', MessageSid: sid })).toEqual(['From']);
    expect(bad({ From: '0911', Body: 'x', MessageSid: sid })).toEqual(['From']);
    expect(bad({ From: '+251911234567', MessageSid: sid })).toEqual(['Body']);
    expect(bad({ From: '+251911234567', Body: 'x', MessageSid: 'nope' })).toEqual(['MessageSid']);
  });

  it('parses the digits of a Gather', () => {
    const callSid = `CA${'f'.repeat(32)}`;
    expect(
      parseTwilioGather({ To: '+251911234567', From: '+15005550006', Digits: '4821', CallSid: callSid }),
    ).toEqual({
      to: '+251911234567',
      digits: '4821',
      callSid,
    });
    expect(() => parseTwilioGather({ To: '+251911234567', Digits: '12a', CallSid: callSid })).toThrow(
      ZodError,
    );
  });

  it('answers with escaped TwiML', () => {
    expect(twimlReply('Acknowledged <SEV1> & done')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Acknowledged &lt;SEV1&gt; &amp; done</Message></Response>',
    );
    expect(twimlReply()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    expect(twimlSay('Thanks & bye')).toContain('<Say>Thanks &amp; bye</Say><Hangup/>');
  });
});
