import { ConfigError, type Env } from '../../config/env.ts';
import type { OutboundPolicy } from '../../lib/outbound-guard.ts';
import { asNotificationPayload } from '../message.ts';
import { answerJson, type JsonAnswer, postJson } from './post-json.ts';
import { DeliveryError, type OutboundMessage, type Provider, type SendResult } from './provider.ts';
import { isRetryableStatus } from './webhook.ts';

// The `tracker` channel: an action item pushed to the team's issue tracker through its REST API. The
// row's destination names the tracker (github, jira); its payload's subject is the issue title and its
// text the description (Markdown; Jira gets it as Atlassian Document Format). The created issue's
// web URL is the provider id, which the engine copies into the item's tracker_url. Both APIs are
// admin configuration, yet still behind the outbound guard (an intranet Jira must be allowed by
// TOCSIN_OUTBOUND_ALLOW). Tokens go in headers only, never into errors or logs.

export interface GitHubOptions {
  apiUrl: string;
  /** owner/name */
  repo: string;
  token: string;
}

export interface JiraOptions {
  url: string;
  email: string;
  token: string;
  project: string;
  issueType: string;
}

export interface TrackerOptions {
  github?: GitHubOptions | undefined;
  jira?: JiraOptions | undefined;
  policy: OutboundPolicy;
  timeoutMs?: number | undefined;
}

const base = (url: string) => url.replace(/\/+$/, '');

/** A refused request as a DeliveryError: the API's own reason, 5xx/429 retried, other 4xx final. */
function refused(tracker: string, answer: JsonAnswer): DeliveryError {
  const body = answerJson(answer) as
    | { message?: string; errorMessages?: string[]; errors?: Record<string, string> }
    | undefined;
  const reason = [
    body?.message,
    ...(body?.errorMessages ?? []),
    ...Object.entries(body?.errors ?? {}).map(([k, v]) => `${k}: ${v}`),
  ]
    .filter(Boolean)
    .join('; ');
  return new DeliveryError(
    `${tracker} answered ${answer.status}${reason ? `: ${reason.slice(0, 300)}` : ''}`,
    isRetryableStatus(answer.status),
  );
}

/** Markdown text as an Atlassian Document Format document: paragraphs, lines split by hard breaks. */
export function adfDocument(text: string) {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => ({
      type: 'paragraph',
      content: p
        .split('\n')
        .flatMap((line, i) => [
          ...(i > 0 ? [{ type: 'hardBreak' }] : []),
          ...(line ? [{ type: 'text', text: line }] : []),
        ]),
    }));
  return { type: 'doc', version: 1, content: paragraphs };
}

async function createGitHubIssue(o: GitHubOptions, m: { title: string; body: string }, post: Post) {
  const answer = await post(
    `${base(o.apiUrl)}/repos/${o.repo}/issues`,
    { title: m.title, body: m.body },
    {
      authorization: `Bearer ${o.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
    },
  );
  if (answer.status !== 201) throw refused('GitHub', answer);
  const issue = answerJson(answer) as { html_url?: unknown } | undefined;
  if (typeof issue?.html_url !== 'string')
    throw new DeliveryError('GitHub answered 201 without html_url', true);
  return issue.html_url;
}

async function createJiraIssue(o: JiraOptions, m: { title: string; body: string }, post: Post) {
  const answer = await post(
    `${base(o.url)}/rest/api/3/issue`,
    {
      fields: {
        project: { key: o.project },
        issuetype: { name: o.issueType },
        summary: m.title,
        description: adfDocument(m.body),
      },
    },
    {
      authorization: `Basic ${Buffer.from(`${o.email}:${o.token}`).toString('base64')}`,
      accept: 'application/json',
    },
  );
  if (answer.status !== 201) throw refused('Jira', answer);
  const issue = answerJson(answer) as { key?: unknown } | undefined;
  if (typeof issue?.key !== 'string') throw new DeliveryError('Jira answered 201 without an issue key', true);
  return `${base(o.url)}/browse/${issue.key}`;
}

type Post = (url: string, body: unknown, headers: Record<string, string>) => Promise<JsonAnswer>;

export function trackerProvider(options: TrackerOptions): Provider {
  const post: Post = (url, body, headers) =>
    postJson(url, body, { policy: options.policy, timeoutMs: options.timeoutMs ?? 15_000, headers });
  return {
    channel: 'tracker',
    async send(message: OutboundMessage): Promise<SendResult> {
      const p = asNotificationPayload(message.payload);
      const issue = { title: (p.subject ?? '').slice(0, 250) || 'Action item', body: p.text };
      if (message.destination === 'github' && options.github) {
        return { providerId: await createGitHubIssue(options.github, issue, post) };
      }
      if (message.destination === 'jira' && options.jira) {
        return { providerId: await createJiraIssue(options.jira, issue, post) };
      }
      // Pushed while configured, then the settings went away: retried, in case they come back.
      throw new DeliveryError(`no ${message.destination} tracker is configured`, true);
    },
  };
}

/** The trackers the environment configures; no provider when neither is. */
export function trackerProviderFromEnv(env: Env, policy: OutboundPolicy): Provider | undefined {
  const github =
    env.TOCSIN_GITHUB_REPO !== undefined
      ? {
          apiUrl: env.TOCSIN_GITHUB_API_URL,
          repo: env.TOCSIN_GITHUB_REPO,
          token: required(env.TOCSIN_GITHUB_TOKEN, 'TOCSIN_GITHUB_TOKEN', 'TOCSIN_GITHUB_REPO'),
        }
      : undefined;
  const jira =
    env.TOCSIN_JIRA_URL !== undefined
      ? {
          url: env.TOCSIN_JIRA_URL,
          email: required(env.TOCSIN_JIRA_EMAIL, 'TOCSIN_JIRA_EMAIL', 'TOCSIN_JIRA_URL'),
          token: required(env.TOCSIN_JIRA_TOKEN, 'TOCSIN_JIRA_TOKEN', 'TOCSIN_JIRA_URL'),
          project: required(env.TOCSIN_JIRA_PROJECT, 'TOCSIN_JIRA_PROJECT', 'TOCSIN_JIRA_URL'),
          issueType: env.TOCSIN_JIRA_ISSUE_TYPE,
        }
      : undefined;
  if (!github && !jira) return undefined;
  return trackerProvider({ github, jira, policy });
}

/** The trackers configured here (github, jira): pushing to another is refused at once. */
export function configuredTrackers(env: Env): string[] {
  return [...(env.TOCSIN_GITHUB_REPO ? ['github'] : []), ...(env.TOCSIN_JIRA_URL ? ['jira'] : [])];
}

function required(value: string | undefined, name: string, with_: string): string {
  if (!value) throw new ConfigError(`${name} is required with ${with_}`);
  return value;
}
