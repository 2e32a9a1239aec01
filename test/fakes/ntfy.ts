import { randomBytes } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, HttpFake } from './http-fake.ts';

// A loopback ntfy server speaking ntfy's publish API (https://docs.ntfy.sh/publish/): POST or PUT
// /<topic> with the message as the body and the options in headers (Title, Priority, Tags, Click,
// Actions, also as X-… and RFC 2047 encoded-words), answered with the JSON message ntfy returns
// ({id, time, expires, event: "message", topic, message, …}) or ntfy's error JSON
// ({code, http, error, link}). Every accepted message is recorded, decoded, for tests to inspect.

export interface NtfyAction {
  action: string;
  label: string;
  url?: string;
  clear?: boolean;
}

export interface NtfyPublished {
  id: string;
  topic: string;
  message: string;
  title?: string;
  priority: number;
  tags: string[];
  click?: string;
  actions: NtfyAction[];
  /** The Authorization header as received. */
  authorization?: string;
  raw: FakeRequest;
}

export interface FakeNtfyOptions {
  /** When set, publishing needs `Authorization: Bearer <token>` (an access-controlled server). */
  token?: string;
}

const TOPIC = /^\/([-_A-Za-z0-9]{1,64})$/;
const PRIORITIES: Record<string, number> = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 };

function ntfyError(http: number, code: number, error: string, link?: string): FakeAnswer {
  return { status: http, body: { code, http, error, ...(link ? { link } : {}) } };
}

/** RFC 2047 encoded-words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=), as ntfy decodes them. */
export function decodeHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function header(request: FakeRequest, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = request.headers[name];
    if (typeof v === 'string') return decodeHeader(v);
  }
  return undefined;
}

/** Splits on `sep` outside double or single quotes; unquotes the parts unless `keepQuotes`. */
function splitQuoted(value: string, sep: string, keepQuotes = false): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of value) {
    if (quote) {
      const closing = ch === quote;
      if (closing) quote = undefined;
      if (!closing || keepQuotes) current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      if (keepQuotes) current += ch;
    } else if (ch === sep) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** ntfy's simple action syntax: `view, Label, https://…, clear=true; http, …`. */
export function parseActions(value: string | undefined): NtfyAction[] | string {
  if (!value) return [];
  const actions: NtfyAction[] = [];
  for (const spec of splitQuoted(value, ';', true).filter(Boolean)) {
    const [action = '', label = '', ...rest] = splitQuoted(spec, ',');
    if (!['view', 'http', 'broadcast', 'copy'].includes(action)) return `action '${action}' unknown`;
    if (!label) return 'action label missing';
    const parsed: NtfyAction = { action, label };
    for (const field of rest) {
      const named = /^(clear|url|method|body|intent|value)=(.*)$/.exec(field);
      if (!named) parsed.url = field;
      else if (named[1] === 'clear') parsed.clear = named[2] === 'true';
      else if (named[1] === 'url') parsed.url = named[2];
    }
    if (action === 'view' && !parsed.url) return "parameter 'url' is required for action 'view'";
    actions.push(parsed);
  }
  return actions.length > 3 ? 'too many actions' : actions;
}

export class FakeNtfy {
  readonly published: NtfyPublished[] = [];

  private constructor(
    private readonly http: HttpFake,
    private readonly options: FakeNtfyOptions,
  ) {}

  static async start(options: FakeNtfyOptions = {}): Promise<FakeNtfy> {
    let fake: FakeNtfy | undefined;
    const http = await HttpFake.start((request) => {
      if (!fake) return { status: 503, body: 'starting' };
      return fake.publish(request);
    });
    fake = new FakeNtfy(http, options);
    return fake;
  }

  get url(): string {
    return this.http.url;
  }

  /** The next `count` publishes get this HTTP status with ntfy's error JSON. */
  failNext(status: number, count = 1): void {
    const error = status === 429 ? 'limit reached: too many requests' : 'internal server error';
    this.http.failNext(status, { code: status * 100 + 1, http: status, error }, count);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private publish(request: FakeRequest): FakeAnswer {
    const topic = TOPIC.exec(request.url.split('?')[0] ?? '')?.[1];
    if (request.method !== 'POST' && request.method !== 'PUT')
      return ntfyError(405, 40501, 'method not allowed');
    if (!topic) return ntfyError(400, 40009, 'invalid request: topic invalid');
    const authorization = request.headers.authorization;
    if (this.options.token) {
      if (!authorization)
        return ntfyError(403, 40301, 'forbidden', 'https://ntfy.sh/docs/publish/#authentication');
      if (authorization !== `Bearer ${this.options.token}`) return ntfyError(401, 40101, 'unauthorized');
    }
    const priorityText = header(request, 'priority', 'x-priority', 'prio', 'p') ?? '3';
    const priority = /^[1-5]$/.test(priorityText)
      ? Number(priorityText)
      : PRIORITIES[priorityText.toLowerCase()];
    if (!priority) return ntfyError(400, 40007, 'invalid request: priority invalid');
    const actions = parseActions(header(request, 'actions', 'x-actions', 'action'));
    if (typeof actions === 'string')
      return ntfyError(400, 40018, `invalid request: actions invalid, ${actions}`);
    const click = header(request, 'click', 'x-click');
    const title = header(request, 'title', 'x-title', 't');
    const tags = (header(request, 'tags', 'x-tags', 'tag', 'ta') ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const message: NtfyPublished = {
      id: randomBytes(9).toString('base64url').slice(0, 12),
      topic,
      message: request.body || 'triggered',
      priority,
      tags,
      actions,
      raw: request,
      ...(title !== undefined ? { title } : {}),
      ...(click !== undefined ? { click } : {}),
      ...(authorization !== undefined ? { authorization } : {}),
    };
    this.published.push(message);
    const time = Math.floor(Date.now() / 1000);
    return {
      status: 200,
      body: {
        id: message.id,
        time,
        expires: time + 43_200,
        event: 'message',
        topic,
        message: message.message,
        ...(title !== undefined ? { title } : {}),
        ...(priority !== 3 ? { priority } : {}),
        ...(tags.length ? { tags } : {}),
        ...(click !== undefined ? { click } : {}),
        ...(actions.length ? { actions: actions.map((a, i) => ({ id: `a${i}`, ...a })) } : {}),
      },
    };
  }
}
