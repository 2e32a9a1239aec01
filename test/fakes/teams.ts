import { randomUUID } from 'node:crypto';
import { type FakeAnswer, type FakeRequest, HttpFake } from './http-fake.ts';

// A loopback Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is received"):
// POST /workflows/<id>/triggers/manual/paths/invoke with a message holding one Adaptive Card
// attachment. Answers 202 Accepted with the run id in x-ms-workflow-run-id, as Power Automate does;
// a body that is not such a message gets 400 with Power Automate's {error: {code, message}} JSON.
// Accepted cards are recorded.

export interface TeamsCardPost {
  path: string;
  /** The Adaptive Card (attachments[0].content). */
  card: Record<string, unknown>;
  runId: string;
}

export interface FakeTeams {
  url: string;
  /** A webhook URL as Workflows hands them out (path, api-version and sig query). */
  webhookUrl(id?: string): string;
  cards: TeamsCardPost[];
  requests: FakeRequest[];
  script(answer: FakeAnswer): void;
  close(): Promise<void>;
}

const invalid = (message: string): FakeAnswer => ({
  status: 400,
  body: { error: { code: 'InvalidRequestContent', message } },
});

/** Why a body is not a Workflows card message, or undefined when it is one. */
export function cardMessageProblem(body: unknown): string | undefined {
  const b = body as { type?: unknown; attachments?: unknown } | null;
  if (!b || typeof b !== 'object') return 'the body is not a JSON object';
  if (b.type !== 'message') return "type must be 'message'";
  if (!Array.isArray(b.attachments) || b.attachments.length === 0)
    return 'attachments must be a non-empty array';
  for (const a of b.attachments as { contentType?: unknown; content?: Record<string, unknown> }[]) {
    if (a.contentType !== 'application/vnd.microsoft.card.adaptive')
      return 'only Adaptive Cards are supported';
    if (a.content?.type !== 'AdaptiveCard') return "content.type must be 'AdaptiveCard'";
    if (typeof a.content.version !== 'string') return 'content.version is required';
    if (!Array.isArray(a.content.body)) return 'content.body must be an array';
  }
  return undefined;
}

export async function startFakeTeams(): Promise<FakeTeams> {
  const cards: TeamsCardPost[] = [];
  const requests: FakeRequest[] = [];
  const scripted: FakeAnswer[] = [];
  const fake = await HttpFake.start((request) => {
    requests.push(request);
    const forced = scripted.shift();
    if (forced) return forced;
    const path = request.url.split('?')[0] ?? '';
    if (request.method !== 'POST' || !/^\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke$/.test(path)) {
      return { status: 404, body: { error: { code: 'WorkflowNotFound', message: 'not found' } } };
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return invalid('the request content is not valid JSON');
    }
    const problem = cardMessageProblem(body);
    if (problem) return invalid(problem);
    const runId = randomUUID();
    const card =
      (body as { attachments: { content: Record<string, unknown> }[] }).attachments[0]?.content ?? {};
    cards.push({ path, card, runId });
    return { status: 202, body: '', headers: { 'x-ms-workflow-run-id': runId } };
  });
  return {
    url: fake.url,
    webhookUrl: (id = 'a1b2c3') =>
      `${fake.url}/workflows/${id}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=fake`,
    cards,
    requests,
    script: (answer) => void scripted.push(answer),
    close: () => fake.close(),
  };
}
