import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { systemClock } from '../src/db/clock.ts';
import { connect } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { makeCtx, SYSTEM_ACTOR } from '../src/domain/context.ts';
import { createMaintenance } from '../src/domain/status-page/create-maintenance.ts';
import { Engine } from '../src/engine/engine.ts';
import { outboxModule } from '../src/engine/outbox.ts';
import { emailProvider } from '../src/notify/providers/email.ts';
import { providerRegistry } from '../src/notify/providers/provider.ts';
import { embeddedStore } from './stores.ts';

// `npm run bench -- --subscribers`: one status-page notice delivered to N confirmed email subscribers
// (BENCH_SUBSCRIBERS, default 10,000) through the real outbox and the real email provider to a real
// SMTP server on loopback that counts what it receives. Prints the time to queue the notice (one
// transaction: a message and an unsubscribe token per subscriber) and the delivery rate. The
// subscribers are inserted in bulk (the public subscribe endpoint is rate-limited per address).

const N = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);

async function countingSmtp(): Promise<{ port: number; received: () => number; close(): Promise<void> }> {
  let received = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received++;
        callback(null, 'Ok');
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as AddressInfo).port));
  });
  return { port, received: () => received, close: () => new Promise((r) => smtp.close(() => r())) };
}

/**
 * Round trips to PostgreSQL while `work` runs: every query a pg client sends (the figure that does not
 * move with the machine's load; bench/statements.ts counts the paging path the same way).
 */
async function countStatements(work: () => Promise<unknown>): Promise<number> {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let count = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    proto.query = original;
  }
  return count;
}

export async function benchSubscribers(): Promise<boolean> {
  const store = await embeddedStore('tocsin-bench-subscribers-');
  const { db, pool } = connect(store.url, 20);
  const smtp = await countingSmtp();
  try {
    await migrate(db);
    await pool.query(
      `insert into status_page_subscribers (kind, address, status, created_at, confirmed_at)
       select 'email', 'reader' || i || '@example.com', 'active', now(), now() from generate_series(1, $1::int) i`,
      [N],
    );
    const ctx = makeCtx({ db, clock: systemClock }, SYSTEM_ACTOR);
    const queuedAt = performance.now();
    const statements = await countStatements(() =>
      createMaintenance({
        ctx,
        input: { name: 'Database upgrade', emergency: true, bodies: { en: 'We upgrade the database.' } },
      }),
    );
    const queueSeconds = (performance.now() - queuedAt) / 1000;
    const module = outboxModule({
      providers: providerRegistry([
        emailProvider({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'status@bench.test' }),
      ]),
    });
    const engine = new Engine({ db, clock: systemClock, log: pino({ level: 'silent' }) }, [module]);
    const started = performance.now();
    // A generous bound against a hang (not a measure): stop when nothing moves for a minute.
    let last = -1;
    let stalledSince = performance.now();
    while (smtp.received() < N) {
      await engine.runUntilIdle();
      await module.idle();
      if (smtp.received() !== last) {
        last = smtp.received();
        stalledSince = performance.now();
      } else if (performance.now() - stalledSince > 60_000) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const sent = smtp.received();
    const load = (await import('node:fs'))
      .readFileSync('/proc/loadavg', 'utf8')
      .split(' ')
      .slice(0, 3)
      .join(' ');
    console.log(
      `\nsubscriber delivery: one notice to ${N} email subscribers, real SMTP on loopback (load average ${load})`,
    );
    console.log(
      `  queue (one transaction)   ${queueSeconds.toFixed(2)} s  ${(N / queueSeconds).toFixed(0)} messages/s  ` +
        `${statements} statements (BEGIN and COMMIT included; load-independent)`,
    );
    console.log(
      `  deliver (outbox → SMTP)   ${seconds.toFixed(2)} s  ${(sent / seconds).toFixed(0)} mails/s  received ${sent}/${N}`,
    );
    return sent === N;
  } finally {
    await smtp.close();
    await db.destroy();
    await store.stop();
  }
}
