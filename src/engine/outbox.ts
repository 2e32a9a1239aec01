import { loadEnv } from '../config/env.ts';
import { DEFAULT_RETRY, deliverMessage, type RetryPolicy } from '../domain/notifications/deliver-message.ts';
import * as outbox from '../domain/notifications/queries.ts';
import { providersFromEnv } from '../notify/providers/from-env.ts';
import type { ProviderRegistry } from '../notify/providers/provider.ts';
import type { EngineModule } from './engine.ts';

export interface OutboxModuleOptions {
  /** Default: the providers the environment configures (src/notify/providers/from-env.ts). */
  providers?: ProviderRegistry | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /**
   * How long a claimed row may stay `sending` before another engine reclaims it (default
   * TOCSIN_OUTBOX_LEASE_MS, 5 min): the time a message waits when the process sending it died.
   */
  leaseMs?: number | undefined;
  /** Sends this process runs at once at most (default 32). */
  maxInFlight?: number | undefined;
}

export type OutboxModule = EngineModule & {
  /** Waits until every send this module started is recorded. */
  idle(): Promise<void>;
};

/**
 * Delivers queued notifications: the tick claims due rows of channels that have a provider (rows of
 * other channels wait for theirs); each send runs after the tick, outside its transaction, and records
 * its outcome on its own (src/domain/notifications/deliver-message.ts).
 */
export function outboxModule(options: OutboxModuleOptions = {}): OutboxModule {
  const providers = options.providers ?? providersFromEnv();
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const leaseMs = options.leaseMs ?? loadEnv().TOCSIN_OUTBOX_LEASE_MS;
  const maxInFlight = options.maxInFlight ?? 32;
  const running = new Set<Promise<void>>();
  return {
    id: 40,
    name: 'outbox',
    async tick({ tx, db, clock, now, log }) {
      const expired =
        (await outbox.cancelAnsweredLeases(tx, now)) +
        (await outbox.failExhaustedLeases(tx, now, retry.maxAttempts));
      const room = maxInFlight - running.size;
      const claimed = await outbox.claimDueOutbox(
        tx,
        now,
        [...providers.keys()],
        room,
        new Date(now.getTime() + leaseMs),
        retry.maxAttempts,
      );
      for (const row of claimed) {
        const provider = providers.get(row.channel);
        if (!provider) continue; // cannot happen: only channels with a provider are claimed
        const job: Promise<void> = deliverMessage({ db, clock, log }, provider, row, retry)
          .catch((error) => log?.error({ err: error, id: row.id }, 'outbox attempt not recorded'))
          .finally(() => running.delete(job));
        running.add(job);
      }
      return expired + claimed.length;
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
