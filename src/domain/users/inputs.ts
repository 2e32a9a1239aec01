import { z } from 'zod';
import { ROLES } from '../context.ts';
import { handleSchema } from './handle.ts';

// What the API accepts for users and teams; the web console checks its forms with these same
// schemas, so this file imports nothing the browser lacks (no node:crypto).

export const userInputSchema = z.strictObject({
  handle: handleSchema,
  name: z.string().min(1).max(200),
  email: z.email().nullish(),
  role: z.enum(ROLES).default('responder'),
  leadership: z.boolean().default(false),
  time_zone: z.string().min(1).default('UTC'),
});
export type UserInput = z.infer<typeof userInputSchema>;

export const teamInputSchema = z.strictObject({
  name: handleSchema,
  description: z.string().max(2000).default(''),
  members: z
    .array(z.strictObject({ user: handleSchema, role: z.string().min(1).max(50).default('member') }))
    .default([]),
});
export type TeamInput = z.infer<typeof teamInputSchema>;

/** What an admin may change of a user after creating them (`tocsin user set`). */
export const userPatchSchema = userInputSchema.omit({ handle: true }).partial().strict();
export type UserPatch = z.infer<typeof userPatchSchema>;

/** A member's role in a team (PUT /api/v1/teams/:name/members/:handle). */
export const teamMemberInputSchema = z.strictObject({ role: z.string().min(1).max(50).default('member') });
