import { z } from 'zod';
import type { EscalationStep } from '../../db/schema.ts';
import { parseDuration } from '../../lib/duration.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';

// An escalation policy (like PagerDuty's and GoAlert's): ordered steps, each naming users, schedules
// (whoever is on call at that moment) and teams, and how long the step waits for an acknowledgement
// before the next; `repeat` runs the steps again from the top. A service names one; paging that
// service's incidents follows it instead of the plan's default.

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'lower-case letters, digits, ".", "_" or "-", at most 63');
const refs = (what: string) => z.array(z.string().min(1).max(100)).max(50).default([]).describe(what);

export const policyStepSchema = z
  .strictObject({
    users: refs('user handles'),
    schedules: refs('schedule names: whoever is on call when the step runs'),
    teams: refs('team names: every member'),
    shadows: refs(
      'shadow recipients: user handles or schedule:<name>; they get every page of the step, marked shadow, ' +
        'for training, cannot acknowledge and never stop the escalation',
    ),
    escalateAfter: durationSchema
      .default('5m')
      .describe('how long this step waits for an acknowledgement before the next step'),
  })
  .refine((s) => s.users.length + s.schedules.length + s.teams.length > 0, {
    message: 'a step names at least one user, schedule or team',
  });

export const policyInputSchema = z.strictObject({
  name,
  description: z.string().max(1000).default(''),
  steps: z.array(policyStepSchema).min(1).max(20),
  repeat: z.number().int().min(0).max(9).default(0).describe('how many more times the steps run'),
});
export type PolicyInput = z.input<typeof policyInputSchema>;
export type PolicyData = z.output<typeof policyInputSchema>;

/** The stored form: steps with targets, as the paging engine reads them. */
export function toSteps(data: PolicyData): EscalationStep[] {
  return data.steps.map((s) => ({
    escalateAfterSeconds: parseDuration(s.escalateAfter) / 1000,
    targets: [
      ...s.users.map((n) => ({ type: 'user' as const, name: n })),
      ...s.schedules.map((n) => ({ type: 'schedule' as const, name: n })),
      ...s.teams.map((n) => ({ type: 'team' as const, name: n })),
    ],
    ...(s.shadows.length > 0 ? { shadows: s.shadows.map(shadowTarget) } : {}),
  }));
}

/** A stored step's shadow reference: a user handle (or user:<handle>) or schedule:<name>. */
export function shadowTarget(ref: string): { type: 'user' | 'schedule'; name: string } {
  return ref.startsWith('schedule:')
    ? { type: 'schedule', name: ref.slice('schedule:'.length) }
    : { type: 'user', name: ref.replace(/^user:/, '') };
}

/** Back to the input form (for the API, diffs and `tocsin apply`). */
export function fromSteps(steps: EscalationStep[]): PolicyData['steps'] {
  const pick = (s: EscalationStep, type: string) =>
    s.targets.filter((t) => t.type === type).map((t) => t.name);
  return steps.map((s) => ({
    users: pick(s, 'user'),
    schedules: pick(s, 'schedule'),
    teams: pick(s, 'team'),
    shadows: (s.shadows ?? []).map((t) => (t.type === 'schedule' ? `schedule:${t.name}` : t.name)),
    escalateAfter: formatSeconds(s.escalateAfterSeconds),
  }));
}

function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0 && seconds > 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
