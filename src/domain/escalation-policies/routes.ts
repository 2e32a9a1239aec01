import { z } from 'zod';
import type { App } from '../http-app.ts';
import { deletePolicy } from './delete-policy.ts';
import { getPolicy, listPolicies } from './list-policies.ts';
import { policyInputSchema } from './policies.ts';
import { savePolicy } from './save-policy.ts';

const BASE = '/api/v1/escalation-policies';
const tags = ['paging'];
const params = z.strictObject({ name: z.string().min(1).max(63) });

export function registerEscalationPolicyRoutes(app: App): void {
  app.get(BASE, { schema: { tags } }, async (request) => ({
    policies: await listPolicies({ ctx: request.ctx, input: {} }),
  }));
  app.get(`${BASE}/:name`, { schema: { tags, params } }, async (request) => ({
    policy: await getPolicy({ ctx: request.ctx, input: request.params }),
  }));
  app.post(BASE, { schema: { tags, body: policyInputSchema } }, async (request, reply) => {
    const { policy } = await savePolicy({
      ctx: request.ctx,
      input: { policy: request.body, mode: 'create' },
    });
    reply.status(201);
    return { policy };
  });
  app.put(
    `${BASE}/:name`,
    { schema: { tags, params, body: policyInputSchema.omit({ name: true }) } },
    async (request) =>
      savePolicy({
        ctx: request.ctx,
        input: { policy: { ...request.body, name: request.params.name }, mode: 'upsert' },
      }),
  );
  app.delete(`${BASE}/:name`, { schema: { tags, params } }, async (request, reply) => {
    await deletePolicy({ ctx: request.ctx, input: request.params });
    reply.status(204);
  });
}
