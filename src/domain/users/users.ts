import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { ROLES } from '../context.ts';

import { handleSchema } from './handle.ts';

export { handleSchema };

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

export type User = Row<'users'>;

export function publicUser(u: User) {
  return {
    id: u.id,
    handle: u.handle,
    name: u.name,
    email: u.email,
    role: u.role,
    leadership: u.leadership,
    time_zone: u.time_zone,
    created_at: u.created_at,
    updated_at: u.updated_at,
    deactivated_at: u.deactivated_at ?? null,
  };
}

/** What an admin may change of a user after creating them (`tocsin user set`). */
export const userPatchSchema = userInputSchema.omit({ handle: true }).partial().strict();
export type UserPatch = z.infer<typeof userPatchSchema>;

export const TOKEN_PREFIX = 'tcs_';

/** A new API token: shown to its owner once, stored only as its hash. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

// API tokens are long random strings, so a fast hash is enough (no password stretching needed).
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}

export { isTimeZone as isValidTimeZone } from '../../lib/time-zone.ts';
