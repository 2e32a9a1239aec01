import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { Executor, NewRow } from '../../db/schema.ts';
import { outboxRowOf } from '../notifications/enqueue.ts';
import { insertOutboxBulk } from '../notifications/queries.ts';
import { pageBasics } from '../status-page/load-status-page.ts';
import * as q from './queries.ts';
import {
  linkUrl,
  type Notice,
  newLinkToken,
  noticeEmail,
  noticeWebhook,
  readerLanguage,
  UNSUBSCRIBE_PATH,
  wantsNotice,
} from './subscribers.ts';

/** The components a notice names, as its messages list them. */
export async function noticeComponents(db: Executor, ids: string[]): Promise<Notice['components']> {
  return (await q.componentsByIds(db, ids)).map((c) => ({ id: String(c.id), name: c.name }));
}

/**
 * Queues a published notice for every active subscriber it concerns, inside the transaction that
 * publishes it: the messages exist exactly when the notice does, the outbox delivers and retries
 * them, and the dedup key (subscriber, notice) keeps each delivery to one. Each message carries its
 * own unsubscribe token. Returns how many were queued.
 */
export async function notifySubscribers(tx: Executor, notice: Omit<Notice, 'components'>, now: Date) {
  const subscribers = await q.activeSubscribers(tx);
  if (subscribers.length === 0) return 0;
  const componentIds =
    notice.kind === 'incident'
      ? await q.componentIdsOfIncident(tx, notice.id)
      : await q.componentIdsOfMaintenance(tx, notice.id);
  const components = await noticeComponents(tx, componentIds);
  const full: Notice = { ...notice, components };
  const page = { ...(await pageBasics(tx)), publicUrl: publicUrlOf(loadEnv()) };
  // Set-based: the messages and their tokens are built here and written in two statements, however
  // many subscribers there are (bench/subscribers.ts counts them).
  const tokens: { token_hash: string; subscriber_id: string }[] = [];
  const messages: NewRow<'outbox'>[] = [];
  for (const s of subscribers) {
    if (!wantsNotice(s.components, componentIds)) continue;
    const { token, hash } = newLinkToken();
    tokens.push({ token_hash: hash, subscriber_id: String(s.id) });
    const language = readerLanguage(page, s.language);
    const unsubscribeUrl = linkUrl(page.publicUrl, UNSUBSCRIBE_PATH, token);
    messages.push(
      outboxRowOf(
        {
          incidentId: notice.kind === 'incident' ? notice.id : null,
          channel: s.kind,
          destination: s.address,
          template: `status-page.${notice.kind}-update`,
          payload:
            s.kind === 'email'
              ? { ...noticeEmail(full, page, language, unsubscribeUrl) }
              : noticeWebhook(full, page, language, unsubscribeUrl),
          dedupKey: `status-subscriber:${s.id}:${notice.kind}:${notice.id}:${notice.key}`,
        },
        now,
      ),
    );
  }
  await q.insertUnsubscribeTokens(tx, tokens, now);
  return insertOutboxBulk(tx, messages);
}
