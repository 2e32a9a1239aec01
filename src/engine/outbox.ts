import { loadEnv } from '../config/env.ts';
import { LOCKS, tryAdvisoryXactLock } from '../db/locks.ts';
import type { Db, Executor, Row } from '../db/schema.ts';
import {
  batchedRecorder,
  DEFAULT_RETRY,
  type DeliveryEnv,
  deliverMessage,
  type RetryPolicy,
} from '../domain/notifications/deliver-message.ts';
import * as outbox from '../domain/notifications/queries.ts';
import { providersFromEnv } from '../notify/providers/from-env.ts';
import type { ProviderRegistry } from '../notify/providers/provider.ts';
import type { EngineModule } from './engine.ts';

const OUTBOX_MODULE_ID = 40;

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
 *
 * Per batch, not per message, where the guarantees allow: one statement checks that a batch's claim
 * committed (holdClaims), and outcomes are written in group commits (batchedRecorder). And while a
 * claim filled the window of maxInFlight sends (more may be due), each finished send lets the module
 * claim again at once, in a transaction of its own under the module's advisory lock, instead of
 * waiting for the engine's next pass — which may be a poll interval away when the tick found the
 * window full, or seconds away behind other modules' work.
 */
export function outboxModule(options: OutboxModuleOptions = {}): OutboxModule {
  const providers = options.providers ?? providersFromEnv();
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const leaseMs = options.leaseMs ?? loadEnv().TOCSIN_OUTBOX_LEASE_MS;
  const maxInFlight = options.maxInFlight ?? 32;
  /** Deliveries under way, until their outcome is recorded (idle() waits for them). */
  const running = new Set<Promise<void>>();
  /** Claimed messages whose send has not finished: the window maxInFlight bounds. */
  let sending = 0;
  const recorders = new WeakMap<Db, DeliveryEnv['record']>();
  /** The last claim filled the window: due rows may be left. */
  let more = false;
  let refilling: Promise<void> | undefined;
  /** stop() was called: claim nothing more; sends under way finish and are recorded. */
  let stopping = false;
  /**
   * Wake-ups heard (woken() calls), and how many of them a committed refill has answered: one that
   * began after them, took the lock and claimed less than its room, so it took every due row they
   * announced. While all are answered, the pass they also ask for need not run the module (wanted).
   */
  let wakeups = 0;
  let answered = 0;

  /**
   * Settles expired leases first (pages answered meanwhile are cancelled, exhausted ones dead-lettered,
   * so neither is reclaimed), then claims what the window has room for. The tick does both; a refill
   * (delivery on commit, or a backlog drained as sends finish) claims new and retried rows only: a
   * lease runs out after minutes (its sender died), and the engine's pass, whole at least every poll
   * interval, settles and reclaims it; three statements fewer before each page on commit goes out.
   */
  const claim = async (tx: Executor, now: Date, leases = true) => {
    const expired = leases
      ? (await outbox.cancelAnsweredLeases(tx, now)) +
        (await outbox.failExhaustedLeases(tx, now, retry.maxAttempts))
      : 0;
    const room = maxInFlight - sending;
    if (room <= 0) {
      // A full window: nothing claimed now, but a finished send claims again (refill).
      more = true;
      return { expired, claimed: [] };
    }
    const claimed = await outbox.claimDueOutbox(
      tx,
      now,
      [...providers.keys()],
      room,
      new Date(now.getTime() + leaseMs),
      retry.maxAttempts,
      leases,
    );
    more = claimed.length >= room;
    return { expired, claimed };
  };

  /** committed: the claim is known to have committed (a refill's, delivered after its transaction). */
  const deliver = (env: DeliveryEnv, claimed: Row<'outbox'>[], committed: boolean) => {
    if (claimed.length === 0) return;
    let record = recorders.get(env.db);
    if (!record) {
      record = batchedRecorder(env.db);
      recorders.set(env.db, record);
    }
    const withRecorder = { ...env, record };
    // The tick's claim commits after the tick returns: wait for it (row locks), like holdsClaim for
    // each row, and send nothing if it rolled back.
    const held = committed
      ? Promise.resolve(new Set(claimed.map((r) => r.id)))
      : outbox.holdClaims(env.db, new Map(claimed.map((r) => [r.id, r.attempts])));
    for (const row of claimed) {
      const provider = providers.get(row.channel);
      if (!provider) continue; // cannot happen: only channels with a provider are claimed
      sending++;
      let sent = false;
      // The window counts sends, not records: the next claim overlaps with this batch's record.
      const onSent = () => {
        if (sent) return;
        sent = true;
        sending--;
        refill(env);
      };
      const job: Promise<void> = held
        .then((ids) =>
          ids.has(row.id)
            ? deliverMessage(withRecorder, provider, row, retry, { claimHeld: true, onSent })
            : undefined,
        )
        .catch((error) => env.log?.error({ err: error, id: row.id }, 'outbox attempt not recorded'))
        .finally(() => {
          running.delete(job);
          onSent();
        });
      running.add(job);
    }
  };

  const refill = (env: DeliveryEnv) => {
    // Half the window free at least: a claim costs about the same for 1 row as for 32.
    if (stopping || !more || refilling || sending > maxInFlight / 2) return;
    const heard = wakeups;
    let whole = false;
    const pass = env.db
      .transaction()
      .execute(async (tx) => {
        // The engine's tick of this module (here or in another instance) has the lock: it claims.
        if (!(await tryAdvisoryXactLock(tx, LOCKS.engineModuleBase + OUTBOX_MODULE_ID))) {
          more = false;
          return [];
        }
        const { claimed } = await claim(tx, env.clock.now(), false);
        whole = !more;
        return claimed;
      })
      .then((claimed) => {
        if (whole) answered = Math.max(answered, heard);
        deliver(env, claimed, true);
      })
      .catch((error) => {
        // The store is failing (or the process stopping): leave it to the engine's next pass.
        more = false;
        env.log?.warn({ err: error }, 'outbox refill failed');
      })
      .finally(() => {
        refilling = undefined;
        refill(env);
      });
    refilling = pass;
  };

  return {
    id: OUTBOX_MODULE_ID,
    name: 'outbox',
    wakesOn: ['outbox'],
    async tick({ tx, db, clock, now, log }) {
      if (stopping) return 0;
      const { expired, claimed } = await claim(tx, now);
      deliver({ db, clock, log }, claimed, false);
      return expired + claimed.length;
    },
    // Delivery on commit: a committed row is claimed now, in a claim of its own like a refill
    // (skipped while a tick of this module, here or elsewhere, holds the lock: that tick claims it,
    // or the pass the same notification asks for does).
    woken(deps) {
      wakeups++;
      more = true;
      refill(deps);
    },
    // The refill a wake-up started has often claimed what it announced before the pass reaches this
    // module: then the pass skips it (7 statements that would find nothing). A refill still under
    // way, or one that missed the lock or filled its window, leaves the tick to run (not waited
    // for: the pass, and the next one behind it, would wait on delivery's transaction).
    async wanted() {
      return refilling !== undefined || answered < wakeups;
    },
    async idle() {
      while (running.size > 0 || refilling) await Promise.allSettled([...running, refilling]);
    },
    // A message claimed and then abandoned at shutdown would wait out its lease and might go twice:
    // claim nothing more, and let what is being sent finish and be recorded before the pool closes.
    async stop() {
      stopping = true;
      await this.idle();
    },
  };
}
