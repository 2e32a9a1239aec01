import { z } from 'zod';
import type { App } from '../http-app.ts';
import { incidentIdSchema } from '../incidents/inputs.ts';
import { approveAction } from './approve-action.ts';
import { approvalIdSchema, decisionBodySchema } from './inputs.ts';
import { listActionApprovals } from './list-action-approvals.ts';
import { rejectAction } from './reject-action.ts';

// Approval requests on gated incident actions (plan approvals.actions): list, approve, reject. A
// request is opened by asking for the action itself (severity, triage, transition, resolve: 409).

const BASE = '/api/v1/incidents/:id/approvals';
const tags = ['incidents'];
const params = z.strictObject({ id: incidentIdSchema });
const one = z.strictObject({ id: incidentIdSchema, request: approvalIdSchema });

export function registerActionApprovalRoutes(app: App): void {
  app.get(BASE, { schema: { tags, params } }, async (request) => ({
    approvals: await listActionApprovals({ ctx: request.ctx, input: { incidentId: request.params.id } }),
  }));
  for (const [verb, run] of [
    ['approve', approveAction],
    ['reject', rejectAction],
  ] as const) {
    app.post(
      `${BASE}/:request/${verb}`,
      { schema: { tags, params: one, body: decisionBodySchema.nullish() } },
      async (request) => ({
        approval: await run({
          ctx: request.ctx,
          input: {
            incidentId: request.params.id,
            requestId: request.params.request,
            comment: request.body?.comment,
          },
        }),
      }),
    );
  }
}
