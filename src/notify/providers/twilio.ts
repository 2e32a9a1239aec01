import { ConfigError, type Env, publicUrlOf } from '../../config/env.ts';
import { describeFailure } from '../../domain/checks/probes.ts';
import { escapeHtml } from '../../lib/html.ts';
import { VERSION } from '../../version.ts';
import { asNotificationPayload, type NotificationPayload } from '../message.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';
import { isRetryableStatus } from './webhook.ts';

// SMS and voice through Twilio's REST API (or any service speaking it): form-encoded POSTs to
// /2010-04-01/Accounts/{AccountSid}/Messages.json and …/Calls.json with HTTP Basic auth
// (AccountSid:AuthToken), answered with the created resource's JSON ({sid: "SM…"/"CA…", …}) or
// Twilio's error JSON ({code, message, more_info, status}). The API base URL is admin configuration
// (TOCSIN_TWILIO_API_URL), not behind the SSRF guard; tests point it at test/fakes/twilio.ts.
//
// Pages are acknowledged by answering: an SMS reply with the page's code, or the code typed on the
// keypad during the call (a <Gather> posting to the ack callback). Both arrive at Tocsin as Twilio
// webhooks; src/notify/inbound/twilio.ts verifies and parses them.

export interface TwilioOptions {
  /** TOCSIN_TWILIO_ACCOUNT_SID (AC…). */
  accountSid: string;
  /** TOCSIN_TWILIO_AUTH_TOKEN. */
  authToken: string;
  /** TOCSIN_TWILIO_FROM: the sending number, E.164. */
  from: string;
  /** TOCSIN_TWILIO_API_URL (default https://api.twilio.com). */
  apiUrl: string;
  /** Deadline for the whole exchange (default 10s). */
  timeoutMs?: number | undefined;
}

export interface TwilioVoiceOptions extends TwilioOptions {
  /** Where Twilio posts the digits typed during a call (public URL of Tocsin's voice callback). */
  gatherUrl: string;
}

/** Where Tocsin receives Twilio's webhooks: SMS replies, and the digits typed during a paging call. */
export const TWILIO_SMS_PATH = '/api/v1/twilio/sms';
export const TWILIO_VOICE_PATH = '/api/v1/twilio/voice';

/** E.164: +, a non-zero digit, at most 15 digits in all. */
export const E164 = /^\+[1-9]\d{1,14}$/;

/** Twilio's limit for one message body (it is split into segments on the way). */
export const SMS_MAX = 1600;
/** Twilio's limit for the Twiml parameter of a call. */
export const TWIML_MAX = 4000;

/** Cuts text to at most `max` UTF-16 units with an ellipsis, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** A verification code the text does not already carry. */
function verifyCode(p: NotificationPayload): string | undefined {
  return p.kind === 'verify' && p.code && !p.text.includes(p.code) ? p.code : undefined;
}

/** The SMS text: the message, then for pages how to acknowledge by reply; at most 1600 characters. */
export function smsBody(payload: unknown): string {
  const p = asNotificationPayload(payload);
  // A page fits one segment (pages/page-content.ts): the phone shows it whole, the link is in email/push.
  if (p.kind === 'page' && typeof p.short === 'string' && p.short) return p.short;
  const code = verifyCode(p);
  const suffix =
    p.kind === 'page' && p.ack?.code ? `\nReply ${p.ack.code} to acknowledge` : code ? `\nCode: ${code}` : '';
  const text = p.text || p.subject || 'Tocsin notification';
  return truncate(text, SMS_MAX - suffix.length) + suffix;
}

/** Text as XML character data: escaped, and without the control characters XML 1.0 forbids. */
export function xmlText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are exactly the characters XML forbids
  return escapeHtml(text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g, ''));
}

/** Digits read one by one ("4 8 2 1"), so a text-to-speech voice does not say "four thousand…". */
function spell(code: string): string {
  return code.split('').join(' ');
}

/** The longest cut of `text` whose rendering stays within Twilio's Twiml limit (escaping grows it). */
function fitTwiml(text: string, render: (text: string) => string): string {
  let budget = TWIML_MAX;
  let twiml = render(truncate(text, budget));
  while (twiml.length > TWIML_MAX && budget > 1) {
    budget = Math.max(1, budget - (twiml.length - TWIML_MAX));
    twiml = render(truncate(text, budget));
  }
  return twiml;
}

/**
 * The call's TwiML: the message spoken, then for pages a <Gather> asking for the ack code on the
 * keypad (posting the digits to the gather URL, which carries the outbox id); codes that are not
 * digits cannot be typed, so those calls ask for 1 instead.
 */
