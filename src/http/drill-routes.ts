import { z } from 'zod';
import { drillStoredPlan } from '../domain/drills/drill-stored-plan.ts';
import { drillBodySchema } from '../domain/drills/inputs.ts';
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
}
