import { z } from 'zod';
import type { App } from '../http-app.ts';
import { getPlanRules } from './get-plan-rules.ts';
import { listWorkflowRuns } from './list-workflow-runs.ts';

export function registerWorkflowRoutes(app: App): void {
  app.get(
    '/api/v1/plans/:name/rules',
    {
      schema: {
        tags: ['workflows'],
        description:
          "The rules the engine runs for a plan version: its workflows and its fixed fields' rules",
        params: z.strictObject({ name: z.string().min(1).max(100) }),
        querystring: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
      },
    },
    async (request) =>
      getPlanRules({
        ctx: request.ctx,
        input: { name: request.params.name, version: request.query.version },
      }),
  );
  app.get(
    '/api/v1/incidents/:id/workflow-runs',
    {
      schema: {
        tags: ['workflows'],
        description: 'The workflow firings of an incident, newest first',
        params: z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'an incident id') }),
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
      },
    },
    async (request) => ({
      runs: await listWorkflowRuns({
        ctx: request.ctx,
        input: { incidentId: request.params.id, limit: request.query.limit },
      }),
    }),
  );
}
