import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { isOutboundAllowEntry, loadEnv } from '../config/env.ts';

// Outbound HTTP from Tocsin (HTTP checks, vendor status pages, webhooks) goes to URLs that users
// type in. Unguarded, anyone allowed to create a check could make Tocsin probe its own network —
// cloud metadata at 169.254.169.254, the database, admin ports: server-side request forgery. So every
// outbound request resolves its host first and refuses any address that is not public unicast,
// unless TOCSIN_OUTBOUND_ALLOW lists it (CIDRs and host names: a self-hoster's intranet hooks, the
// loopback fakes of tests) or TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true allows every target.
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
  /** TOCSIN_OUTBOUND_ALLOW: the non-public targets allowed anyway (see outboundAllowList). */
  allow?: OutboundAllowList | undefined;
  /** Host name → addresses; default: the system resolver, every address it returns. */
  resolve?: ((host: string) => Promise<string[]>) | undefined;
}

/**
 * Exceptions to the guard: address ranges whose addresses are allowed, and host names allowed
 * whatever they resolve to (an operator naming `hooks.internal.example` trusts that name; anything
 * else resolving into the intranet is still refused, so DNS cannot smuggle a target in).
 */
export interface OutboundAllowList {
  ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][];
  /** Lower-case host names; `*.example.com` entries are kept as `.example.com` (subdomains only). */
  hosts: string[];
}

/** Compiles TOCSIN_OUTBOUND_ALLOW entries; a bare address counts as a range of one (/32, /128). */
export function outboundAllowList(entries: readonly string[]): OutboundAllowList {
  const list: OutboundAllowList = { ranges: [], hosts: [] };
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (ipaddr.isValidCIDR(entry)) {
      const [address, bits] = ipaddr.parseCIDR(entry);
      list.ranges.push([address, bits]);
    } else if (ipaddr.isValid(entry)) {
      const address = ipaddr.parse(entry);
      list.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    } else if (isOutboundAllowEntry(entry)) {
      list.hosts.push(normalHost(entry).replace(/^\*/, ''));
    } else {
      throw new OutboundRefused(`not a CIDR, IP address or host name: ${JSON.stringify(entry)}`);
    }
  }
  return list;
}

const normalHost = (host: string) => host.toLowerCase().replace(/\.$/, '');

function hostAllowed(host: string, allow: OutboundAllowList | undefined): boolean {
  if (!allow) return false;
  const name = normalHost(host);
  return allow.hosts.some((h) => (h.startsWith('.') ? name.endsWith(h) : name === h));
}

function addressAllowed(address: string, allow: OutboundAllowList | undefined): boolean {
  if (!allow || allow.ranges.length === 0) return false;
  // The same unwrapping as addressRange: ::ffff:10.0.0.1 is matched as 10.0.0.1.
  const parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  return allow.ranges.some(([base, bits]) => inRange(parsed, base, bits));
}

function inRange(address: ipaddr.IPv4 | ipaddr.IPv6, base: ipaddr.IPv4 | ipaddr.IPv6, bits: number): boolean {
  if (address.kind() !== base.kind()) return false;
  return address.kind() === 'ipv4'
    ? (address as ipaddr.IPv4).match(base as ipaddr.IPv4, bits)
    : (address as ipaddr.IPv6).match(base as ipaddr.IPv6, bits);
}

/** The policy the environment sets (TOCSIN_ALLOW_PRIVATE_WEBHOOKS, TOCSIN_OUTBOUND_ALLOW). */
export function outboundPolicyFromEnv(): OutboundPolicy {
  const env = loadEnv();
  return {
    allowPrivate: env.TOCSIN_ALLOW_PRIVATE_WEBHOOKS,
    allow: outboundAllowList(env.TOCSIN_OUTBOUND_ALLOW ?? []),
  };
}

const ALLOW_HINT =
  'list it in TOCSIN_OUTBOUND_ALLOW or set TOCSIN_ALLOW_PRIVATE_WEBHOOKS=true to allow private targets';

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
 * its host is on the allow-list or every address it resolves to is public or in an allowed range.
 * Throws OutboundRefused otherwise; a host that does
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
  if (!isIP(host) && hostAllowed(host, policy.allow)) return url;
  const addresses = isIP(host) ? [host] : await abortable((policy.resolve ?? systemResolve)(host), signal);
  if (addresses.length === 0) throw new OutboundRefused(`${host} does not resolve to any address`);
  for (const address of addresses) {
    const range = addressRange(address);
    if (range !== 'unicast' && !addressAllowed(address, policy.allow)) {
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
