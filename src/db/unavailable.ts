// What says "the store is not answering right now" rather than "this request is wrong": the HTTP
// answer (503, so senders such as Alertmanager retry: src/http/error-mapping.ts) and the ingest group
// commit (no request-by-request retry of a batch that failed so: group-commit.ts) read it here.

// PostgreSQL error classes that mean "the store is not reachable right now": connection exceptions
// (08), insufficient resources (53), operator intervention (57P0x: shutdown, crash), system errors (58).
export const UNAVAILABLE_PG = /^(08|53|57P0|58)/;

/** statement_timeout cancelled the query: the store is too slow or frozen right now. */
export const STATEMENT_TIMEOUT = '57014';

// Socket-level failures reaching PostgreSQL.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The connection to PostgreSQL broke. pg reports some of these without a code: "Connection terminated
 * unexpectedly", and "Client has encountered a connection error and is not queryable" — which is what
 * a transaction throws when the server went away mid-transaction (Kysely's ROLLBACK on the dead
 * connection fails and that error replaces the original one).
 */
export function isConnectionLoss(e: { code?: string | undefined; message?: string | undefined }): boolean {
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  const message = e.message ?? '';
  return (
    message.includes('Connection terminated') ||
    message.includes('is not queryable') ||
    // pg-pool: no connection within connectionTimeoutMillis; pg: no answer within query_timeout.
    message.includes('timeout exceeded when trying to connect') ||
    message.includes('Query read timeout')
  );
}

/** The store failed to serve the query (unreachable, frozen, shutting down, timed out), whatever it was. */
export function storeUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && (UNAVAILABLE_PG.test(code) || code === STATEMENT_TIMEOUT)) return true;
  return isConnectionLoss({ code, message: typeof e.message === 'string' ? e.message : undefined });
}
