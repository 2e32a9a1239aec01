import { sql } from 'kysely';
import { pagingHealthAt, problemsOf } from '../domain/paging/audit-paging.ts';
import { configuredChannels, PAGE_DELIVERY_CHANNELS } from '../notify/providers/from-env.ts';
import type { App, AppDeps } from './server.ts';

export function registerHealthRoutes(app: App, deps: AppDeps): void {
  // Pages of channels no provider serves here cannot be late (they reach the inbox).
  const deliverableChannels = () => deps.deliveryChannels ?? configuredChannels();

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/health/detailed', { schema: { hide: true } }, async (_request, reply) => {
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
      const deliverable = deliverableChannels();
      const paging = await pagingHealthAt(deps.db, now, deliverable);
      const problems = problemsOf(paging).flatMap((p) => (p.summary ? [p.summary] : []));
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
        },
      };
    } catch (error) {
      reply.status(503);
      return {
        status: 'degraded',
        time: now.toISOString(),
        database: { status: 'unavailable', error: String(error) },
      };
    }
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
