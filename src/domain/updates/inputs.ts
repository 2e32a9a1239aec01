import { z } from 'zod';
import { updateStatusSchema } from '../incidents/inputs.ts';

// Inputs of the update review operations (approve, request changes, edit, publish).

const isText = (s: string): boolean => !s.includes('\u0000') && !/\p{Cs}/u.test(s);
const str = () => z.string().refine(isText, 'must be text without NUL characters or broken Unicode');
const language = str().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am');

export const updateIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an update id is a positive integer');

export const approveBodySchema = z.strictObject({
  comment: str().max(2000).default(''),
  as: str()
    .min(1)
    .max(100)
    .optional()
    .describe('the plan role or group you approve for, when you could stand for more than one'),
});
export const requestChangesBodySchema = z.strictObject({
  comment: str().trim().min(1).max(2000).describe('what must change'),
});
export const editUpdateBodySchema = z
  .strictObject({
    bodies: z
      .record(language, str().max(20_000).nullable())
      .refine((m) => Object.keys(m).length > 0, 'at least one language')
      .optional()
      .describe('text per language to set; null removes a language'),
    status: updateStatusSchema.optional(),
    guard_override_reason: str()
      .max(2000)
      .optional()
      .describe('keep text that matched a guard rail, and why'),
  })
  .refine((v) => v.bodies !== undefined || v.status !== undefined, {
    message: 'give bodies, status, or both',
    path: ['bodies'],
  });

export const previewUpdateBodySchema = z.strictObject({
  audience: z.enum(['internal', 'external']),
  bodies: z
    .record(language, str().max(20_000))
    .refine((m) => Object.keys(m).length > 0, 'at least one language')
    .describe('the text per language, as it would be posted'),
  status: updateStatusSchema.optional().describe("the update's status; the incident's state when absent"),
});
export type PreviewUpdateBody = z.infer<typeof previewUpdateBodySchema>;
