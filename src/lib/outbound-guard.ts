import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { loadEnv } from '../config/env.ts';

// Outbound HTTP from Tocsin (HTTP checks, vendor status pages, webhooks) goes to URLs that users
// type in. Unguarded, anyone allowed to create a check could make Tocsin probe its own network —
// cloud metadata at 169.254.169.254, the database, admin ports: server-side request forgery. So every
// outbound request resolves its host first and refuses any address that is not public unicast,
// unless TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true (self-hosters watching their own intranet, and tests).
//
// Redirects are never followed by fetch itself: each hop is checked like the first (a public URL
// answering "302 Location: http://127.0.0.1/" must not get through). What remains is the short window
// between our lookup and fetch's own (DNS rebinding); closing it would need a custom connector, which
// Node's built-in fetch does not expose.

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

export interface OutboundPolicy {
  /** TOCSIN_ALLOW_PRIVATE_WEBHOOKS: allow private, loopback, link-local … targets. */
  allowPrivate: boolean;
  /** Host name → addresses; default: the system resolver, every address it returns. */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
}

/** The policy the environment sets (TOCSIN_ALLOW_PRIVATE_WEBHOOKS). */
export function outboundPolicyFromEnv(): OutboundPolicy {
  return { allowPrivate: loadEnv().TOCSIN_ALLOW_PRIVATE_WEBHOOKS };
}

const ALLOW_HINT = 'set TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true to allow private targets';

async function systemResolve(host: string): Promise<string[]> {
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * "unicast" for a public address, otherwise the special range it is in (loopback, private,
 * linkLocal, uniqueLocal, carrierGradeNat, multicast, reserved …). IPv4-mapped IPv6 addresses
 * (::ffff:127.0.0.1) count as the IPv4 address they carry.
 */
export function addressRange(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!ipaddr.isValid(bare)) throw new OutboundRefused(`not an IP address: ${address}`);
  return ipaddr.process(bare).range();
}

export function isPublicAddress(address: string): boolean {
  return addressRange(address) === 'unicast';
}

/** Rejects with OutboundRefused when the signal aborts first (a DNS lookup cannot be cancelled). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The URL, parsed, if Tocsin may send to it: http(s) only, and (unless private targets are allowed)
 * every address its host resolves to is public. Throws OutboundRefused otherwise; a host that does
 * not resolve throws the resolver's error.
 */
export async function checkOutboundUrl(
  target: string | URL,
  policy: OutboundPolicy,
  signal?: AbortSignal | null,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new OutboundRefused(`not a URL: ${String(target)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new OutboundRefused(`only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (policy.allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await abortable((policy.resolve ?? systemResolve)(host), signal);
  if (addresses.length === 0) throw new OutboundRefused(`${host} does not resolve to any address`);
  for (const address of addresses) {
    const range = addressRange(address);
    if (range !== 'unicast') {
      const what = address === host ? address : `${host} (${address})`;
      throw new OutboundRefused(`refused: ${what} is a ${range} address; ${ALLOW_HINT}`);
    }
  }
  return url;
}

export interface GuardedFetchInit extends RequestInit {
  policy: OutboundPolicy;
  /** Redirects to follow, each checked like the first URL (default 5; 0 returns the 3xx itself). */
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * fetch() behind the guard: the target and every redirect hop are checked before a byte is sent.
 * A 303, or a 301/302 after a POST, continues as GET without a body (as browsers do).
 */
export async function guardedFetch(
  target: string | URL,
  init: GuardedFetchInit,
): Promise<{ response: Response; url: URL }> {
  const { policy, maxRedirects = 5, ...request } = init;
  let url = await checkOutboundUrl(target, policy, request.signal);
  let method = (request.method ?? 'GET').toUpperCase();
  let body = request.body;
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, { ...request, method, body: body ?? null, redirect: 'manual' });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null || hop >= maxRedirects) {
      return { response, url };
    }
    await response.body?.cancel();
    if (
      response.status === 303 ||
      ((response.status === 301 || response.status === 302) && method === 'POST')
    ) {
      method = 'GET';
      body = undefined;
    }
    url = await checkOutboundUrl(new URL(location, url), policy, request.signal);
  }
}
