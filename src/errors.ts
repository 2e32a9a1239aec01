// Typed errors raised by operations. src/http/error-mapping.ts is the one place that turns them into
// HTTP answers; the CLI prints their message.
export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly code: string = 'internal';
  readonly details: ErrorDetail[];
  constructor(message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFound extends AppError {
  override readonly code = 'not_found';
  constructor(entity: string, id: string | number) {
    super(`${entity} ${JSON.stringify(String(id))} not found`);
  }
}

export class Conflict extends AppError {
  override readonly code = 'conflict';
}

export class Invalid extends AppError {
  override readonly code = 'invalid';
}

export class Unauthorized extends AppError {
  override readonly code = 'unauthorized';
}

export class Forbidden extends AppError {
  override readonly code = 'forbidden';
}

export class Unavailable extends AppError {
  override readonly code = 'unavailable';
}

/** Asked again too soon or too often (a verification code resend, too many wrong codes): 429. */
export class RateLimited extends AppError {
  override readonly code = 'rate_limited';
  /** Seconds until a retry may succeed: sent as Retry-After. */
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, details: ErrorDetail[] = [], retryAfterSeconds?: number) {
    super(message, details);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
