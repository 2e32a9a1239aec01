import { z } from 'zod';
import { patternProblem } from '../updates/guard-rails.ts';
import { COMPONENT_STATUSES, MAINTENANCE_STATUSES } from './status-page.ts';

// Inputs of the status-page operations, in the API's snake_case; the operations parse them again so
// the CLI, `tocsin apply` and workflows get the same checks as HTTP callers.

// PostgreSQL refuses NUL in text and lone surrogates in jsonb.
const isText = (s: string): boolean => !s.includes('\u0000') && !/\p{Cs}/u.test(s);
const str = () => z.string().refine(isText, 'must be text without NUL characters or broken Unicode');
const language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am');

export const componentNameSchema = str()
  .trim()
  .min(1)
  .max(100)
  .describe('The component’s name as readers see it; unique');

export const settingsInputSchema = z.strictObject({
  name: str().trim().min(1).max(100).describe('The page title, e.g. "Acme status"'),
  languages: z
    .array(language)
    .max(20)
    .default([])
    .describe('Languages readers switch between, in fallback order; empty: the languages of the plans'),
  guard_patterns: z
    .array(
      z.strictObject({
        name: str().trim().min(1).max(100),
        pattern: str()
          .min(1)
          .max(500)
          .refine((p) => patternProblem(p) === null, 'not a valid regular expression'),
      }),
    )
    .max(50)
    .default([])
    .describe('Patterns external updates must not contain, added to the built-in guard rails'),
});
export type SettingsInput = z.input<typeof settingsInputSchema>;

export const componentInputSchema = z.strictObject({
  name: componentNameSchema,
  description: str().max(1000).default(''),
  group: componentNameSchema.nullish().describe('the group (a component with group: true) it belongs to'),
  group_component: z.boolean().default(false).describe('true: this is a group of components'),
  position: z.number().int().min(0).max(10_000).default(0),
  only_show_if_degraded: z.boolean().default(false),
});
export type ComponentInput = z.input<typeof componentInputSchema>;

export const componentStatusSchema = z.enum(COMPONENT_STATUSES);
export const componentStatusInputSchema = z.strictObject({
  status: componentStatusSchema,
  incident_id: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'an incident id is a positive integer')
    .optional()
    .describe('the incident this change belongs to: the component is listed on it'),
});

const bodies = z
  .record(language, str().trim().min(1).max(20_000))
  .refine((m) => Object.keys(m).length > 0, 'at least one language')
  .describe('the text per language code');

export const maintenanceInputSchema = z.strictObject({
  name: str().trim().min(1).max(200),
  components: z.array(componentNameSchema).max(200).default([]),
  scheduled_for: z.iso.datetime({ offset: true }).optional().describe('default: now'),
  scheduled_until: z.iso.datetime({ offset: true }).nullish().describe('null: until someone completes it'),
  bodies: bodies.optional(),
  auto_start: z.boolean().default(true).describe('moves to in progress at scheduled_for'),
  auto_complete: z.boolean().default(true).describe('moves to completed at scheduled_until'),
  emergency: z
    .boolean()
    .default(false)
    .describe('starts now, in progress, with no end: emergency maintenance mode'),
});
export type MaintenanceInput = z.input<typeof maintenanceInputSchema>;

export const maintenanceUpdateInputSchema = z.strictObject({
  status: z.enum(MAINTENANCE_STATUSES).optional(),
  bodies: bodies.optional(),
});
