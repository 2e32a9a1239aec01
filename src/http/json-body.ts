import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { LONE_SURROGATE } from '../db/storable.ts';
import { Invalid } from '../errors.ts';
import type { App } from './server.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The body's bytes as received, for signature checks (inbound integrations): set by the JSON
     * parser, and for every content type on routes that use keepRawBody. Undefined without a body.
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

/**
 * Whether the text opens more than `limit` objects and arrays in all (brackets inside strings
 * counted too): an upper bound on how deep they nest, found by the engine's native indexOf rather
 * than by a loop over every character. An alert's body opens a handful, so the exact scan below
 * (≈ 2 µs for a 1 KB alert, more than JSON.parse itself) is only needed for bodies that open many.
 */
function opensAtMost(json: string, limit: number): boolean {
  let opened = 0;
  for (const bracket of ['{', '[']) {
    for (let at = json.indexOf(bracket); at >= 0; at = json.indexOf(bracket, at + 1)) {
      if (++opened > limit) return false;
    }
  }
  return true;
}

/** How deep objects and arrays nest, stopping as soon as it passes `limit`; strings are skipped. */
export function jsonDepthExceeds(json: string, limit: number): boolean {
  if (opensAtMost(json, limit)) return false;
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

// A surrogate's escape (\ud800–\udfff): a valid UTF-8 body can carry a surrogate only so. Paired, it is
// a character beyond the BMP (an emoji); alone, PostgreSQL's jsonb refuses it — found late, by the store,
// with a vague reason.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** The path of the first string (value or key) holding a lone surrogate, or undefined. */
export function loneSurrogateAt(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = loneSurrogateAt(value[i], `${path}.${i}`);
      if (at) return at;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key)) return path;
    const at = loneSurrogateAt(item, `${path}.${key}`);
    if (at) return at;
  }
  return undefined;
}

/** A JSON text → value function that throws what the request should be answered with. */
export type JsonParse = (text: string) => unknown;

/**
 * Fastify's own JSON parser (secure-json-parse: __proto__ and constructor.prototype refused; an empty
 * body refused) as a plain function, for a body read outside Fastify (the inbound fast path).
 */
export function fastifyJsonParse(app: App): JsonParse {
  const parser = app.getDefaultJsonParser('error', 'error');
  return (text) => {
    let failure: Error | null = null;
    let value: unknown;
    // The default parser answers synchronously; the request argument is unused by it.
    parser(undefined as never, text, (error, parsed) => {
      failure = error;
      value = parsed;
    });
    if (failure) throw failure;
    return value;
  };
}

/** The strict rules below, then `parse`: the value, or a thrown Invalid (or the parser's error). */
export function parseJsonBody(body: Buffer, parse: JsonParse): unknown {
  if (!isUtf8(body)) {
    throw new Invalid('the request body is not valid UTF-8', [{ path: 'body', message: 'invalid UTF-8' }]);
  }
  const json = body.toString('utf8');
  if (jsonDepthExceeds(json, MAX_JSON_DEPTH)) {
    throw new Invalid(`the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`, [
      { path: 'body', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  if (json.includes('\\u0000') && NUL_ESCAPE.test(json)) {
    throw new Invalid('the JSON body contains \\u0000, which cannot be stored', [
      { path: 'body', message: 'contains \\u0000' },
    ]);
  }
  const value = parse(json);
  const lone = SURROGATE_ESCAPE.test(json) ? loneSurrogateAt(value) : undefined;
  if (lone) {
    throw new Invalid(`the JSON body contains a lone surrogate escape at ${lone}, which cannot be stored`, [
      { path: lone, message: 'a \\ud800–\\udfff escape without its pair' },
    ]);
  }
  return value;
}

export function registerJsonBodyParser(app: App): void {
  const parse = fastifyJsonParse(app);
  // Declared up front so every request object has the same shape (V8 keeps one hidden class).
  app.decorateRequest('rawBody', undefined);
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    request.rawBody = body;
    let value: unknown;
    try {
      value = parseJsonBody(body, parse);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, value);
  });
}

/**
 * A preParsing hook for signed routes: keeps the bytes of any body, whatever its content type, so a
 * signature is checked against what was sent (a text/plain body is not an empty one). The body
 * limit still applies: Fastify counts the bytes this stream passes on.
 */
export async function keepRawBody(
  request: FastifyRequest,
  _reply: unknown,
  payload: NodeJS.ReadableStream,
): Promise<NodeJS.ReadableStream> {
  const chunks: Buffer[] = [];
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done(null, chunk);
    },
    flush(done) {
      request.rawBody = Buffer.concat(chunks);
      done();
    },
  });
  return payload.pipe(tee);
}
