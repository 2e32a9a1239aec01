import { isUtf8 } from 'node:buffer';
import { Invalid } from '../errors.ts';
import type { App } from './server.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The JSON body's bytes as received, for signature checks (inbound integrations). The buffer
     * Fastify read the body into, not a copy; undefined for requests without a JSON body.
     */
    rawBody?: Buffer;
  }
}

// Fastify's JSON body parser, made strict where it is lenient: it decodes invalid UTF-8 into U+FFFD
// silently, accepts any nesting depth (which a recursive consumer — zod, JSON.stringify, PostgreSQL's
// jsonb — can overflow on), and accepts \u0000, which PostgreSQL text and jsonb cannot store (the
// whole transaction would fail late, and with it every alert committed alongside).

/** Deeper than any sender's payload (a Sentry event is about 10 levels deep). */
export const MAX_JSON_DEPTH = 64;

/** How deep objects and arrays nest, stopping as soon as it passes `limit`; strings are skipped. */
export function jsonDepthExceeds(json: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

// \u0000 as an escape that is not itself escaped (an odd number of backslashes before "u0000").
const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

export function registerJsonBodyParser(app: App): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Declared up front so every request object has the same shape (V8 keeps one hidden class).
  app.decorateRequest('rawBody', undefined);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    if (!isUtf8(body)) {
      done(new Invalid('the request body is not valid UTF-8', [{ path: 'body', message: 'invalid UTF-8' }]));
      return;
    }
    const json = body.toString('utf8');
    if (jsonDepthExceeds(json, MAX_JSON_DEPTH)) {
      done(
        new Invalid(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, [
          { path: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
        ]),
      );
      return;
    }
    if (json.includes('\\u0000') && NUL_ESCAPE.test(json)) {
      done(
        new Invalid('the JSON body contains \\u0000, which cannot be stored', [
          { path: 'body', message: 'contains \\u0000' },
        ]),
      );
      return;
    }
    parseJson(request, json, done);
  });
}
