import { z } from 'zod';

// A manual page's input: a leaf module of zod only, so the web console's "Page someone" form checks
// it with this same schema before sending.

export const pageInputSchema = z.strictObject({
  target: z
    .string()
    .regex(
      /^(user|schedule|team|policy):[^\s]+$/,
      'user:<handle>, schedule:<name>, team:<name> or policy:<name>',
    )
    .describe('who is paged'),
  message: z.string().min(1).max(1000).describe('what the page says'),
  incident: z.string().regex(/^\d+$/).optional().describe('the incident the page is about'),
});
export type PageInput = z.infer<typeof pageInputSchema>;
