import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { FakeGitHub, FakeJira } from '../../../test/fakes/trackers.ts';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { loadEnv } from '../../config/env.ts';
import { actionItemRemindersModule } from '../../engine/action-item-reminders.ts';
import { Engine } from '../../engine/engine.ts';
import { outboxModule } from '../../engine/outbox.ts';
import { outboundAllowList } from '../../lib/outbound-guard.ts';
import { providerRegistry } from '../../notify/providers/provider.ts';
import { trackerProviderFromEnv } from '../../notify/providers/tracker.ts';
import { declareIncident } from '../incidents/declare-incident.ts';
import { savePlan } from '../plans/save-plan.ts';
import { createActionItem } from './create-action-item.ts';

// Issue 15 item 7: an action item pushed to GitHub Issues or Jira through their REST APIs — loopback
// fakes that check what the real APIs check (path, auth, fields) and answer as they do. The push goes
// through the outbox (a 503 is retried after the backoff, a 401 is final and shown), and the created
// issue's URL becomes the item's tracker_url.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: shop }
severities: [{ id: SEV1, title: Critical }]
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

const GH_TOKEN = 'ghp_secret_0123456789';
const JIRA_TOKEN = 'jira-secret-token';
let t: TestApp;
let github: FakeGitHub;
let jira: FakeJira;
let incidentId: string;
const saved = { ...process.env };

beforeAll(async () => {
  [t, github, jira] = await Promise.all([
    testApp(),
    FakeGitHub.start({ repo: 'acme/ops', token: GH_TOKEN }),
    FakeJira.start({ email: 'bot@acme.example', token: JIRA_TOKEN, project: 'OPS' }),
  ]);
  Object.assign(process.env, {
    TOCSIN_GITHUB_REPO: 'acme/ops',
    TOCSIN_GITHUB_TOKEN: GH_TOKEN,
    TOCSIN_GITHUB_API_URL: github.url,
    TOCSIN_JIRA_URL: jira.url,
    TOCSIN_JIRA_EMAIL: 'bot@acme.example',
    TOCSIN_JIRA_TOKEN: JIRA_TOKEN,
    TOCSIN_JIRA_PROJECT: 'OPS',
  });
  const ctx = t.ctx();
  await savePlan({ ctx, input: { source: PLAN } });
  incidentId = (await declareIncident({ ctx, input: { title: 'Checkout down', severity: 'SEV1' } })).id;
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([t.close(), github.close(), jira.close()]);
});

const api = (method: 'GET' | 'POST', url: string, body?: unknown) =>
  t.app.inject({ method, url, headers: auth(t.adminToken), ...(body ? { payload: body as object } : {}) });

/** One engine pass: the outbox sends (tests allow loopback explicitly), then items are linked. */
async function runEngine() {
  const provider = trackerProviderFromEnv(loadEnv(), {
    allowPrivate: false,
    allow: outboundAllowList(['127.0.0.1']),
  });
  if (!provider) throw new Error('no tracker provider');
  const outbox = outboxModule({ providers: providerRegistry([provider]) });
  await new Engine({ db: t.db, clock: t.clock, log: pino({ level: 'silent' }) }, [outbox]).runUntilIdle();
  await outbox.idle();
  await new Engine({ db: t.db, clock: t.clock }, [actionItemRemindersModule()]).runUntilIdle();
}

async function item(title: string) {
  return createActionItem({
    ctx: t.ctx(),
    input: {
      incident_id: incidentId,
      title,
      description: 'Alert when the queue **grows**.\n\nSee the graphs.',
      priority: 'high',
    },
  });
}

