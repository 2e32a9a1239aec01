import { z } from 'zod';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import { lifecycleOf, type Plan, type Severity, severityOf, targetDurations } from '../plans/plan.ts';
import { TARGET_KINDS } from '../plans/plan-schema.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';

// A drill scenario: a scripted incident, each step at an offset from declaration on a virtual clock.
export const STEP_ACTIONS = [
  'declare',
  'acknowledge',
  'triage',
  'assign',
  'update',
  'transition',
  'mitigate',
  'hypothesis',
  'note',
  'severity',
  'resolve',
] as const;

const offset = z.union([z.literal('0'), durationSchema]).describe('time since declaration, e.g. 4m');

export const stepSchema = z.strictObject({
  at: offset,
  do: z.enum(STEP_ACTIONS),
  audience: z.enum(['internal', 'external']).optional().describe('update: internal or external'),
  text: z.string().optional().describe('note, update (every language gets it) or hypothesis text'),
  to: z.string().optional().describe('transition: the next state; severity: the new severity'),
  role: z.string().optional().describe('assign: the plan role'),
  user: z.string().optional().describe('assign: the drill user (created if missing)'),
});

export const scenarioSchema = z.strictObject({
  apiVersion: z.literal('tocsin.dev/v1').default('tocsin.dev/v1'),
  kind: z.literal('Drill').default('Drill'),
  metadata: z.strictObject({ name: z.string().min(1), description: z.string().optional() }).optional(),
  severity: z.string().optional().describe('default: the plan’s first (most severe) severity'),
  title: z.string().min(1).default('Drill: checkout is failing for all customers'),
  start: z.iso.datetime().optional().describe('virtual start time (UTC); default Monday 2026-01-05 10:00'),
  service: z.string().optional(),
  customerFacing: z.boolean().default(true),
  labels: z.record(z.string(), z.string()).default({}),
  steps: z.array(stepSchema).min(1),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof stepSchema>;

export const DEFAULT_START = '2026-01-05T10:00:00Z';

export function stepOffsetMs(step: ScenarioStep): number {
  return step.at === '0' ? 0 : parseDuration(step.at);
}

/** Picks the scenario's severity: the one named, else the plan's first. */
export function drillSeverity(plan: Plan, requested?: string): Severity {
  const id = requested ?? plan.severities[0]?.id;
  const severity = id ? severityOf(plan, id) : undefined;
  if (!severity) throw new Error(`severity ${JSON.stringify(id)} is not in plan ${plan.metadata.name}`);
  return severity;
}

const at = (ms: number) => (ms <= 0 ? '0' : formatDuration(Math.round(ms / 1000) * 1000));

/**
 * The default scenario meets every target of the severity: each milestone happens at 40% of its
 * target, updates of each audience come at 80% of their cadence until resolution, every plan role is
 * assigned, and the incident walks the lifecycle in order.
 */
export function defaultScenario(plan: Plan, severityId?: string): Scenario {
  const severity = drillSeverity(plan, severityId);
  const targets = targetDurations(severity);
  const within = (ms: number | undefined, fallback: number) =>
    Math.max(60_000, Math.floor((ms ?? fallback) * 0.4));
  const ack = within(targets.acknowledge, 5 * 60_000);
  const triage = Math.max(ack + 60_000, within(targets.triage, 15 * 60_000));
  const firstUpdate = Math.max(ack, within(targets.firstUpdate, 30 * 60_000));
  const statusPage = Math.max(ack, within(targets.statusPage ?? targets.firstUpdate, 30 * 60_000));
  const mitigate = Math.max(triage + 60_000, within(targets.mitigate, 60 * 60_000));
  const resolveAt = Math.max(mitigate + 120_000, within(targets.resolve, 2 * 60 * 60_000));
  const steps: ScenarioStep[] = [
    { at: '0', do: 'declare' },
    { at: at(ack), do: 'acknowledge' },
  ];
  plan.roles.forEach((role, i) => {
    steps.push({
      at: at(ack + (i + 1) * 1000),
      do: 'assign',
      role: role.id,
      user: `drill-${role.id}`.slice(0, 60),
    });
  });
  steps.push({ at: at(triage), do: 'triage' });
  steps.push({ at: at(triage + 30_000), do: 'hypothesis', text: 'The last deploy broke checkout' });
  const audiences: ['internal' | 'external', number, number | undefined][] = [
    ['internal', firstUpdate, cadenceMs(severity, 'internal')],
  ];
  if (targets.statusPage !== undefined || severity.cadence.external !== undefined) {
    audiences.push(['external', statusPage, cadenceMs(severity, 'external')]);
  }
  for (const [audience, first, cadence] of audiences) {
    const every = cadence ? Math.max(60_000, Math.floor(cadence * 0.8)) : undefined;
    for (let t = first; t < resolveAt; t += every ?? Number.POSITIVE_INFINITY) {
      steps.push({ at: at(t), do: 'update', audience, text: `Drill ${audience} update` });
      if (!every) break;
    }
  }
  steps.push({ at: at(mitigate), do: 'mitigate' });
  const life = lifecycleOf(plan);
  const middle = life.states.filter((s) => s !== life.initial && s !== life.resolved);
  middle.forEach((state, i) => {
    const t = triage + ((resolveAt - triage) * (i + 1)) / (middle.length + 1);
    steps.push({ at: at(t), do: 'transition', to: state });
  });
  steps.push({ at: at(resolveAt), do: 'resolve' });
  return scenarioSchema.parse({
    metadata: { name: `${plan.metadata.name}-all-targets-met` },
    severity: severity.id,
    steps: sortSteps(steps),
  });
}

function cadenceMs(severity: Severity, audience: 'internal' | 'external'): number | undefined {
  const c = severity.cadence[audience];
  return c ? parseDuration(c) : undefined;
}

export function sortSteps(steps: ScenarioStep[]): ScenarioStep[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => stepOffsetMs(a.s) - stepOffsetMs(b.s) || a.i - b.i)
    .map(({ s }) => s);
}

export { TARGET_KINDS };
