import { z } from 'zod';

// Inputs of approving or rejecting a pending action approval request.

const isText = (s: string): boolean => !s.includes('\u0000') && !/\p{Cs}/u.test(s);

export const approvalIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,17}$/, 'an approval request id is a positive integer');

export const decisionBodySchema = z.strictObject({
  comment: z
    .string()
    .refine(isText, 'must be text without NUL characters or broken Unicode')
    .max(2000)
    .default(''),
});
