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

/**
 * The largest apply request body (unless TOCSIN_BODY_LIMIT is larger): `tocsin apply -f DIR` sends
 * every document in one request, all or nothing — 8,000 users are ~1.3 MB, over the default 1 MiB of
 * other routes. Only an authenticated request's body is read (the token is checked on request).
 */
export const APPLY_BODY_LIMIT = 16 * 1024 * 1024;

export function registerConfigRoutes(app: App): void {
  app.post(
    '/api/v1/apply',
    {
      bodyLimit: Math.max(APPLY_BODY_LIMIT, app.initialConfig.bodyLimit ?? 0),
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
