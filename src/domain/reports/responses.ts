import { z } from 'zod';
import { GROUPINGS, MOMENTS } from './reports.ts';

// What the report routes answer as JSON, for the OpenAPI document (and the console's generated
// types); ?format=csv answers text/csv instead. The serializer checks each answer against these.

const period = z.object({
  from: z.date().describe('ISO 8601'),
  to: z.date().describe('ISO 8601'),
  plan: z.string().nullable(),
  include_exercises: z.boolean().describe('exercise incidents counted (include_exercises=true)'),
});

const stats = z.object({
  count: z.number(),
  mean_ms: z.number().nullable(),
  median_ms: z.number().nullable(),
  p90_ms: z.number().nullable(),
});

const definition = z.object({ from: z.enum(MOMENTS), to: z.enum(MOMENTS) });

export const metricsReportAnswer = z.object({
  period,
  definitions: z
    .object({ mttd: definition, mtta: definition, mttr: definition })
    .describe("where each metric starts and stops (the plan's goals.<metric>.from/to)"),
  rows: z.array(
    z.object({
      group_by: z.enum(GROUPINGS),
      group: z.string().nullable().describe('the severity, service or team; null for all'),
      incidents: z.number(),
      resolved: z.number(),
      mttd: stats,
      mtta: stats,
      mttr: stats,
    }),
  ),
});

export const complianceReportAnswer = z.object({
  period,
  rows: z.array(
    z.object({
      target: z.string(),
      severity: z.string().nullable().describe('null: every severity together'),
      met: z.number(),
      breached: z.number(),
      pending: z.number(),
      rate: z.number().nullable().describe('met / (met + breached); null when nothing was decided'),
    }),
  ),
});

export const goalsReportAnswer = z.object({
  period,
  plan: z.string().nullable(),
  goals: z.array(
    z.object({
      goal: z.string(),
      severity: z.string().nullable(),
      description: z.string(),
      target: z.number().describe('a duration in ms, or the most incidents per quarter'),
      actual: z.number().nullable(),
      met: z.boolean().nullable().describe('null: nothing to judge in the period'),
    }),
  ),
});
