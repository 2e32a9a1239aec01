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

/**
 * Checks loaded on first use: the schemas (and zod with them) stay off a page's load path, so the page
 * is interactive without them. `preload` starts the load when a form is first focused; `check` waits
 * for it, so a submit made while the schemas load is checked before anything is sent. A failed load is
 * retried by the next call.
 */
export function lazyChecks<S extends object>(load: () => Promise<S>) {
  let loading: Promise<S> | undefined;
  const schemas = () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return {
    preload(): void {
      schemas().catch(() => undefined);
    },
    async check<T>(
      name: { [K in keyof S]: S[K] extends z.ZodType ? K : never }[keyof S],
      body: T,
    ): Promise<T> {
      return checked((await schemas())[name] as z.ZodType, body);
    },
  };
}
