import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type Env, publicUrlOf } from './config/env.ts';
import { type Clock, DatabaseClock } from './db/clock.ts';
import { latestMigrationName } from './db/migrate.ts';
import type { Db } from './db/schema.ts';
import { calibrateClock, openStore, type Store } from './db/store.ts';
import { firstSignInLink } from './domain/auth/first-sign-in-link.ts';
import { bootstrapAdmin } from './domain/users/bootstrap-admin.ts';
import { Engine } from './engine/engine.ts';
import { engineModules } from './engine/modules.ts';
import { listenForWork, type WorkListener } from './engine/wake.ts';
import { type EventHub, startEventHub } from './http/event-hub.ts';
import { createMetrics } from './http/metrics.ts';
import { startMonitoringServer } from './http/monitoring-server.ts';
import { type App, buildServer } from './http/server.ts';
import { consoleAuthOf } from './http/session.ts';
import { VERSION } from './version.ts';

export type ProcessRole = 'all' | 'api' | 'engine';

export interface Running {
  store: Store;
  app?: App;
  /** The TOCSIN_METRICS_PORT listener, when configured. */
  monitoring?: FastifyInstance;
  engine?: Engine;
  url?: string;
  stop(): Promise<void>;
}

/** A failed recalibration keeps the last offset (still close): logged, so a drift is not silent. */
export async function recalibrate(db: Db, clock: DatabaseClock, log: Logger): Promise<void> {
  try {
    await calibrateClock(db, clock);
  } catch (err) {
    log.warn({ err }, 'clock recalibration against the database failed; keeping the last offset');
  }
}

/** Starts Tocsin in one process: store, then the HTTP server and/or the engine. */
export async function startTocsin(
  env: Env,
  role: ProcessRole,
  log: Logger,
  clockOverride?: Clock,
): Promise<Running> {
  const store = await openStore({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.TOCSIN_DATA_DIR,
    poolSize: env.TOCSIN_DB_POOL_SIZE,
    timeouts: {
      connectMs: env.TOCSIN_DB_CONNECT_TIMEOUT_MS,
      statementMs: env.TOCSIN_DB_STATEMENT_TIMEOUT_MS,
    },
    log: (msg, level = 'info') => log[level](msg),
    prepared: env.TOCSIN_PREPARED,
  });
  const databaseClock = new DatabaseClock();
  const clock = clockOverride ?? databaseClock;
  let calibration: NodeJS.Timeout | undefined;
  if (!clockOverride) {
    await calibrateClock(store.db, databaseClock);
    calibration = setInterval(() => void recalibrate(store.db, databaseClock, log), 60_000);
    calibration.unref();
  }
  const boot = await bootstrapAdmin(store.db, clock, env.TOCSIN_ADMIN_TOKEN);
  if (boot.newToken) {
    // Printed once on purpose: only its hash is stored.
    process.stdout.write(
      `\nTocsin created the admin user "${boot.admin}". Its API token (shown only this once):\n\n  ${boot.newToken}\n\n`,
    );
  }
  const metrics = createMetrics();
  const publicUrl = publicUrlOf(env);
  const firstLink = env.TOCSIN_PASSWORD_SIGN_IN
    ? await firstSignInLink(store.db, clock, publicUrl)
    : undefined;
  if (firstLink) {
    process.stdout.write(
      `\nSign in to the web console as "${boot.admin}" and choose a password (one-time link):\n\n  ${firstLink}\n\n`,
    );
  }
  let wake: WorkListener | undefined;
  let events: EventHub | undefined;
  const running: Running = {
    store,
    // New requests and engine passes stop before the store does: nothing runs into a closing store.
    async stop() {
      if (calibration) clearInterval(calibration);
      await running.app?.close();
      await running.monitoring?.close();
      await wake?.close();
      await events?.close();
      await running.engine?.stop();
      await store.close();
    },
  };
  try {
    if (role !== 'api') {
      const schemaVersion = await latestMigrationName();
      const engine = new Engine({ db: store.db, clock, log, metrics, schemaVersion }, engineModules());
      running.engine = engine;
      engine.start(env.TOCSIN_ENGINE_INTERVAL_MS);
      wake = listenForWork(store.url, (what) => engine.wake(what), log);
    }
    if (role !== 'engine') {
      events = startEventHub(store.url, log);
      const app = await buildServer({
        db: store.db,
        clock,
        log,
        metrics,
        publicUrl,
        bodyLimit: env.TOCSIN_BODY_LIMIT,
        version: VERSION,
        metricsToken: env.TOCSIN_METRICS_TOKEN,
        authFailuresPerMinute: env.TOCSIN_AUTH_FAILURES_PER_MINUTE,
        inboundFastPath: env.TOCSIN_INBOUND_FAST_PATH,
        console: {
          auth: consoleAuthOf(env),
          events,
          webDir: env.TOCSIN_WEB_DIR,
          drillServerUrl: store.url,
        },
      });
      running.app = app;
      running.url = await app.listen({ port: env.TOCSIN_PORT, host: env.TOCSIN_HOST });
    }
    if (env.TOCSIN_METRICS_PORT !== undefined) {
      const deps = { db: store.db, clock, metrics, version: VERSION, log };
      const monitoring = await startMonitoringServer(deps, env.TOCSIN_METRICS_PORT, env.TOCSIN_METRICS_HOST);
      running.monitoring = monitoring.server;
    }
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}
