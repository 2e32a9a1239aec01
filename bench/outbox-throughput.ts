import pg from 'pg';
import pino from 'pino';
import { systemClock } from '../src/db/clock.ts';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { Engine } from '../src/engine/engine.ts';
import { outboxModule } from '../src/engine/outbox.ts';
import { type Provider, providerRegistry } from '../src/notify/providers/provider.ts';

// Engine throughput against the raw claim rate of the same PostgreSQL (issue 5, "Benchmark").
// Both drain the same N queued outbox rows of the push channel in a database of their own:
// - raw claim: one connection, a bare SQL loop of transactions each claiming a batch with the
//   outbox module's own statements (SELECTs … FOR UPDATE SKIP LOCKED, then UPDATE … RETURNING), sending
//   nothing — the ceiling for any delivery loop built on these claims;
// - engine: the real Engine with the real outbox module (claim, hand to the provider, record the
//   outcome), delivering to a provider that answers at once, so the figure is the outbox module's
//   own cost. The engine's poll interval is long (60 s): the drain must come from its busy loop.

export const CLAIM_BATCH = 32;

export interface DrainResult {
  messages: number;
  seconds: number;
  rate: number;
}

/** Empties the outbox and queues `n` due push messages, as paging queues them. */
export async function queueMessages(client: pg.Client, n: number): Promise<void> {
  await client.query('truncate outbox restart identity cascade');
  await client.query(
    `insert into outbox (channel, destination, payload, status, next_attempt_at, dedup_key, created_at)
     select 'push', 'bench-topic', jsonb_build_object('kind', 'page', 'text', 'Bench page ' || i),
            'pending', now() - interval '1 second', 'bench-' || i, now()
     from generate_series(1, $1::int) as i`,
    [n],
  );
  await client.query('vacuum analyze outbox');
}

// The statements src/domain/notifications/queries.ts (claimDueOutbox) sends, as Kysely renders them:
// expired leases first, then pending rows, each from its partial index; then the claim itself.
const SELECT_DUE = `select "id" from "outbox"
  where "status" = $1 and "next_attempt_at" <= $2 and "channel" in ($3)
    and destination !~ '^(user|group|role):' and "attempts" < $4
  order by "next_attempt_at" limit $5 for update skip locked`;
const CLAIM = `update "outbox" set "status" = $1, "attempts" = "attempts" + $2, "next_attempt_at" = $3
  where "id" in (select unnest($4::bigint[])) returning *`;

/** Claims every due row in batches of `batch`, one transaction per batch; sends nothing. */
export async function rawClaimRate(url: string, n: number, batch = CLAIM_BATCH): Promise<DrainResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await queueMessages(client, n);
    const started = performance.now();
    let claimed = 0;
    for (;;) {
      await client.query('begin');
      const now = new Date();
      const expired = await client.query<{ id: string }>(SELECT_DUE, ['sending', now, 'push', 8, batch]);
      const pending = await client.query<{ id: string }>(SELECT_DUE, [
        'pending',
        now,
        'push',
        8,
        batch - expired.rows.length,
      ]);
      const due = { rows: [...expired.rows, ...pending.rows] };
      if (due.rows.length === 0) {
        await client.query('commit');
        break;
      }
      const rows = await client.query(CLAIM, [
        'sending',
        1,
        new Date(now.getTime() + 300_000),
        due.rows.map((r) => r.id),
      ]);
      await client.query('commit');
      claimed += rows.rowCount ?? 0;
    }
    const seconds = (performance.now() - started) / 1000;
    if (claimed !== n) throw new Error(`raw claim took ${claimed} of ${n} rows`);
    return { messages: claimed, seconds, rate: claimed / seconds };
  } finally {
    await client.end();
  }
}

/** A provider that accepts every message at once: the figure is the outbox module's own cost. */
function instantProvider(onSend: () => void): Provider {
  let seq = 0;
  return {
    channel: 'push',
    async send() {
      onSend();
      return { providerId: `bench-${++seq}` };
    },
  };
}

/** Time from starting the engine to every queued row recorded as sent. */
export async function engineDrainRate(url: string, n: number, poolSize = 10): Promise<DrainResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { db } = connect(url, poolSize);
  try {
    await migrate(db);
    await queueMessages(client, n);
    let sent = 0;
    let allSent: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      allSent = resolve;
    });
    const outbox = outboxModule({
      providers: providerRegistry([instantProvider(() => ++sent === n && allSent())]),
    });
    const engine = new Engine({ db, clock: systemClock, log: pino({ level: 'warn' }) }, [outbox]);
    const started = performance.now();
    engine.start(60_000);
    await done;
    await outbox.idle();
    const seconds = (performance.now() - started) / 1000;
    await engine.stop();
    await outbox.idle();
    const { rows } = await client.query<{ n: string }>(
      `select count(*) as n from outbox where status = 'sent'`,
    );
    const recorded = Number(rows[0]?.n ?? 0);
    if (recorded !== n) throw new Error(`engine recorded ${recorded} of ${n} messages as sent`);
    return { messages: recorded, seconds, rate: recorded / seconds };
  } finally {
    await db.destroy();
    await client.end();
  }
}
