import { z } from 'zod';
import type { App } from '../http-app.ts';
import { applyDocuments } from './apply-documents.ts';

const applyBody = z.strictObject({
  documents: z
    .array(
      z.strictObject({
        file: z.string().min(1).max(1000).describe('shown in errors and results, e.g. the file path'),
        content: z.string().describe('YAML: one or more documents separated by ---'),
      }),
    )
    .min(1)
    .max(10_000),
  dry_run: z.boolean().default(false),
});

export function registerConfigRoutes(app: App): void {
  app.post(
    '/api/v1/apply',
    {
      schema: {
        tags: ['config'],
        summary: 'Apply configuration documents (Plan, Team, User …) in one transaction, like kubectl apply',
        body: applyBody,
      },
    },
    async (request) =>
      applyDocuments({
        ctx: request.ctx,
        input: { sources: request.body.documents, dryRun: request.body.dry_run },
      }),
  );
}
