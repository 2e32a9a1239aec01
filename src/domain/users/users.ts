import { hash, randomBytes } from 'node:crypto';
import type { Row } from '../../db/schema.ts';
import { handleSchema } from './handle.ts';

// The input schemas live apart from the token helpers (node:crypto) so the console bundles them.
export {
  type TeamInput,
  teamInputSchema,
  type UserInput,
  type UserPatch,
  userInputSchema,
  userPatchSchema,
} from './inputs.ts';
export { handleSchema };

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

export const TOKEN_PREFIX = 'tcs_';

/** A new API token: shown to its owner once, stored only as its hash. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

// API tokens are long random strings, so a fast hash is enough (no password stretching needed).
export function hashToken(token: string): string {
  // One-shot (no Hash object, update and digest calls): every API request hashes its bearer token.
  return hash('sha256', token, 'hex');
}

export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}

export { isTimeZone as isValidTimeZone } from '../../lib/time-zone.ts';
