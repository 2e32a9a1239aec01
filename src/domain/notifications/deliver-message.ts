import type { Logger } from 'pino';
import type { Clock } from '../../db/clock.ts';
import type { Db, Row } from '../../db/schema.ts';
import { storeUnavailable } from '../../db/unavailable.ts';
import { DeliveryError, type Provider } from '../../notify/providers/provider.ts';
import { resolveIncidentChannel } from './incident-channel-destination.ts';
import * as outbox from './queries.ts';

// One delivery attempt of a claimed outbox row, outside the engine tick's transaction (the claim/run/
// record pattern of src/domain/checks/probes.ts):
// 1. wait for the claim to commit (row lock) and drop the attempt if it did not — nothing is sent for
//    a claim that rolled back;
// 2. send through the channel's provider, holding no transaction;
// 3. record sent / retry later (exponential backoff) / failed (dead letter) in a statement of its
//    own, only if the row is still this attempt's (a reclaim after a lease timeout wins otherwise).
//    A message that went out while the store was unreachable is recorded once it is back, as long as
//    the claim's lease lasts: given up at once, its row would stay `sending` and another engine would
//    send it again when the lease ran out (test/system/paging-reliability.test.ts restarts PostgreSQL).

export interface RetryPolicy {
  /** Attempts before a message is a dead letter. */
  maxAttempts: number;
  /** Wait before the 2nd attempt; doubles each time up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 3_600_000 };

/** Wait after failed attempt `attempt` (1-based): base·2^(attempt-1), capped. */
export function retryDelayMs(attempt: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

export interface DeliveryEnv {
  db: Db;
  clock: Clock;
  log?: Logger | undefined;
  /** Records one attempt's outcome (true: recorded); default one statement each, see batchedRecorder. */
  record?: ((record: outbox.AttemptRecord) => Promise<boolean>) | undefined;
}

export interface DeliveryOptions {
  /** The caller checked with holdClaims that this claim committed and holds (one query per batch). */
  claimHeld?: boolean | undefined;
  /** Called once the provider has answered (or failed), before the outcome is recorded. */
  onSent?: (() => void) | undefined;
}

/**
 * Group commit of outcomes: an outcome is written as soon as no write is under way (after the current
 * turn of the event loop, so the outcomes of one batch go together), else with every outcome that
 * arrived meanwhile in the next statement — one commit for many messages under load, no timer to wait
 * for when idle. A failed statement fails each of its outcomes (recordOutcome tries again).
 */
export function batchedRecorder(db: Db): (record: outbox.AttemptRecord) => Promise<boolean> {
  type Waiting = { record: outbox.AttemptRecord; done: (ok: boolean) => void; fail: (e: unknown) => void };
  let queue: Waiting[] = [];
  let writing = false;
  const write = async () => {
    writing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        const recorded = await outbox.recordOutboxAttempts(
          db,
          batch.map((w) => w.record),
        );
        for (const w of batch) w.done(recorded.has(w.record.id));
      } catch (error) {
        for (const w of batch) w.fail(error);
      }
    }
    writing = false;
  };
  return (record) =>
    new Promise<boolean>((done, fail) => {
      queue.push({ record, done, fail });
      if (!writing) {
        // After the outcomes settled in this turn of the event loop (a batch of instant sends).
        writing = true;
        setImmediate(() => void write());
      }
    });
}

export async function deliverMessage(
  env: DeliveryEnv,
  provider: Provider,
  row: Row<'outbox'>,
  retry: RetryPolicy,
  options: DeliveryOptions = {},
): Promise<void> {
  if (!options.claimHeld && !(await outbox.holdsClaim(env.db, row.id, row.attempts))) return;
  const outcome = await attempt(env, provider, row, retry);
  if (outcome.status === 'pending' && outcome.unsent) {
    env.log?.warn({ id: row.id, error: outcome.error }, 'outbox message not sent: the store failed');
  }
  options.onSent?.();
  const recorded = await recordOutcome(env, row, outcome);
  if (!recorded) env.log?.warn({ id: row.id, attempt: row.attempts }, 'outbox attempt superseded');
  if (outcome.status === 'failed') {
    env.log?.warn({ id: row.id, channel: row.channel, error: outcome.error }, 'outbox message dead-lettered');
  }
}