export function voiceTwiml(payload: unknown, gatherUrl: string, outboxId: string): string {
  const p = asNotificationPayload(payload);
  const text = p.text || p.subject || 'Tocsin notification';
  const say = (s: string) => `<Say>${xmlText(s)}</Say>`;
  // No XML declaration: the Twiml parameter takes the document itself, as in Twilio's examples.
  const response = (parts: string[]) => `<Response>${parts.join('')}</Response>`;
  if (p.kind === 'verify' && p.code) {
    const spoken = ` Your verification code is ${spell(p.code)}. Again: ${spell(p.code)}.`;
    return fitTwiml(text, (t) => response([say(t + spoken)]));
  }
  if (p.kind === 'page' && p.ack?.code) {
    const digits = /^\d{1,20}$/.test(p.ack.code) ? p.ack.code : undefined;
    const url = new URL(gatherUrl);
    url.searchParams.set('message', outboxId);
    const prompt = digits
      ? `To acknowledge, enter ${spell(digits)} on your keypad.`
      : 'To acknowledge, press 1.';
    const gather =
      `<Gather input="dtmf" numDigits="${digits ? digits.length : 1}" timeout="10" ` +
      `action="${xmlText(url.href)}" method="POST">${say(prompt)}</Gather>`;
    return fitTwiml(text, (t) => response([say(t), gather, say('No answer received. Goodbye.')]));
  }
  return fitTwiml(text, (t) => response([say(t)]));
}

/** Twilio's error answer: {"code": 21211, "message": "…", "more_info": "…", "status": 400}. */
function twilioErrorText(status: number, text: string): string {
  try {
    const e = JSON.parse(text) as { code?: unknown; message?: unknown };
    if (typeof e.message === 'string') return `Twilio HTTP ${status} ${String(e.code ?? '')}: ${e.message}`;
  } catch {
    // A proxy's page, not Twilio's JSON.
  }
  return `Twilio HTTP ${status}`;
}

/** POSTs one form to an account resource; returns the created resource's sid. */
async function createResource(
  options: TwilioOptions,
  resource: 'Messages' | 'Calls',
  form: Record<string, string>,
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = options.apiUrl.replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/${resource}.json`;
  const auth = Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64');
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${auth}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': `tocsin/${VERSION} (+twilio)`,
      },
      body: new URLSearchParams(form).toString(),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    throw new DeliveryError(`Twilio: ${describeFailure(error, timeoutMs)}`, true);
  }
  if (!response.ok) {
    throw new DeliveryError(twilioErrorText(response.status, text), isRetryableStatus(response.status));
  }
  try {
    const sid = (JSON.parse(text) as { sid?: unknown }).sid;
    if (typeof sid === 'string' && sid) return sid;
  } catch {
    // Fall through: created, but the answer is not the resource we expect.
  }
  // A 2xx that is not Twilio's answer (a proxy) may have sent nothing: a dead letter is visible where a
  // "sent" would hide a lost page. Not retried, since it may equally have gone through.
  throw new DeliveryError(`Twilio HTTP ${response.status} without a sid`, false);
}

function checkNumber(destination: string): void {
  if (!E164.test(destination)) {
    throw new DeliveryError(`not an E.164 phone number: ${JSON.stringify(destination)}`, false);
  }
}

export function twilioSmsProvider(options: TwilioOptions): Provider {
  return {
    channel: 'sms',
    async send(message: OutboundMessage): Promise<SendResult> {
      checkNumber(message.destination);
      const sid = await createResource(options, 'Messages', {
        To: message.destination,
        From: options.from,
        Body: smsBody(message.payload),
      });
      return { providerId: sid };
    },
  };
}

export function twilioVoiceProvider(options: TwilioVoiceOptions): Provider {
  return {
    channel: 'voice',
    async send(message: OutboundMessage): Promise<SendResult> {
      checkNumber(message.destination);
      const sid = await createResource(options, 'Calls', {
        To: message.destination,
        From: options.from,
        Twiml: voiceTwiml(message.payload, options.gatherUrl, message.id),
      });
      return { providerId: sid };
    },
  };
}

/**
 * The sms and voice providers of TOCSIN_TWILIO_*: none without an account sid, both with all three of
 * sid, token and number; a partial set is a configuration error rather than silently no SMS.
 */
export function twilioProvidersFromEnv(env: Env): Provider[] {
  const {
    TOCSIN_TWILIO_ACCOUNT_SID: accountSid,
    TOCSIN_TWILIO_AUTH_TOKEN: authToken,
    TOCSIN_TWILIO_FROM: from,
  } = env;
  if (!accountSid && !authToken && !from) return [];
  const missing = Object.entries({
    TOCSIN_TWILIO_ACCOUNT_SID: accountSid,
    TOCSIN_TWILIO_AUTH_TOKEN: authToken,
    TOCSIN_TWILIO_FROM: from,
  })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (!accountSid || !authToken || !from)
    throw new ConfigError(`Twilio needs ${missing.join(' and ')} as well`);
  const options = { accountSid, authToken, from, apiUrl: env.TOCSIN_TWILIO_API_URL };
  return [
    twilioSmsProvider(options),
    twilioVoiceProvider({ ...options, gatherUrl: `${publicUrlOf(env)}${TWILIO_VOICE_PATH}` }),
  ];
}
