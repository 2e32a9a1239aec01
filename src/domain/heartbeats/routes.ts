import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from '../http-app.ts';
import { listHeartbeats } from './list-heartbeats.ts';
import { recordHeartbeatPing } from './record-heartbeat-ping.ts';

export function registerHeartbeatRoutes(app: App): void {
  app.get(
    '/api/v1/heartbeats',
    {
      schema: {
        tags: ['services'],
        summary: 'Heartbeats with their status (new, up, down, disabled), last ping and when the next is due',
      },
    },
    async (request) => ({ heartbeats: await listHeartbeats({ ctx: request.ctx, input: undefined }) }),
  );
  app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    // A ping may carry anything (cron output, an empty form post, a JSON status): only the key in
    // the URL counts, so no body is parsed and none can make the ping fail.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    scope.route({
      method: ['GET', 'POST'],
      url: '/api/v1/heartbeats/:key',
      config: { public: true },
      schema: {
        tags: ['inbound'],
        summary: 'Heartbeat ping (cron: curl -fsS <url>); unknown key → 404',
        params: z.strictObject({ key: z.string().max(100) }),
      },
      handler: async (request) => ({
        status: 'ok',
        heartbeat: await recordHeartbeatPing({ ctx: request.ctx, input: { key: request.params.key } }),
      }),
    });
  });
}
