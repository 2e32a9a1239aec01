import { z } from 'zod';
import { durationSchema } from '../workflows/workflow-schema.ts';

// What a what-if replay accepts (POST /api/v1/plans/:name/replay); the console checks its form with it.
export const replayBodySchema = z.strictObject({
  source: z.string().min(1).max(1_000_000).describe('the changed plan (YAML), named like the stored one'),
  file: z.string().min(1).max(255).optional().describe('the file name errors point into (file:line:col)'),
  since: durationSchema.default('90d').describe('replay the incidents declared this long before now'),
  after: z
    .string()
    .regex(/^[0-9]{1,18}$/, 'an incident id')
    .optional()
    .describe('only incidents after this id (the `next` of the previous answer)'),
  limit: z.number().int().min(1).max(100).default(25).describe('at most this many incidents per answer'),
});
export type ReplayBody = z.input<typeof replayBodySchema>;
