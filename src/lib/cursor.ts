import { z } from 'zod';
import { Invalid } from '../errors.ts';

// Keyset pagination: a list answers `next`, an opaque cursor naming where the page ended (the sort
// key of its last row, to the microsecond, and its id); the next request passes it back as `cursor`
// and the query continues strictly after that key through the list's index, never counting skipped
// rows as OFFSET does. A row inserted meanwhile never shifts a later page.

export interface Cursor {
  /** The sort timestamp of the last row as PostgreSQL prints it (exact); absent for id-ordered lists. */
  at?: string | undefined;
  id: string;
}

const decoded = z.union([
  z.tuple([z.string().min(1).max(64), z.string().regex(/^\d{1,19}$/)]),
  z.tuple([z.string().regex(/^\d{1,19}$/)]),
]);

export const cursorParam = z
  .string()
  .max(200)
  .optional()
  .describe('the `next` value of the previous page: the page after it');

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c.at === undefined ? [c.id] : [c.at, c.id])).toString('base64url');
}

export function decodeCursor(text: string): Cursor {
  let parsed: z.infer<typeof decoded> | undefined;
  try {
    parsed = decoded.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    throw new Invalid('bad cursor', [
      { path: 'cursor', message: 'pass the `next` value of a previous page' },
    ]);
  }
  return parsed.length === 2 ? { at: parsed[0], id: parsed[1] } : { id: parsed[0] };
}

/** Both at once would be ambiguous: the cursor already says where the page starts. */
export function refuseOffsetWithCursor(q: {
  cursor?: string | undefined;
  offset?: number | undefined;
}): void {
  if (q.cursor !== undefined && q.offset) {
    throw new Invalid('offset and cursor together', [
      { path: 'offset', message: 'a cursor already says where the page starts: leave offset out' },
    ]);
  }
}

/**
 * A page from rows fetched with limit + 1: the extra row only tells that there is a next page.
 * cursorOf reads the sort key of a row.
 */
export function pageOf<T>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => Cursor,
): { items: T[]; next: string | null } {
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1] as T;
  return { items, next: encodeCursor(cursorOf(last)) };
}
