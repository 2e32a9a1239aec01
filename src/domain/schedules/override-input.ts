import { z } from 'zod';
import { timestampSchema } from '../../lib/timestamp.ts';
import { handleSchema } from '../users/handle.ts';

// An override's input: a leaf module of zod only, so the web console validates its override form
// with this same schema before sending (the operation checks the schedule and the users).

export const MAX_SHIFT_MS = 366 * 86_400_000;

export const overrideInputSchema = z
  .strictObject({
    start: timestampSchema,
    end: timestampSchema,
    user: handleSchema,
    replaces: handleSchema.nullish().describe('a swap: only this user’s time is taken over'),
  })
  .superRefine((o, ctx) => {
    const start = Date.parse(o.start);
    const end = Date.parse(o.end);
    if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    else if (end - start > MAX_SHIFT_MS)
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'an override lasts at most 366 days' });
    if (o.replaces && o.replaces === o.user) {
      ctx.addIssue({ code: 'custom', path: ['replaces'], message: 'a user cannot replace themselves' });
    }
  });
export type OverrideInput = z.input<typeof overrideInputSchema>;
