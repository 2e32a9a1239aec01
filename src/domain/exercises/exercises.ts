import { z } from 'zod';
import type { Row } from '../../db/schema.ts';

// Exercises: a tabletop exercise or a game day, scheduled against a live plan. At its time it
// declares an incident marked exercise under the plan's current version: real paging, real
// messages, each saying [EXERCISE]; reports leave such incidents out unless include_exercises.

export type Exercise = Row<'exercises'>;

export const EXERCISE_MARK = '[EXERCISE]';

/** The incident title of an exercise: marked once, at the front. */
export function exerciseTitle(title: string): string {
  return title.startsWith(EXERCISE_MARK) ? title : `${EXERCISE_MARK} ${title}`;
}

/** Where an exercise stands: scheduled (to start), started, cancelled, or failed (could not start). */
export function exerciseState(e: Exercise): 'scheduled' | 'started' | 'cancelled' | 'failed' {
  if (e.started_at) return 'started';
  if (e.cancelled_at) return 'cancelled';
  if (e.failed_at) return 'failed';
  return 'scheduled';
}

export const exerciseIdSchema = z.strictObject({ id: z.string().regex(/^\d{1,18}$/, 'an exercise id') });

export const scheduleExerciseSchema = z.strictObject({
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .describe('the live plan the exercise runs against'),
  kind: z.enum(['tabletop', 'game_day']).describe('tabletop: talk it through; game_day: break it for real'),
  title: z.string().trim().min(1).max(200).describe('the scenario in a line (the incident title)'),
  severity: z.string().min(1).max(63).describe('a severity id of the plan: whom it pages'),
  service: z.string().trim().min(1).max(200).optional(),
  scenario: z.string().max(10_000).default('').describe('what happens, for the facilitator (Markdown)'),
  scheduled_at: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('when it starts (declares its incident); default: now'),
});
export type ScheduleExerciseInput = z.input<typeof scheduleExerciseSchema>;

export const listExercisesQuerySchema = z.strictObject({
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .optional(),
});
