import type { Executor } from '../../db/schema.ts';
import { RateLimited } from '../../errors.ts';
import { verificationRefusals } from '../../lib/counters.ts';
import { type ContactMethodRow, VERIFICATION_SEND_LIMITS, VERIFICATION_WINDOW_MS } from './contacts.ts';
import * as contacts from './queries.ts';

/**
 * Refuses (429, counted in /metrics) a verification code that would go past the hourly limits: per
 * user, per destination whoever asks, and per server. Counted from the outbox, so every instance
 * sees the same sends.
 */
export async function checkVerificationSend(
  tx: Executor,
  method: ContactMethodRow,
  now: Date,
  max: { perUser: number; perDestination: number; perServer: number } = VERIFICATION_SEND_LIMITS,
): Promise<void> {
  const since = new Date(now.getTime() - VERIFICATION_WINDOW_MS);
  const limits: [
    reason: string,
    limit: number,
    scope: Parameters<typeof contacts.verificationSendsSince>[2],
    what: string,
  ][] = [
    ['user', max.perUser, { userId: method.user_id }, 'for this user'],
    [
      'destination',
      max.perDestination,
      { channel: method.kind, destination: method.address },
      'to this address',
    ],
    ['server', max.perServer, {}, 'by this server'],
  ];
  for (const [reason, limit, scope, what] of limits) {
    const sent = await contacts.verificationSendsSince(tx, since, scope);
    if (sent.n < limit) continue;
    verificationRefusals.inc({ reason });
    const retryAt = (sent.oldest?.getTime() ?? now.getTime()) + VERIFICATION_WINDOW_MS;
    throw new RateLimited(
      `${limit} verification codes were sent ${what} in the last hour; try again later`,
      [{ path: 'contact_method', message: `verification send limit (${reason})` }],
      (retryAt - now.getTime()) / 1000,
    );
  }
}
