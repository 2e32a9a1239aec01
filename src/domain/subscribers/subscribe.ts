import { loadEnv, publicUrlOf } from '../../config/env.ts';
import type { Executor, SubscriberKind } from '../../db/schema.ts';
import { inTx } from '../../db/tx.ts';
import { Invalid, RateLimited } from '../../errors.ts';
import { checkOutboundUrl, OutboundRefused, outboundPolicyFromEnv } from '../../lib/outbound-guard.ts';
import * as audit from '../audit/queries.ts';
import type { Operation } from '../context.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { pageBasics } from '../status-page/load-status-page.ts';
import { type SubscribeInput, subscribeInputSchema } from './inputs.ts';
import * as q from './queries.ts';
import {
  CONFIRM_PATH,
  CONFIRM_TTL_MS,
  confirmationEmail,
  DAY_MS,
  HOUR_MS,
  linkUrl,
  newLinkToken,
  readerLanguage,
  SUBSCRIBE_LIMITS,
} from './subscribers.ts';

export interface SubscribeResult {
  mode: SubscriberKind;
  /** pending: a confirmation link went (or goes) to the address; active: notices flow. */
  status: 'pending' | 'active';
}

/**
 * A reader subscribes to the status page (public, no token). An email address gets a confirmation
 * link and nothing else until it is followed (double opt-in); a webhook URL allowed by the outbound
 * policy is active at once. The answer never tells whether the address was subscribed already.
 * Limited per client address and per subscribed address: the endpoint sends mail on anyone's behalf.
 */
export async function subscribe({
  ctx,
  input,
}: Operation<SubscribeInput & { ip: string }>): Promise<SubscribeResult> {
  const { ip, ...rest } = input;
  const data = subscribeInputSchema.parse(rest);
  const kind: SubscriberKind = data.email !== undefined ? 'email' : 'webhook';
  const address = data.email !== undefined ? data.email.toLowerCase() : (data.endpoint ?? '');
  if (kind === 'webhook') await checkEndpoint(address);
  return inTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    await enforceLimits(tx, ip, address, now);
    const page = await pageBasics(tx);
    if (data.language !== undefined && !page.languages.includes(data.language)) {
      throw new Invalid('the status page does not have this language', [
        { path: 'language', message: `one of ${page.languages.join(', ')}` },
      ]);
    }
    const components = await q.componentsByIds(tx, data.component_ids);
    const known = new Set(components.map((c) => String(c.id)));
    const unknown = data.component_ids.flatMap((c, i) =>
      known.has(c) ? [] : [{ path: `component_ids.${i}`, message: `no component ${c}` }],
    );
    if (unknown.length > 0) throw new Invalid('unknown component', unknown);

    const existing = await q.findLiveSubscriber(tx, kind, address);
    // Subscribed already: nothing changes (and the answer looks the same, so it reveals nothing).
    if (existing?.status === 'active') return { mode: kind, status: kind === 'email' ? 'pending' : 'active' };
    const subscriber =
      existing ??
      (await q.insertSubscriber(tx, {
        kind,
        address,
        language: data.language ?? null,
        status: kind === 'email' ? 'pending' : 'active',
        requested_ip: ip,
        created_at: now,
        confirmed_at: kind === 'email' ? null : now,
      }));
    if (!existing) await q.setSubscriberComponents(tx, subscriber.id, [...known]);
    await audit.record(tx, ctx.actor, now, {
      action: existing ? 'status_page.subscriber_confirmation_resent' : 'status_page.subscriber_created',
      entityType: 'status_page_subscriber',
      entityId: subscriber.id,
      after: { ...subscriber, components: [...known], ip },
    });
    if (kind === 'webhook') return { mode: kind, status: 'active' };
    await sendConfirmation(tx, subscriber, page, now);
    return { mode: kind, status: 'pending' };
  });
}

async function checkEndpoint(endpoint: string): Promise<void> {
  try {
    await checkOutboundUrl(endpoint, outboundPolicyFromEnv(), AbortSignal.timeout(5_000));
  } catch (error) {
    const reason = error instanceof OutboundRefused ? error.message : 'the host does not resolve';
    throw new Invalid('this endpoint cannot receive notices', [{ path: 'endpoint', message: reason }]);
  }
}

async function enforceLimits(tx: Executor, ip: string, address: string, now: Date): Promise<void> {
  const t = now.getTime();
  await q.pruneSubscribeRequests(tx, new Date(t - DAY_MS));
  const counts = await q.countSubscribeRequests(tx, ip, address, new Date(t - HOUR_MS), new Date(t - DAY_MS));
  if (counts.byIp >= SUBSCRIBE_LIMITS.perIpPerHour) {
    throw new RateLimited('too many subscribe requests from this address; retry later', [], HOUR_MS / 1000);
  }
  if (counts.byAddress >= SUBSCRIBE_LIMITS.perAddressPerDay) {
    throw new RateLimited('too many subscribe requests for this address; retry tomorrow', [], DAY_MS / 1000);
  }
  await q.insertSubscribeRequest(tx, { ip, address, at: now });
}

async function sendConfirmation(
  tx: Executor,
  subscriber: { id: string; address: string; language: string | null },
  page: { name: string; languages: string[] },
  now: Date,
): Promise<void> {
  const publicUrl = publicUrlOf(loadEnv());
  const { token, hash } = newLinkToken();
  await q.insertToken(tx, {
    token_hash: hash,
    subscriber_id: subscriber.id,
    purpose: 'confirm',
    created_at: now,
    expires_at: new Date(now.getTime() + CONFIRM_TTL_MS),
  });
  const language = readerLanguage({ ...page, publicUrl }, subscriber.language);
  await enqueueNotification(
    tx,
    {
      incidentId: null,
      channel: 'email',
      destination: subscriber.address,
      template: 'status-page.subscriber-confirmation',
      payload: {
        ...confirmationEmail({ ...page, publicUrl }, language, linkUrl(publicUrl, CONFIRM_PATH, token)),
      },
      dedupKey: `status-subscriber-confirm:${hash}`,
    },
    now,
  );
}
