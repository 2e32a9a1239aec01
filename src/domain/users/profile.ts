import { z } from 'zod';

// What every user may change of their own account (PATCH /api/v1/me). A leaf module of zod only, so
// the web console validates the form with this same schema before sending; the operation then also
// checks the time zone with the one luxon parser (src/lib/time-zone.ts).

export const profilePatchSchema = z.strictObject({
  name: z.string().trim().min(1, 'a name is required').max(200).optional(),
  time_zone: z
    .string()
    .trim()
    .min(1, 'a time zone is required')
    .max(100)
    .optional()
    .describe('an IANA time zone such as Africa/Addis_Ababa'),
});
export type ProfilePatch = z.input<typeof profilePatchSchema>;
