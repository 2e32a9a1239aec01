import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeSlack, startFakeSlack } from '../../../test/fakes/slack.ts';
import { type FakeTeams, startFakeTeams } from '../../../test/fakes/teams.ts';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { VirtualClock } from '../../db/clock.ts';
import { enqueueNotification } from '../../domain/notifications/enqueue.ts';
import { Engine } from '../../engine/engine.ts';
import { type OutboxModule, outboxModule } from '../../engine/outbox.ts';
import { outboundAllowList } from '../../lib/outbound-guard.ts';
import type { NotificationPayload } from '../message.ts';
import { chatProvider } from './chat-webhook.ts';
import { providerRegistry } from './provider.ts';
import { slackApi, slackProvider } from './slack.ts';

// The chat providers behind the real outbox engine (PostgreSQL, virtual clock): provider ids stored,
// Slack's rate limit retried with backoff, a permanent Slack error and an unroutable channel
// dead-lettered at once.

const SECOND = 1000;
const clock = new VirtualClock('2026-03-02T10:00:00Z');
let t: TestDb;
let slack: FakeSlack;
let teams: FakeTeams;
let outbox: OutboxModule;

const page: NotificationPayload = {
  kind: 'page',
  text: 'Checkout is failing',
  incident: { id: 'inc_7', title: 'Checkout down', severity: 'SEV1', state: 'triggered' },
  ack: { url: 'https://t.example/ack/x', code: '1234' },
};

beforeAll(async () => {
  [slack, teams, t] = await Promise.all([startFakeSlack(), startFakeTeams(), freshDb()]);
  const api = slackApi({ token: slack.token, apiUrl: slack.apiUrl });
  const chat = chatProvider({
    webhooks: { '#war-room': { url: teams.webhookUrl(), format: 'teams' } },
    slack: api,
    policy: { allowPrivate: false, allow: outboundAllowList(['127.0.0.1']) },
  });
  if (!chat) throw new Error('no chat provider');
  outbox = outboxModule({
    providers: providerRegistry([slackProvider(api), chat]),
    retry: { maxAttempts: 4 },
  });
});
afterAll(() => Promise.all([t.close(), slack.close(), teams.close()]));

async function queue(channel: string, destination: string) {
  const id = await enqueueNotification(
    t.db,
    {
      incidentId: null,
      channel,
      destination,
      payload: { ...page },
      dedupKey: `${channel}:${destination}:${Math.random()}`,
    },
    clock.now(),
  );
  if (!id) throw new Error('not queued');
  return id;
}

async function tick() {
  await new Engine({ db: t.db, clock, log: pino({ level: 'silent' }) }, [outbox]).runUntilIdle();
  await outbox.idle();
}

const row = (id: string) =>
  t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('chat providers in the outbox', () => {
  it('stores Slack channel/ts and the Teams run id as provider ids', async () => {
    const dm = await queue('slack', 'U024BE7LH');
    const room = await queue('chat', '#war-room');
    const byName = await queue('chat', '#incidents');
    await tick();
    expect(await row(dm)).toMatchObject({
      status: 'sent',
      provider_id: expect.stringMatching(/^D024BE7LH\//),
    });
    expect(await row(room)).toMatchObject({
      status: 'sent',
      provider_id: `teams/${teams.cards.at(-1)?.runId}`,
    });
    expect(await row(byName)).toMatchObject({
      status: 'sent',
      provider_id: expect.stringMatching(/^C0INCIDENT\//),
    });
  });

  it("retries Slack's rate limit later and dead-letters what can never be delivered", async () => {
    slack.script({
      status: 429,
      body: { ok: false, error: 'ratelimited' },
      headers: { 'retry-after': '20' },
    });
    const limited = await queue('slack', 'C0INCIDENT');
    await tick();
    expect(await row(limited)).toMatchObject({ status: 'pending', attempts: 1 });
    expect((await row(limited)).last_error).toContain('(retry after 20s)');
    clock.advance(3_600 * SECOND);
    await tick();
    expect(await row(limited)).toMatchObject({ status: 'sent', attempts: 2 });

    const missing = await queue('slack', 'C0GONE');
    await tick();
    expect(await row(missing)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'Slack channel_not_found (channel C0GONE)',
    });
  });
});