/** One attempt's outcome: the provider's answer, or the store's failure to say where the message goes. */
async function attempt(
  env: DeliveryEnv,
  provider: Provider,
  row: Row<'outbox'>,
  retry: RetryPolicy,
): Promise<outbox.DeliveryOutcome> {
  let destination: string;
  try {
    destination = await resolveIncidentChannel(env.db, row);
  } catch (error) {
    // Nothing was sent and the provider refused nothing: the attempt is given back (unsent), so a
    // store hiccup never dead-letters a message that never went out. Anything else from this read
    // counts as a failed attempt, so a lasting fault still ends in a dead letter, not a loop.
    if (!storeUnavailable(error)) return failedAttempt(env, row, retry, error);
    return {
      status: 'pending',
      error: `not sent: the store did not answer (${errorMessage(error)})`,
      retryAt: new Date(env.clock.now().getTime() + retry.baseDelayMs),
      unsent: true,
    };
  }
  try {
    const { providerId } = await provider.send({
      id: row.id,
      channel: row.channel,
      destination,
      template: row.template,
      payload: row.payload,
      createdAt: row.created_at,
      attempt: row.attempts,
      now: env.clock.now(),
    });
    return { status: 'sent', providerId, at: env.clock.now() };
  } catch (error) {
    return failedAttempt(env, row, retry, error);
  }
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A failed send: retried later with backoff if it may succeed and attempts are left, else dead-lettered. */
function failedAttempt(
  env: DeliveryEnv,
  row: Row<'outbox'>,
  retry: RetryPolicy,
  error: unknown,
): outbox.DeliveryOutcome {
  const message = errorMessage(error);
  const retryable = !(error instanceof DeliveryError) || error.retryable;
  return retryable && row.attempts < retry.maxAttempts
    ? {
        status: 'pending',
        error: message,
        retryAt: new Date(env.clock.now().getTime() + retryDelayMs(row.attempts, retry)),
      }
    : { status: 'failed', error: message };
}

/** First wait before recording again after the store failed; doubles up to RECORD_RETRY_MAX_MS. */
const RECORD_RETRY_MS = 100;
const RECORD_RETRY_MAX_MS = 1_000;

/**
 * Records the attempt's outcome, trying again while the store fails, until the claim's lease ends
 * (row.next_attempt_at of a claimed row): after that another engine may take the row over, and the
 * record would be superseded anyway. Waits in real time: the store comes back in real time, also
 * under a virtual clock.
 */
async function recordOutcome(
  env: DeliveryEnv,
  row: Row<'outbox'>,
  outcome: outbox.DeliveryOutcome,
): Promise<boolean> {
  const leaseLeftMs = row.next_attempt_at.getTime() - env.clock.now().getTime();
  const giveUpAt = Date.now() + Math.max(0, leaseLeftMs);
  for (let wait = RECORD_RETRY_MS; ; wait = Math.min(2 * wait, RECORD_RETRY_MAX_MS)) {
    try {
      return env.record
        ? await env.record({ id: row.id, attempt: row.attempts, outcome })
        : await outbox.recordOutboxAttempt(env.db, row.id, row.attempts, outcome);
    } catch (error) {
      if (Date.now() + wait >= giveUpAt) throw error;
      env.log?.warn({ err: error, id: row.id }, 'outbox attempt not recorded yet, trying again');
      // unref: a process on its way out is not held up by a record that cannot be made.
      await new Promise((resolve) => setTimeout(resolve, wait).unref());
    }
  }
}
