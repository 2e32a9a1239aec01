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
