import { z } from 'zod';
import { drillStoredPlan } from '../domain/drills/drill-stored-plan.ts';
import { drillBodySchema } from '../domain/drills/inputs.ts';
import { replayBodySchema } from '../domain/replay/inputs.ts';
import { replayPlan } from '../domain/replay/replay-plan.ts';
import { drillEngine } from '../engine/drill-engine.ts';
import type { App, AppDeps } from './server.ts';

// "Run a drill" from the console: the route lives in http/ because it hands the domain the engine.
export function registerDrillRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/plans/:name/drill',
    {
      schema: {
        tags: ['plans'],
        summary:
          "Drill the plan's current version on a virtual clock (in a throwaway database) and answer its report",
        params: z.strictObject({ name: z.string().min(1).max(63) }),
        body: drillBodySchema.optional(),
      },
    },
    async (request) => ({
      report: await drillStoredPlan({
        ctx: request.ctx,
        input: {
          plan: request.params.name,
          severity: request.body?.severity,
          serverUrl: deps.console?.drillServerUrl,
          engine: drillEngine,
        },
      }),
    }),
  );

  app.post(
    '/api/v1/plans/:name/replay',
    {
      schema: {
        tags: ['plans'],
        summary:
          "What-if replay: the plan's past incidents run again under a changed plan (body.source) on a virtual clock, in a throwaway database; per incident and in total, who would have been paged, which targets breached and the metrics",
        params: z.strictObject({ name: z.string().min(1).max(63) }),
        body: replayBodySchema,
      },
    },
    async (request) => {
      const body = request.body;
      const report = await replayPlan({
        ctx: request.ctx,
        input: {
          name: request.params.name,
          source: body.source,
          file: body.file,
          since: body.since,
          after: body.after,
          limit: body.limit,
          serverUrl: deps.console?.drillServerUrl,
          engine: drillEngine,
        },
      });
      return { report };
    },
  );
}
