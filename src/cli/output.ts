import { formatTable } from '../lib/table.ts';

// Output helpers shared by every command: JSON for scripts, aligned tables for people.
export { formatTable };

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  process.stdout.write(`${formatTable(headers, rows)}\n`);
}

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`${message}\n`);
}

/** Resolves once everything written to the stream so far has been handed to the OS (or the reader left). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('error', () => resolve());
    // The callback of an empty write runs after every chunk queued before it.
    stream.write('', () => resolve());
  });
}

/**
 * Ends the process once stdout and stderr have drained: process.exit() alone drops what a pipe has
 * not taken yet (stdout to a pipe is asynchronous), cutting `tocsin … --json | jq` at 64 KiB.
 */
export async function exitWhenDrained(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

/**
 * A reader that leaves early (`tocsin … | head`) closes the pipe; the next write then fails with
 * EPIPE, which Node raises as an unhandled error and a stack trace. Like a Unix tool killed by
 * SIGPIPE, stop quietly instead: the reader has what it wanted.
 */
export function stopQuietlyWhenReaderLeaves(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
}

/** A list with more pages says how to get the next one, on stderr so piped output stays the rows. */
export function printNextPage(next: string | null | undefined): void {
  if (next) process.stderr.write(`more: repeat with --cursor ${next}\n`);
}
