import { z } from 'zod';
import type { App } from '../http-app.ts';
import { getPlan } from './get-plan.ts';
import { getReadiness } from './get-readiness.ts';
import { listPlanVersions } from './list-plan-versions.ts';
import { listPlans } from './list-plans.ts';
import { planJsonSchema } from './plan-docs.ts';
import { savePlan } from './save-plan.ts';

// Plans over HTTP. PUT takes the plan file itself (YAML, as text) or the same plan as a JSON object;
// the stored source is what was sent, so `plan show` returns it unchanged.
export const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const nameParams = z.strictObject({ name: z.string().min(1).max(63) });

/** YAML bodies arrive as text; content-type parsers are global to the server, so add each once. */
function acceptYaml(app: App): void {
  for (const type of [...YAML_TYPES, 'text/plain']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => done(null, body));
    }
  }
}

export function registerPlanRoutes(app: App): void {
  acceptYaml(app);
  let jsonSchema: unknown;

  app.get(
    '/api/v1/plans/schema.json',
    { schema: { tags: ['plans'], security: [] }, config: { public: true } },
    async () => {
      jsonSchema ??= planJsonSchema();
      return jsonSchema;
    },
  );

  app.get('/api/v1/plans', { schema: { tags: ['plans'] } }, async (request) => ({
    plans: await listPlans({ ctx: request.ctx, input: undefined }),
  }));

  app.get(
    '/api/v1/plans/:name/readiness',
    {
      schema: {
        tags: ['plans'],
        params: nameParams,
        summary:
          'Readiness of the current version: paging route per severity, review due, services with owner and runbook, schedule gaps in the next 14 days, days since the last exercise',
      },
    },
    async (request) => getReadiness({ ctx: request.ctx, input: { name: request.params.name } }),
  );

  app.get(
    '/api/v1/plans/:name',
    {
      schema: {
        tags: ['plans'],
        params: nameParams,
        querystring: z.strictObject({
          version: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
        }),
      },
    },
    async (request) => {
      const v = await getPlan({
        ctx: request.ctx,
        input: { name: request.params.name, version: request.query.version },
      });
      return {
        name: v.name,
        version: v.version,
        current_version: v.current_version,
        digest: v.digest,
        created_at: v.created_at,
        created_by: v.created_by,
        source: v.source,
        plan: v.plan,
      };
    },
  );

  app.get(
    '/api/v1/plans/:name/versions',
    { schema: { tags: ['plans'], params: nameParams } },
    async (request) => ({
      name: request.params.name,
      versions: await listPlanVersions({ ctx: request.ctx, input: { name: request.params.name } }),
    }),
  );

  app.put(
    '/api/v1/plans/:name',
    {
      schema: {
        tags: ['plans'],
        description:
          'Create or update a plan. Send the plan file as YAML (Content-Type: application/yaml or ' +
          'text/plain) or the plan as a JSON object. Applying an unchanged plan keeps its version.',
        params: nameParams,
        querystring: z.strictObject({ dry_run: z.enum(['true', 'false']).optional() }),
        body: z.union([z.string().min(1, 'the plan is empty'), z.record(z.string(), z.unknown())]),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const result = await savePlan({
        ctx: request.ctx,
        input: {
          source: typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`,
          file: `${request.params.name}.${typeof body === 'string' ? 'yaml' : 'json'}`,
          name: request.params.name,
          dryRun: request.query.dry_run === 'true',
        },
      });
      if (result.change === 'created' && request.query.dry_run !== 'true') reply.status(201);
      return {
        name: result.name,
        version: result.version,
        change: result.change,
        dry_run: request.query.dry_run === 'true',
        field_warnings: result.field_warnings,
      };
    },
  );
}
