import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { xmlText } from '../providers/twilio.ts';

// Twilio's webhooks towards Tocsin: an SMS reply ("4821" to acknowledge a page) and the digits typed
// during a paging call. Pure functions; the HTTP route that receives them (form-encoded POST) checks
// the X-Twilio-Signature with verifyTwilioSignature before believing a word, parses the form, acts,
// and answers with TwiML (twimlReply).
//
// Signature (https://www.twilio.com/docs/usage/webhooks/webhooks-security): HMAC-SHA1 keyed with the
// account's auth token over the full URL Twilio requested (scheme, host, path and query) followed by
// every POST parameter's name and value, sorted by name; base64. The URL must be the public one
// Twilio called (TOCSIN_PUBLIC_URL + path), not what a proxy rewrote it to.

// The paths the two webhooks are served at (the voice one is the Gather action of paging calls).
export { TWILIO_SMS_PATH, TWILIO_VOICE_PATH } from '../providers/twilio.ts';

export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * The URL with and without its scheme's default port: Twilio signs the URL as configured, and its
 * own helper libraries accept either form because a port may be added or dropped on the way.
 */
function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  if (!defaultPort) return [url];
  const hostPattern = new RegExp(`^(${parsed.protocol}//[^/?#]*?)(:${defaultPort})?(?=[/?#]|$)`);
  const without = url.replace(hostPattern, (_m, host: string) => host);
  const withPort = url.replace(hostPattern, (_m, host: string) => `${host}:${defaultPort}`);
  return [...new Set([url, without, withPort])];
}

/** Whether the X-Twilio-Signature of a webhook is right; compared in constant time. */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
  signature: string,
): boolean {
  if (!authToken || !signature) return false;
  const given = Buffer.from(signature, 'utf8');
  let ok = false;
  for (const candidate of urlVariants(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params), 'utf8');
    // Every variant is compared, so the time taken does not tell which one (if any) matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number');

const smsSchema = z.object({
  From: e164,
  Body: z.string().max(1600),
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/, 'must be a Twilio message sid'),
});

export interface InboundSms {
  from: string;
  body: string;
  messageSid: string;
}

/** The form of an incoming-SMS webhook; throws a ZodError naming the bad field. */
export function parseTwilioSms(params: Record<string, string>): InboundSms {
  const p = smsSchema.parse(params);
  return { from: p.From, body: p.Body.trim(), messageSid: p.MessageSid };
}

const gatherSchema = z.object({
  // On an outbound call, To is the person called; From is Tocsin's number.
  To: e164,
  Digits: z.string().regex(/^[0-9*#]{0,40}$/, 'must be keypad digits'),
  CallSid: z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio call sid'),
});

export interface InboundDigits {
  /** The number that was called (the person answering). */
  to: string;
  digits: string;
  callSid: string;
}

/** The form Twilio posts to a <Gather> action when the callee typed digits. */
export function parseTwilioGather(params: Record<string, string>): InboundDigits {
  const p = gatherSchema.parse(params);
  return { to: p.To, digits: p.Digits, callSid: p.CallSid };
}

/** The TwiML answer to a webhook: one SMS back (for an SMS) or nothing at all when text is empty. */
export function twimlReply(text?: string): string {
  const body = text ? `<Message>${xmlText(text)}</Message>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
}

/** The TwiML answer to a Gather action: spoken, then hang up. */
export function twimlSay(text: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Say>${xmlText(text)}</Say><Hangup/></Response>`;
}
