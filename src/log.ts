import pino, { type Logger } from 'pino';

/** Structured JSON logs on stderr, so stdout stays free for CLI output and --json. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'tocsin' } }, pino.destination(2));
}
