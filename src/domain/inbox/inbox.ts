import { z } from 'zod';

// The in-app inbox: what Tocsin sent a person, readable in Tocsin itself (API, CLI, console). Every
// page lands here as well as on the person's own channels, so a page reaches someone even when no
// provider is configured or their phone is off.

export interface InboxItem {
  id: string;
  incident_id: string | null;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
  url: string | null;
}

export const inboxQuerySchema = z.strictObject({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .describe('true: only items not yet read'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('newest first, at most this many'),
});

export const inboxIdSchema = z.string().regex(/^[0-9]{1,18}$/, 'an inbox item id');
