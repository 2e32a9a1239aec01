import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { isConnectionLoss, STATEMENT_TIMEOUT, UNAVAILABLE_PG } from '../db/unavailable.ts';
import { AppError, type ErrorDetail, RateLimited } from '../errors.ts';

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

const STATUS: Record<string, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

function zodDetails(error: ZodError, prefix = ''): ErrorDetail[] {
  const join = (parts: PropertyKey[]) => [prefix, ...parts.map(String)].filter(Boolean).join('.') || '(root)';
  return error.issues.flatMap((i) =>
    // An unknown field is reported at the field itself, so the caller sees which one to remove.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: join([...i.path, key]), message: 'unknown field' }))
      : [{ path: join(i.path), message: i.message }],
  );
}

function body(code: string, message: string, details: ErrorDetail[] = []): ErrorBody {
  return { error: { code, message, details } };
}

export interface MappedError {
  status: number;
  body: ErrorBody;
  /** Headers the answer carries (Retry-After on 429 and 503). */
  headers?: Record<string, string>;
}

/** A store that is not answering is usually back within seconds (a restart, a failover). */
export const STORE_RETRY_AFTER_SECONDS = 5;

/** The one place where errors become HTTP answers. */
export function mapError(error: unknown): MappedError {
  const mapped = mapErrorBody(error);
  if (mapped.status === 503)
    return { ...mapped, headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } };
  if (error instanceof RateLimited && error.retryAfterSeconds !== undefined) {
    return { ...mapped, headers: { 'retry-after': String(error.retryAfterSeconds) } };
  }
  return mapped;
}

function mapErrorBody(error: unknown): MappedError {
  if (error instanceof AppError) {
    return { status: STATUS[error.code] ?? 500, body: body(error.code, error.message, error.details) };
  }
  if (error instanceof ZodError) {
    // Request validation (see validatorCompiler in server.ts) tags where the bad value was.
    const where = (error as ZodError & { validationContext?: string }).validationContext;
    const message = where ? `the request ${where} is not valid` : 'the request is not valid';
    return { status: 400, body: body('invalid', message, zodDetails(error, where)) };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as { validationContext?: string }).validationContext ?? 'body';
    const details = error.validation.map((v) => ({
      path: [where, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return { status: 400, body: body('invalid', `the request ${where} is not valid`, details) };
  }
  const e = error as Partial<FastifyError> & { code?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: body('too_large', e.message ?? 'request body is too large') };
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: body('unsupported_media_type', 'send JSON with Content-Type: application/json'),
    };
  }
  if (typeof e.code === 'string' && UNAVAILABLE_PG.test(e.code)) {
    return { status: 503, body: body('unavailable', 'the store is unavailable; retry later') };
  }
  // statement_timeout cancelled the query: the store is too slow or frozen right now.
  if (e.code === STATEMENT_TIMEOUT) {
    return { status: 503, body: body('unavailable', 'the store did not answer in time; retry later') };
  }
  if (isConnectionLoss(e)) {
    return { status: 503, body: body('unavailable', 'the store is unavailable; retry later') };
  }
  if (e.code === '23505') return { status: 409, body: body('conflict', 'already exists') };
  // Malformed input values PostgreSQL refused (bad text, encoding, numbers or dates): the caller's fault.
  if (e.code !== undefined && ['22P02', '22P05', '22021', '22003', '22007', '22008'].includes(e.code)) {
    return { status: 400, body: body('invalid', 'a value is out of range or malformed') };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: body('invalid', e.message ?? 'bad request') };
  }
  return { status: 500, body: body('internal', 'internal error') };
}
