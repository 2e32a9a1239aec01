import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { pagingHealthAt, problemsOf, unroutedHealthAt } from '../domain/paging/audit-paging.ts';
import { configuredChannels, PAGE_DELIVERY_CHANNELS } from '../notify/providers/from-env.ts';
import { STORE_RETRY_AFTER_SECONDS } from './error-mapping.ts';
import type { App, AppDeps } from './server.ts';

// /health is public and bare (load balancers, the console, acceptance scripts): ok, or 503 while the
// store does not answer. /health/detailed and /metrics show internals (module errors, backlog,
// versions): on the main port they need TOCSIN_METRICS_TOKEN or a manager's API token; a separate
// listener (TOCSIN_METRICS_PORT, monitoring-server.ts) serves them without one.

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A monitoring route: TOCSIN_METRICS_TOKEN is accepted as its bearer token. */
    monitoring?: boolean;
  }
  interface FastifyRequest {
    /** The request carried TOCSIN_METRICS_TOKEN (set by server.ts on monitoring routes). */
    monitoringToken?: boolean;
  }
}

type MonitoringDeps = Pick<AppDeps, 'db' | 'clock' | 'metrics' | 'version' | 'deliveryChannels'>;

// Pages of channels no provider serves here cannot be late (they reach the inbox).
function deliverableChannels(deps: MonitoringDeps): readonly string[] | undefined {
  return deps.deliveryChannels ?? configuredChannels();
}

export function registerHealthRoutes(app: App, deps: AppDeps): void {
  app.get('/health', { schema: { hide: true }, config: { public: true } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(deps.db);
      return { status: 'ok' };
    } catch {
      reply.status(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
      return { status: 'unavailable' };
    }
  });
  const guarded = (request: FastifyRequest) => {
    if (!request.monitoringToken) request.ctx.require('monitoring:read');
  };
  registerMonitoringRoutes(app as unknown as FastifyInstance, deps, guarded);
}

/** /health/detailed and /metrics; `guard` decides who may read them (nobody is refused when absent). */
export function registerMonitoringRoutes(
  app: FastifyInstance,
  deps: MonitoringDeps,
  guard: (request: FastifyRequest) => void = () => {},
): void {
  const config = { public: true, monitoring: true };
  app.get('/health/detailed', { schema: { hide: true }, config }, async (request, reply) => {
    guard(request);
    return detailedHealth(deps, reply);
  });
  app.get('/metrics', { schema: { hide: true }, config }, async (request, reply) => {
    guard(request);
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}

async function detailedHealth(deps: MonitoringDeps, reply: FastifyReply) {
  const now = deps.clock.now();
  try {
    const started = Date.now();
    await sql`select 1`.execute(deps.db);
    const dbLatencyMs = Date.now() - started;
    const modules = await deps.db.selectFrom('engine_modules').selectAll().orderBy('module').execute();
    const backlog = await deps.db
      .selectFrom('outbox')
      .select((eb) => [
        eb.fn.countAll<string>().filterWhere('status', '=', 'pending').as('n'),
        eb.fn.min('next_attempt_at').filterWhere('status', '=', 'pending').as('oldest'),
        eb.fn.countAll<string>().filterWhere('status', '=', 'failed').as('dead'),
      ])
      .where('status', 'in', ['pending', 'failed'])
      .executeTakeFirstOrThrow();
    const deliverable = deliverableChannels(deps);
    const paging = await pagingHealthAt(deps.db, now, deliverable);
    const problems = problemsOf(paging).flatMap((p) => (p.summary ? [p.summary] : []));
    const unrouted = await unroutedHealthAt(deps.db, now);
    return {
      // Paging that is stuck is a degraded Tocsin even with the database up: monitors polling this
      // page must see it.
      status: problems.length > 0 ? 'degraded' : 'ok',
      problems,
      version: deps.version,
      time: now.toISOString(),
      database: { status: 'ok', latency_ms: dbLatencyMs },
      engine: modules.map((m) => ({
        module: m.module,
        last_tick_at: m.last_tick_at,
        lag_seconds: m.last_tick_at ? Math.max(0, (now.getTime() - m.last_tick_at.getTime()) / 1000) : null,
        last_duration_ms: m.last_duration_ms,
        last_error: m.last_error,
        ticks: Number(m.ticks),
      })),
      outbox: {
        pending: Number(backlog.n),
        oldest_due_at: backlog.oldest,
        // Dead letters: GET /api/v1/outbox?status=failed lists them.
        dead_letters: Number(backlog.dead),
      },
      paging: {
        // Channels with no provider here: pages for them reach people's inbox only.
        channels_off: PAGE_DELIVERY_CHANNELS.filter((c) => deliverable && !deliverable.includes(c)),
        overdue_pages: paging.overduePages,
        failed_pages_24h: paging.failedPages,
        late_escalation_steps: paging.lateSteps,
        // Pages and messages whose recipient named nobody (a group of no one, a role nobody holds).
        routed_to_nobody_24h: unrouted.count_24h,
        routed_to_nobody_latest: unrouted.latest,
      },
    };
  } catch {
    // The reason (an address, a port, a PostgreSQL message) stays in the log, not in the answer.
    reply.status(503).header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    return {
      status: 'degraded',
      time: now.toISOString(),
      database: { status: 'unavailable' },
    };
  }
}
