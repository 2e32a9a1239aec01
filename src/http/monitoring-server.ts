import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { registerMonitoringRoutes } from './health.ts';
import type { AppDeps } from './server.ts';

/**
 * The TOCSIN_METRICS_PORT listener: /metrics and /health/detailed without a token, for a scraper
 * on a private address (TOCSIN_METRICS_HOST, loopback by default). Nothing else is served on it.
 */
export async function startMonitoringServer(
  deps: Pick<AppDeps, 'db' | 'clock' | 'metrics' | 'version'> & { log: Logger },
  port: number,
  host: string,
): Promise<{ server: FastifyInstance; url: string }> {
  const server = Fastify({
    loggerInstance: deps.log.child({ listener: 'monitoring' }),
  }) as unknown as FastifyInstance;
  registerMonitoringRoutes(server, deps);
  const url = await server.listen({ port, host });
  return { server, url };
}
