// Output helpers shared by every command: JSON for scripts, aligned tables for people.
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

export function printTable(headers: string[], rows: (string | number | null | undefined)[][]): void {
  process.stdout.write(`${formatTable(headers, rows)}\n`);
}

export function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${message}`);
  else process.stderr.write(`${message}\n`);
}

/** A list with more pages says how to get the next one, on stderr so piped output stays the rows. */
export function printNextPage(next: string | null | undefined): void {
  if (next) process.stderr.write(`more: repeat with --cursor ${next}\n`);
}
