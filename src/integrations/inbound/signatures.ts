import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';

// Checks that an inbound request comes from the sender that holds the integration's signing
// secret. Signatures are computed over the raw request bytes (json-body.ts keeps them on the
// request): re-serialising the parsed JSON would not reproduce the sender's bytes. Every comparison
// runs in constant time, so response timing says nothing about how much of a guess was right.

/** What a format's verify() sees of a request. */
export interface SignedRequest {
  /** The body exactly as received (empty when there was none). */
  body: Buffer;
  /** Node's headers: names in lower case. */
  headers: IncomingHttpHeaders;
  /** The business clock's now, for timestamp windows. */
  now: Date;
}

export type Verdict = { ok: true } | { ok: false; reason: string };
export const VERIFIED: Verdict = { ok: true };
const refused = (reason: string): Verdict => ({ ok: false, reason });

/** A shared secret given to Tocsin and the sender; long enough not to be guessed. */
export const secretSchema = z
  .string()
  .min(16, 'at least 16 characters')
  .max(512)
  .describe('shared secret (at least 16 characters)');

/** An HTTP header name (a token); looked up case-insensitively. */
export const headerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'an HTTP header name such as X-Signature');

/** A custom header carrying a shared secret, for senders that cannot sign (Datadog). */
export const headerSecretSchema = z
  .strictObject({
    name: headerNameSchema.describe('the header the sender sets, e.g. X-Tocsin-Secret'),
    value: secretSchema,
  })
  .describe('a custom header whose value must equal this secret');
export type HeaderSecret = z.infer<typeof headerSecretSchema>;

/** How long a signed timestamp stays acceptable, either side of now (replays and clock skew). */
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const toleranceSchema = z
  .number()
  .int()
  .min(1)
  .max(86_400)
  .describe('seconds a signed timestamp may differ from now; default 300');

/** One header's value (the first when repeated), or undefined. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal strings, compared in constant time whatever their lengths (through fixed-size digests). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

/** Constant-time check that `given` is the lowercase or uppercase hex of `expected`. */
function sameHexDigest(given: string, expected: Buffer): boolean {
  if (!/^[0-9a-fA-F]+$/.test(given) || given.length !== expected.length * 2) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), expected);
}

export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** A hex HMAC-SHA256 in `header`, optionally after a `sha256=` prefix (GitHub's style). */
export function verifyHexSignature(
  request: SignedRequest,
  header: string,
  secret: string,
  signedParts: (string | Buffer)[] = [request.body],
): Verdict {
  const given = headerValue(request.headers, header)?.trim();
  if (!given) return refused(`the ${header} header is missing`);
  const hex = given.toLowerCase().startsWith('sha256=') ? given.slice('sha256='.length) : given;
  return sameHexDigest(hex, hmacSha256(secret, ...signedParts))
    ? VERIFIED
    : refused(`the ${header} signature does not match the body`);
}

/** A Unix-seconds timestamp header within `tolerance` seconds of now. */
export function verifyTimestamp(
  request: SignedRequest,
  header: string,
  tolerance: number,
): Verdict & { value?: string } {
  const value = headerValue(request.headers, header)?.trim();
  if (!value) return refused(`the ${header} header is missing`);
  if (!/^\d{1,12}$/.test(value)) return refused(`the ${header} header is not a Unix timestamp`);
  const skew = Math.abs(request.now.getTime() / 1000 - Number(value));
  if (skew > tolerance) return refused(`the ${header} timestamp is more than ${tolerance}s from now`);
  return { ok: true, value };
}

/** The custom header holds the shared secret. */
export function verifyHeaderSecret(request: SignedRequest, expected: HeaderSecret): Verdict {
  const given = headerValue(request.headers, expected.name);
  if (given === undefined) return refused(`the ${expected.name} header is missing`);
  return sameSecret(given, expected.value) ? VERIFIED : refused(`the ${expected.name} header is wrong`);
}

/** Standard Webhooks' secrets: `whsec_` then base64 of the key bytes (at least 16 of them). */
export const standardWebhooksSecretSchema = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'a Standard Webhooks secret: whsec_ followed by base64')
  .describe('the sender’s signing secret, whsec_…');

/**
 * Standard Webhooks (https://www.standardwebhooks.com): webhook-signature holds space-separated
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` entries (several while a secret rotates); one
 * must match, and webhook-timestamp must be recent.
 */
export function verifyStandardWebhook(
  request: SignedRequest,
  secret: string,
  tolerance = DEFAULT_TOLERANCE_SECONDS,
): Verdict {
  const id = headerValue(request.headers, 'webhook-id');
  if (!id) return refused('the webhook-id header is missing');
  const timestamp = verifyTimestamp(request, 'webhook-timestamp', tolerance);
  if (!timestamp.ok) return timestamp;
  const signatures = headerValue(request.headers, 'webhook-signature');
  if (!signatures) return refused('the webhook-signature header is missing');
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = hmacSha256(key, `${id}.${timestamp.value}.`, request.body);
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? VERIFIED : refused('no webhook-signature matches the body');
}

/** Runs every check that is configured; the first refusal wins. */
export function allOf(...checks: (() => Verdict)[]): Verdict {
  for (const check of checks) {
    const verdict = check();
    if (!verdict.ok) return verdict;
  }
  return VERIFIED;
}

/**
 * A format's signing settings read from the stored config; a config that no longer parses refuses
 * every request rather than letting it through unchecked.
 */
export function verifyWith<T>(
  schema: z.ZodType<T>,
  config: unknown,
  check: (settings: T) => Verdict,
): Verdict {
  const parsed = schema.safeParse(config ?? {});
  if (!parsed.success) return refused('the integration’s signing settings are invalid');
  return check(parsed.data);
}
