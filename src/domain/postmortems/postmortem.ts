import { z } from 'zod';
import type { PostmortemSection, Row } from '../../db/schema.ts';
import { isText } from '../incidents/inputs.ts';

// Post-mortems: one per incident, created when it resolves and its plan's severity requires one
// (severities[].postmortem.required). The sections are Markdown; the factual ones are drafted from
// the incident, the analysis ones start empty. A post-mortem goes draft → in_review → published.

export type { PostmortemSection };
export type PostmortemRow = Row<'postmortems'>;
export type PostmortemStatus = PostmortemRow['status'];

export interface Postmortem extends PostmortemRow {
  /** Past its due date and not published yet. */
  overdue: boolean;
}

/** The moves a post-mortem may make: review it, send it back to draft, publish it after review. */
export const STATUS_MOVES: Record<PostmortemStatus, PostmortemStatus[]> = {
  draft: ['in_review'],
  in_review: ['draft', 'published'],
  published: [],
};

/** The analysis sections every post-mortem has, empty at first: the team writes them. */
export const ANALYSIS_SECTIONS: readonly PostmortemSection[] = [
  { id: 'contributing-factors', title: 'Contributing factors', body: '' },
  {
    id: 'five-whys',
    title: '5 whys',
    body: '1. Why?\n2. Why?\n3. Why?\n4. Why?\n5. Why?\n',
  },
  { id: 'went-well', title: 'What went well', body: '' },
  { id: 'went-badly', title: 'What went badly', body: '' },
  { id: 'lessons', title: 'Lessons learned', body: '' },
];

export function isOverdue(pm: Pick<PostmortemRow, 'due_at' | 'status'>, now: Date): boolean {
  return pm.status !== 'published' && pm.due_at !== null && pm.due_at.getTime() < now.getTime();
}

export function withOverdue(pm: PostmortemRow, now: Date): Postmortem {
  return { ...pm, overdue: isOverdue(pm, now) };
}

/** A section id from a title the plan gives (postmortem.sections): "Root cause" → root-cause. */
export function sectionId(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'section'
  );
}

/** The lines under the title of an export: its status and due date. */
export function postmortemHeader(pm: Pick<PostmortemRow, 'status' | 'due_at'>): string[] {
  const head = [`Status: ${pm.status.replace('_', ' ')}`];
  if (pm.due_at) head.push(`Due: ${pm.due_at.toISOString()}`);
  return head;
}

/** The whole document as Markdown: the title, then each section under its own heading. */
export function toMarkdown(pm: Pick<PostmortemRow, 'title' | 'status' | 'due_at' | 'sections'>): string {
  const head = [`# ${pm.title}`, '', ...postmortemHeader(pm)];
  const body = pm.sections.map((s) => `## ${s.title}\n\n${s.body.trim() || '_To be written._'}\n`);
  return `${head.join('\n')}\n\n${body.join('\n')}`;
}

export const sectionIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a section id such as five-whys');

export const editPostmortemSchema = z
  .strictObject({
    title: z.string().refine(isText, 'must be text').trim().min(1).max(300).optional(),
    sections: z
      .record(sectionIdSchema, z.string().max(100_000).refine(isText, 'must be text without NUL characters'))
      .optional()
      .describe('section id → its new Markdown body; sections not named keep theirs'),
    root_cause_category: z
      .string()
      .refine(isText, 'must be text')
      .trim()
      .min(1)
      .max(100)
      .nullable()
      .optional()
      .describe(
        "one of the plan's postmortem.rootCauseCategories (any text when it lists none); null clears it",
      ),
  })
  .refine(
    (v) =>
      v.title !== undefined ||
      v.root_cause_category !== undefined ||
      (v.sections && Object.keys(v.sections).length > 0),
    { message: 'give a title, a root_cause_category or at least one section' },
  );
export type EditPostmortemBody = z.infer<typeof editPostmortemSchema>;

export const postmortemStatusSchema = z.enum(['draft', 'in_review', 'published']);
export const postmortemMoveSchema = z.strictObject({ to: postmortemStatusSchema });

export const listPostmortemsQuerySchema = z.strictObject({
  status: postmortemStatusSchema.optional(),
  overdue: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('true: only those past their due date and not published'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListPostmortemsQuery = z.infer<typeof listPostmortemsQuerySchema>;
