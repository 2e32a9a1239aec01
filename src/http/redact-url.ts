import type { FastifyRequest } from 'fastify';

// Secrets that travel in URLs must not reach the request log: acknowledge links, integration,
// deploy and heartbeat keys in the path, calendar feed tokens (and any key or token) in the query.

const REDACTED = '[redacted]';

/** Paths whose last segment is a secret; the capture keeps what precedes it. */
const SECRET_PATHS = [
  /^(\/ack\/)[^/?#]+/,
  /^(\/api\/v1\/heartbeats\/)[^/?#]+/,
  /^(\/api\/v1\/integrations\/[^/?#]+\/)[^/?#]+/,
];

const SECRET_PARAMS = new Set(['token', 'key', 'routing_key', 'integration_key', 'secret', 'code']);

export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  let path = q >= 0 ? url.slice(0, q) : url;
  for (const pattern of SECRET_PATHS) path = path.replace(pattern, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = decodeSafely(eq >= 0 ? pair.slice(0, eq) : pair).toLowerCase();
      return SECRET_PARAMS.has(name) && eq >= 0 ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Fastify's request serializer (what "incoming request" logs), with the URL redacted. */
export function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}
