import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import { timestampSchema } from '../../lib/timestamp.ts';

// API tokens as the API shows them: never the token or its hash, only what identifies it.
export interface PublicToken {
  id: string;
  name: string;
  prefix: string;
  user: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  /** As of the server's clock: revoked, expired, or active. */
  state: 'active' | 'expired' | 'revoked';
}

export const tokenInputSchema = z.strictObject({
  name: z.string().min(1).max(100),
  user: z.string().min(1).max(63).optional(),
  expires_in: z
    .string()
    .refine(isDuration, 'a duration such as 30d or 12h')
    .optional()
    .describe('The token stops working after this long (e.g. 90d)'),
  expires_at: timestampSchema.optional().describe('The token stops working at this instant'),
});
export type TokenInput = z.infer<typeof tokenInputSchema>;

/** When a token asked to expire does, or null; an expiry in the past is refused by the caller. */
export function expiryOf(input: Pick<TokenInput, 'expires_in' | 'expires_at'>, now: Date): Date | null {
  if (input.expires_in) return new Date(now.getTime() + parseDuration(input.expires_in));
  if (input.expires_at) return new Date(input.expires_at);
  return null;
}

export function publicToken(row: Omit<PublicToken, 'state'>, now: Date): PublicToken {
  const state = row.revoked_at
    ? 'revoked'
    : row.expires_at && row.expires_at.getTime() <= now.getTime()
      ? 'expired'
      : 'active';
  return {
    id: String(row.id),
    name: row.name,
    prefix: row.prefix,
    user: row.user,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    state,
  };
}
