import { type FakeAnswer, type FakeRequest, HttpFake } from './http-fake.ts';

// A loopback Discord webhook (https://discord.com/developers/docs/resources/webhook#execute-webhook):
// POST /api/webhooks/<id>/<token> with {content, embeds, …}. Answers 204 No Content, or 200 with the
// message when the URL asks ?wait=true; an empty or oversized message gets 400 with Discord's
// {code, message} error; rateLimitNext() answers 429 with {message, retry_after (seconds), global}
// and the Retry-After header, as Discord does. Accepted messages are recorded.

export interface DiscordPost {
  path: string;
  body: {
    content?: string;
    username?: string;
    allowed_mentions?: unknown;
    embeds?: Record<string, unknown>[];
  };
  id: string;
}

export interface FakeDiscord {
  url: string;
  webhookUrl(wait?: boolean): string;
  posts: DiscordPost[];
  requests: FakeRequest[];
  /** The next request is rate limited for `seconds`. */
  rateLimitNext(seconds: number): void;
  script(answer: FakeAnswer): void;
  close(): Promise<void>;
}

const badRequest = (code: number, message: string): FakeAnswer => ({ status: 400, body: { code, message } });

/** Discord's limits for what Tocsin sends; the error Discord gives, or undefined. */
function problem(body: DiscordPost['body']): FakeAnswer | undefined {
  const embeds = body.embeds ?? [];
  if (!body.content && embeds.length === 0) return badRequest(50006, 'Cannot send an empty message');
  if ((body.content?.length ?? 0) > 2000 || embeds.length > 10) return badRequest(50035, 'Invalid Form Body');
  for (const e of embeds) {
    if (String(e.title ?? '').length > 256 || String(e.description ?? '').length > 4096) {
      return badRequest(50035, 'Invalid Form Body');
    }
  }
  return undefined;
}

export async function startFakeDiscord(): Promise<FakeDiscord> {
  const posts: DiscordPost[] = [];
  const requests: FakeRequest[] = [];
  const scripted: FakeAnswer[] = [];
  let sequence = 0;
  const fake = await HttpFake.start((request) => {
    requests.push(request);
    const forced = scripted.shift();
    if (forced) return forced;
    const [path = '', query = ''] = request.url.split('?');
    if (request.method !== 'POST' || !/^\/api\/webhooks\/\d+\/[\w-]+$/.test(path)) {
      return { status: 404, body: { code: 10015, message: 'Unknown Webhook' } };
    }
    let body: DiscordPost['body'];
    try {
      body = JSON.parse(request.body) as DiscordPost['body'];
    } catch {
      return badRequest(50109, 'The request body contains invalid JSON.');
    }
    const refused = problem(body);
    if (refused) return refused;
    sequence += 1;
    const id = String(1_100_000_000_000_000_000n + BigInt(sequence));
    posts.push({ path, body, id });
    if (new URLSearchParams(query).get('wait') === 'true') {
      return { status: 200, body: { id, type: 0, content: body.content ?? '', embeds: body.embeds ?? [] } };
    }
    return { status: 204, body: '' };
  });
  return {
    url: fake.url,
    webhookUrl: (wait = false) =>
      `${fake.url}/api/webhooks/123456789012345678/fake-token${wait ? '?wait=true' : ''}`,
    posts,
    requests,
    rateLimitNext: (seconds) =>
      void scripted.push({
        status: 429,
        body: { message: 'You are being rate limited.', retry_after: seconds, global: false },
        headers: { 'retry-after': String(Math.ceil(seconds)) },
      }),
    script: (answer) => void scripted.push(answer),
    close: () => fake.close(),
  };
}