describe('pushing action items to a tracker', () => {
  it('creates a GitHub issue (token auth, the real path and body) and stores its URL', async () => {
    const a = await item('Alert on queue depth');
    const res = await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'github' });
    expect(res.statusCode).toBe(202);
    expect(res.json().push).toMatchObject({ tracker: 'github', status: 'pending' });
    await runEngine();
    expect(github.issues).toHaveLength(1);
    const issue = github.issues[0];
    expect(issue?.request.headers.accept).toBe('application/vnd.github+json');
    expect(issue?.request.headers['x-github-api-version']).toBe('2022-11-28');
    expect(issue?.body.title).toBe('Alert on queue depth');
    expect(issue?.body.body).toContain('Alert when the queue **grows**.');
    expect(issue?.body.body).toContain(
      `Follows incident ${incidentId}: http://localhost:8080/incidents/${incidentId}`,
    );
    const after = (await api('GET', `/api/v1/action-items/${a.id}`)).json().action_item;
    expect(after.tracker_url).toBe('https://github.com/acme/ops/issues/1');
    expect((await api('GET', `/api/v1/action-items/${a.id}/push`)).json().push).toMatchObject({
      status: 'sent',
      attempts: 1,
      url: 'https://github.com/acme/ops/issues/1',
    });
    // Linked: a second push is refused.
    expect((await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'jira' })).statusCode).toBe(
      409,
    );
  });

  it('creates a Jira issue (basic auth, ADF description) and links its browse URL', async () => {
    const a = await item('Raise max_connections');
    expect((await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'jira' })).statusCode).toBe(
      202,
    );
    await runEngine();
    const issue = jira.issues.at(-1);
    const fields = issue?.body.fields as Record<string, unknown>;
    expect(fields.project).toEqual({ key: 'OPS' });
    expect(fields.issuetype).toEqual({ name: 'Task' });
    expect(fields.summary).toBe('Raise max_connections');
    expect(fields.description).toMatchObject({
      type: 'doc',
      version: 1,
      content: expect.arrayContaining([
        { type: 'paragraph', content: [{ type: 'text', text: 'Alert when the queue **grows**.' }] },
      ]),
    });
    expect((await api('GET', `/api/v1/action-items/${a.id}`)).json().action_item.tracker_url).toBe(
      `${jira.url}/browse/OPS-1`,
    );
  });

  it('retries a 503 through the outbox and shows a final 401 with the API’s reason, never the token', async () => {
    const a = await item('Retry me');
    github.http.failNext(503, { message: 'Service unavailable' });
    await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'github' });
    await runEngine();
    const waiting = (await api('GET', `/api/v1/action-items/${a.id}/push`)).json().push;
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1, url: null });
    expect(waiting.last_error).toContain('GitHub answered 503: Service unavailable');
    expect((await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'github' })).statusCode).toBe(
      409,
    );
    t.clock.advance(10 * 60_000); // past the backoff
    await runEngine();
    expect((await api('GET', `/api/v1/action-items/${a.id}`)).json().action_item.tracker_url).toMatch(
      /^https:\/\/github\.com\/acme\/ops\/issues\/\d+$/,
    );

    const b = await item('Bad token');
    github.http.failNext(401, { message: 'Bad credentials' });
    await api('POST', `/api/v1/action-items/${b.id}/push`, { tracker: 'github' });
    await runEngine();
    const failed = (await api('GET', `/api/v1/action-items/${b.id}/push`)).json().push;
    expect(failed).toMatchObject({ status: 'failed', url: null });
    expect(failed.last_error).toBe('GitHub answered 401: Bad credentials');
    expect(JSON.stringify(failed)).not.toContain(GH_TOKEN);
    // A failed push may be tried again.
    expect((await api('POST', `/api/v1/action-items/${b.id}/push`, { tracker: 'github' })).statusCode).toBe(
      202,
    );
  });

  it('refuses an unknown tracker, an unconfigured one and an unknown item', async () => {
    const a = await item('Refusals');
    const bad = await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'trello' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('body.tracker');
    expect((await api('POST', '/api/v1/action-items/999999/push', { tracker: 'github' })).statusCode).toBe(
      404,
    );
    delete process.env.TOCSIN_JIRA_URL;
    const off = await api('POST', `/api/v1/action-items/${a.id}/push`, { tracker: 'jira' });
    process.env.TOCSIN_JIRA_URL = jira.url;
    expect(off.statusCode).toBe(400);
    expect(off.json().error.details).toEqual([
      { path: 'tracker', message: 'not configured here (set the TOCSIN_JIRA_* variables)' },
    ]);
    expect((await api('GET', `/api/v1/action-items/${a.id}/push`)).statusCode).toBe(404);
  });

  it('the CLI pushes and shows the push', async () => {
    const a = await item('From the CLI');
    const tocsin = await cliAgainst(t);
    const pushed = await tocsin('action-item', 'push', a.id, '--tracker', 'github');
    expect(pushed.stderr).toBe('');
    expect(pushed.stdout).toContain(`action item ${a.id}: push to github pending`);
    await runEngine();
    const shown = await tocsin('action-item', 'push', a.id, '--status');
    expect(shown.stdout).toMatch(
      /push to github sent after 1 attempt\(s\): https:\/\/github\.com\/acme\/ops\/issues\/\d+/,
    );
  });
});
