import { createHmac, randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, HttpFake } from './http-fake.ts';

// A loopback Twilio speaking the REST API's wire format for the two resources Tocsin creates:
// POST /2010-04-01/Accounts/{AccountSid}/Messages.json and …/Calls.json, form-encoded, HTTP Basic
// auth with AccountSid:AuthToken. Like the real API it answers 401 (code 20003) to bad credentials,
// 400 with Twilio's error JSON ({code, message, more_info, status}) when a required parameter is
// missing or invalid, and 201 with the created Message/Call resource (sid SM…/CA…). Everything it
// accepted is recorded. It can also play Twilio's part the other way round: signed webhooks (an SMS
// reply, digits typed during a call) towards Tocsin's inbound endpoints.

export interface TwilioCreated {
  resource: 'Messages' | 'Calls';
  sid: string;
  params: Record<string, string>;
  raw: FakeRequest;
}

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
}

const PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/;
const E164 = /^\+[1-9]\d{1,14}$/;

function twilioError(status: number, code: number, message: string): FakeAnswer {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

/** Twilio's sids: a two-letter prefix and 32 hex digits. */
export function twilioSid(prefix: 'SM' | 'CA' | 'AC'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}

/** Twilio's date format in resources: RFC 2822. */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');

/** The X-Twilio-Signature Twilio puts on a webhook: HMAC-SHA1 of URL + sorted name/value pairs. */
export function twilioWebhookSignature(
  authToken: string,
  url: string,
  params: Record<string, string>,
): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

export class FakeTwilio {
  readonly created: TwilioCreated[] = [];

  private constructor(
    private readonly http: HttpFake,
    readonly options: FakeTwilioOptions,
  ) {}

  static async start(options: FakeTwilioOptions): Promise<FakeTwilio> {
    let fake: FakeTwilio | undefined;
    const http = await HttpFake.start((request) => (fake ? fake.handle(request) : { status: 503, body: '' }));
    fake = new FakeTwilio(http, options);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  get messages(): TwilioCreated[] {
    return this.created.filter((c) => c.resource === 'Messages');
  }

  get calls(): TwilioCreated[] {
    return this.created.filter((c) => c.resource === 'Calls');
  }

  /** The next `count` requests get this status with Twilio's error JSON. */
  failNext(status: number, code: number, message: string, count = 1): void {
    const answer = twilioError(status, code, message);
    this.http.failNext(answer.status, answer.body, count);
  }

  /** An inbound webhook as Twilio would post it, signed with the account's auth token. */
  webhook(url: string, params: Record<string, string>): { body: string; headers: Record<string, string> } {
    return {
      body: new URLSearchParams(params).toString(),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioWebhookSignature(this.options.authToken, url, params),
      },
    };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private authorized(request: FakeRequest, accountSid: string): boolean {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Basic ')) return false;
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    const expected = `${this.options.accountSid}:${this.options.authToken}`;
    return decoded === expected && accountSid === this.options.accountSid;
  }

  private handle(request: FakeRequest): FakeAnswer {
    const match = PATH.exec(request.url.split('?')[0] ?? '');
    if (!match) return twilioError(404, 20404, 'The requested resource was not found');
    const [, accountSid = '', resource] = match;
    if (request.method !== 'POST') return twilioError(405, 20004, 'Method not allowed');
    if (!this.authorized(request, decodeURIComponent(accountSid)))
      return twilioError(401, 20003, 'Authenticate');
    if (!String(request.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
      // The real API reads form bodies only: JSON arrives as "no parameters".
      return resource === 'Calls'
        ? twilioError(400, 21201, "No 'To' number is specified")
        : twilioError(400, 21604, "A 'To' phone number is required.");
    }
    const params = Object.fromEntries(new URLSearchParams(request.body));
    return resource === 'Calls' ? this.createCall(params, request) : this.createMessage(params, request);
  }

  private createMessage(params: Record<string, string>, raw: FakeRequest): FakeAnswer {
    const { To: to, From: from, Body: body } = params;
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from && !params.MessagingServiceSid)
      return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body && !params.MediaUrl) return twilioError(400, 21602, 'Message body is required.');
    if (body && body.length > 1600) {
      return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const sid = twilioSid('SM');
    this.created.push({ resource: 'Messages', sid, params, raw });
    const now = rfc2822(new Date());
    const ac = this.options.accountSid;
    return {
      status: 201,
      body: {
        account_sid: ac,
        api_version: '2010-04-01',
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: params.MessagingServiceSid ?? null,
        num_media: '0',
        num_segments: String(Math.max(1, Math.ceil((body?.length ?? 0) / 153))),
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        subresource_uris: { media: `/2010-04-01/Accounts/${ac}/Messages/${sid}/Media.json` },
        to,
        uri: `/2010-04-01/Accounts/${ac}/Messages/${sid}.json`,
      },
    };
  }

  private createCall(params: Record<string, string>, raw: FakeRequest): FakeAnswer {
    const { To: to, From: from } = params;
    if (!to) return twilioError(400, 21201, "No 'To' number is specified");
    if (!E164.test(to)) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    if (!from) return twilioError(400, 21213, "No 'From' number is specified");
    if (!params.Url && !params.Twiml && !params.ApplicationSid) {
      return twilioError(400, 21200, 'Either Url, Twiml or ApplicationSid is required.');
    }
    // Twilio documents a 4000-character limit for Twiml; 21200 is its Calls-resource error family.
    if (params.Twiml && params.Twiml.length > 4000) {
      return twilioError(400, 21200, 'Twiml exceeds the 4000 character limit.');
    }
    const sid = twilioSid('CA');
    this.created.push({ resource: 'Calls', sid, params, raw });
    const now = rfc2822(new Date());
    const ac = this.options.accountSid;
    return {
      status: 201,
      body: {
        account_sid: ac,
        api_version: '2010-04-01',
        answered_by: null,
        caller_name: null,
        date_created: now,
        date_updated: now,
        direction: 'outbound-api',
        duration: null,
        end_time: null,
        forwarded_from: null,
        from,
        from_formatted: from,
        parent_call_sid: null,
        phone_number_sid: null,
        price: null,
        price_unit: 'USD',
        sid,
        start_time: null,
        status: 'queued',
        subresource_uris: { recordings: `/2010-04-01/Accounts/${ac}/Calls/${sid}/Recordings.json` },
        to,
        to_formatted: to,
        uri: `/2010-04-01/Accounts/${ac}/Calls/${sid}.json`,
      },
    };
  }
}
