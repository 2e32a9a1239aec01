import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { ROLES } from '../context.ts';

export const handleSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lowercase letters, digits, ".", "_" or "-", up to 63 characters');

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
  };
}

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

// Building an Intl.DateTimeFormat costs about a fifth of a millisecond, and `tocsin apply` checks
// thousands of users' zones: the answer for each zone name is kept (there are a few hundred).
const zoneChecked = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  const known = zoneChecked.get(zone);
  if (known !== undefined) return known;
  let valid: boolean;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    valid = true;
  } catch {
    valid = false;
  }
  if (zoneChecked.size < 1000) zoneChecked.set(zone, valid);
  return valid;
}
