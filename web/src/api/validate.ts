import type { z } from 'zod';
import { ApiError } from './client';

/**
 * Checks a request body with the API's own zod schema before sending it. A refusal is the same
 * ApiError the server would answer (`invalid`, one detail per field), so forms show it beside the
 * field exactly as they show the server's; the server checks again whatever passes here.
 */
export function checked<T>(schema: z.ZodType, body: T): T {
  const result = schema.safeParse(body);
  if (result.success) return body;
  const details = result.error.issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path, key].map(String).join('.'), message: 'unknown field' }))
      : [{ path: i.path.map(String).join('.') || '(root)', message: i.message }],
  );
  throw new ApiError(400, 'invalid', 'the request body is not valid', details);
}
