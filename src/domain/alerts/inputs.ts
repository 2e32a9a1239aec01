import { z } from 'zod';
import { cursorParam } from '../../lib/cursor.ts';

export const alertIdSchema = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an alert id is a positive integer');

export const listAlertsQuerySchema = z.strictObject({
  service: z.string().min(1).max(63).optional(),
  status: z.enum(['open', 'triggered', 'acknowledged', 'resolved', 'all']).default('all'),
  label: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('key=value, repeatable: alerts whose labels include each pair'),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  cursor: cursorParam,
});
export type ListAlertsInput = z.input<typeof listAlertsQuerySchema>;

export const alertNoteSchema = z.strictObject({ text: z.string().trim().min(1).max(10_000) });
