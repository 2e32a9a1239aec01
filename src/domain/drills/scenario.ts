import { z } from 'zod';
import { Invalid } from '../../errors.ts';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import { windowSpecSchema } from '../maintenance/maintenance-window.ts';
import { lifecycleOf, type Plan, type Severity, severityOf, targetDurations } from '../plans/plan.ts';
import { TARGET_KINDS, type TargetKind } from '../plans/plan-schema.ts';
import { requiredPostmortemDue } from '../postmortems/open-postmortem.ts';
import { ALERT_SEVERITIES, serviceRulesSchema } from '../services/services.ts';
import { durationSchema } from '../workflows/workflow-schema.ts';

// A drill scenario: a scripted incident, each step at an offset from declaration on a virtual clock.
export const STEP_ACTIONS = [
  'declare',
  'acknowledge',
  'triage',
  'assign',
  'update',
  'approve',
  'reject',
  'transition',
  'mitigate',
  'hypothesis',
  'note',
  'affected',
  'severity',
  'type',
  'resolve',
  'set',
  'wait',
  'alert',
  'link',
  'merge',
  'postmortem',
] as const;

const offset = z
  .union([z.literal('0'), durationSchema, z.iso.datetime({ offset: true })])
  .describe('time since the drill started (e.g. 4m), or a wall-clock time (2026-01-10T03:00:00Z)');

export const DEFAULT_START = '2026-01-05T10:00:00Z';

/** An alert a step sends through the real ingest operation, as a monitoring tool would. */
export const drillAlertSchema = z.strictObject({
  key: z.string().min(1).max(255).describe('dedup key: a repeat of an open alert deduplicates'),
  action: z.enum(['trigger', 'acknowledge', 'resolve']).default('trigger'),
  summary: z.string().min(1).optional().describe('default: the key'),
  severity: z.enum(ALERT_SEVERITIES).default('critical').describe('the sender’s severity'),
  labels: z.record(z.string(), z.string()).optional(),
});

export const stepSchema = z.strictObject({
  at: offset,
  do: z.enum(STEP_ACTIONS),
  audience: z.enum(['internal', 'external']).optional().describe('update: internal or external'),
  text: z.string().optional().describe('note, update (every language gets it) or hypothesis text'),
  texts: z
    .record(z.string(), z.string().min(1))
    .optional()
    .describe('update: the text per language (e.g. en and am), instead of text in every language'),
  to: z
    .string()
    .optional()
    .describe(
      'transition: the next state; severity: the new severity; type: the new incident type (none clears it); ' +
        'postmortem: in_review or published (default: published, through review)',
    ),
  role: z.string().optional().describe('assign: the plan role; approve: the role or group approved for'),
  user: z
    .string()
    .optional()
    .describe(
      'assign, approve, reject: the drill user (created if missing); approve and reject decide the latest ' +
        'pending action approval request (approvals.actions), else approve the latest waiting update',
    ),
  fields: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('set: custom fields to set on the incident'),
  labels: z.record(z.string(), z.string()).optional().describe('set: labels to set on the incident'),
  emails: z
    .array(z.email())
    .min(1)
    .optional()
    .describe('affected: email addresses of customers the incident affects (customers: affected groups)'),
  nextUpdate: durationSchema
    .optional()
    .describe('update: when the next update of the audience comes, from now (the author sets it)'),
  as: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,59}$/, 'a user handle')
    .optional()
    .describe('who does the step (a drill user, created if missing); default: the drill commander'),
  into: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'merge: the incident the drill’s incident is merged into, by the order the drill opened them (2 = the second)',
    ),
  with: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('link: the incident the drill’s incident is linked with, by the order the drill opened them'),
  alert: drillAlertSchema
    .optional()
    .describe('alert: the alert sent to the scenario’s service (routing, dedup and reopen rules apply)'),
});

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal('tocsin.dev/v1').default('tocsin.dev/v1'),
    kind: z.literal('Drill').default('Drill'),
    metadata: z.strictObject({ name: z.string().min(1), description: z.string().optional() }).optional(),
    severity: z.string().optional().describe('default: the plan’s first (most severe) severity'),
    type: z.string().optional().describe('the incident type the drill declares with (types[].id)'),
    title: z.string().min(1).default('Drill: checkout is failing for all customers'),
    start: z.iso.datetime().optional().describe('virtual start time (UTC); default Monday 2026-01-05 10:00'),
    service: z.string().optional(),
    customerFacing: z.boolean().default(true),
    labels: z.record(z.string(), z.string()).default({}),
    users: z
      .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/, 'a user handle'))
      .default([])
      .describe('drill users created before the incident, so plan groups that list them find them'),
    subscribers: z
      .array(z.strictObject({ email: z.email().max(254), language: z.string().min(2).max(20).optional() }))
      .max(20)
      .default([])
      .describe(
        'status page email subscribers, subscribed and confirmed before the incident: the notices each external update queues for them are listed',
      ),
    serviceRules: serviceRulesSchema
      .optional()
      .describe('the rules of the drill’s service (kind: Service rules) its alert steps go through'),
    maintenance: z
      .array(windowSpecSchema)
      .max(10)
      .default([])
      .describe(
        'maintenance windows (kind: MaintenanceWindow specs) on the scenario’s service, applied when the drill starts',
      ),
    steps: z.array(stepSchema).min(1),
  })
  .superRefine((scenario, issues) => {
    const start = Date.parse(scenario.start ?? DEFAULT_START);
    // Windows act on the service's alerts and pages: without an alert step there is no service.
    if (scenario.maintenance.length > 0 && !scenario.steps.some((s) => s.do === 'alert'))
      issues.addIssue({
        code: 'custom',
        path: ['maintenance'],
        message: 'maintenance windows cover the service’s alerts: add an alert step',
      });
    scenario.steps.forEach((step, i) => {
      if (step.do === 'alert' && !step.alert)
        issues.addIssue({
          code: 'custom',
          path: ['steps', i, 'alert'],
          message: 'an alert step needs `alert: {key: …}`',
        });
      if (step.alert && step.do !== 'alert')
        issues.addIssue({
          code: 'custom',
          path: ['steps', i, 'alert'],
          message: 'only an `alert` step sends an alert',
        });
      const other = step.do === 'merge' ? 'into' : step.do === 'link' ? 'with' : undefined;
      if (other && step[other] === undefined)
        issues.addIssue({
          code: 'custom',
          path: ['steps', i, other],
          message: `a ${step.do} step needs \`${other}: N\` (the Nth incident the drill opened)`,
        });
      if (isWallClock(step.at) && Date.parse(step.at) < start)
        issues.addIssue({
          code: 'custom',
          path: ['steps', i, 'at'],
          message: `${step.at} is before the drill starts (${new Date(start).toISOString()})`,
        });
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof stepSchema>;

/** A wall-clock `at` (an ISO time) rather than an offset from the start. */
function isWallClock(at: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(at);
}

/** When a step happens, in ms after the drill's start (a wall-clock `at` counts from `start`). */
export function stepOffsetMs(step: ScenarioStep, start: Date = new Date(DEFAULT_START)): number {
  if (step.at === '0') return 0;
  return isWallClock(step.at) ? Date.parse(step.at) - start.getTime() : parseDuration(step.at);
}

/** Picks the scenario's severity: the one named, else the plan's first. */
export function drillSeverity(plan: Plan, requested?: string): Severity {
  const id = requested ?? plan.severities[0]?.id;
  const severity = id ? severityOf(plan, id) : undefined;
  if (!severity) {
    const message = `severity ${JSON.stringify(id)} is not in plan ${plan.metadata.name}`;
    throw new Invalid(message, [{ path: 'severity', message }]);
  }
  return severity;
}

const at = (ms: number) => (ms <= 0 ? '0' : formatDuration(Math.round(ms / 1000) * 1000));

const MINUTE = 60_000;

/**
 * The default scenario meets every target of the severity: each milestone happens at 40% of its
 * target (milestones without one at a default time, squeezed into a short resolve target), the
 * acknowledgement comes no later than the first other milestone, updates of each audience come at
 * 80% of their cadence until resolution, every plan role is assigned, and the incident walks the
 * lifecycle in order as far as its transitions allow.
 */
export function defaultScenario(plan: Plan, severityId?: string): Scenario {
  const severity = drillSeverity(plan, severityId);
  const targets = targetDurations(plan, severity);
  const resolveAt = within(targets.resolve ?? 2 * 60 * MINUTE);
  // A milestone's time: 40% of its target, else its default, but never later than `share` of the
  // way to resolution, so a plan with a short resolve target still gets everything in before it.
  const when = (kind: TargetKind, fallback: number, share: number) => {
    const target = targets[kind];
    return target !== undefined
      ? within(target)
      : Math.min(within(fallback), Math.max(MINUTE, Math.floor(resolveAt * share)));
  };
  // Each audience's first update comes within its cadence too: the engine counts that from declaration.
  const internalEvery = everyOf(severity, 'internal');
  const externalEvery = everyOf(severity, 'external');
  const firstUpdate = Math.min(when('firstUpdate', 30 * MINUTE, 0.3), internalEvery);
  const external = targets.statusPage !== undefined || severity.cadence.external !== undefined;
  const statusPage = Math.min(when('statusPage', targets.firstUpdate ?? 30 * MINUTE, 0.3), externalEvery);
  const targeted = TARGET_KINDS.filter((k) => k !== 'acknowledge' && targets[k] !== undefined).map((k) =>
    within(targets[k] as number),
  );
  // Acknowledged before anything else happens.
  const ack = Math.min(
    when('acknowledge', 5 * MINUTE, 0.1),
    ...targeted,
    firstUpdate,
    external ? statusPage : Number.POSITIVE_INFINITY,
  );
  const triage = Math.max(ack, when('triage', 15 * MINUTE, 0.2));
  const mitigate = Math.max(triage, when('mitigate', 60 * MINUTE, 0.6));
  const resolve = Math.max(mitigate, resolveAt);
  const steps: ScenarioStep[] = [
    { at: '0', do: 'declare' },
    { at: at(ack), do: 'acknowledge' },
  ];
  plan.roles.forEach((role) => {
    steps.push({ at: at(ack), do: 'assign', role: role.id, user: `drill-${role.id}`.slice(0, 60) });
  });
  steps.push({ at: at(triage), do: 'triage' });
  steps.push({ at: at(triage), do: 'hypothesis', text: 'The last deploy broke checkout' });
  const audiences: ['internal' | 'external', number, number][] = [['internal', firstUpdate, internalEvery]];
  if (external) audiences.push(['external', statusPage, externalEvery]);
  for (const [audience, first, every] of audiences) {
    for (let t = first; t < resolve; t += every) {
      steps.push({ at: at(t), do: 'update', audience, text: `Drill ${audience} update` });
      // The plan's approvers approve it at once: one drill user per role or group.
      for (const who of plan.approvals[audience]) {
        steps.push({ at: at(t), do: 'approve', role: who, user: `drill-${who}`.slice(0, 60) });
      }
    }
  }
  steps.push({ at: at(mitigate), do: 'mitigate' });
  const walk = lifecycleWalk(plan);
  walkTimes(plan, walk, triage, resolve).forEach((t, i) => {
    steps.push({ at: at(t), do: 'transition', to: walk[i] as string });
  });
  steps.push({ at: at(resolve), do: 'resolve' });
  // A post-mortem the plan requires is published well within its due time (at most an hour on).
  const postmortemDue = requiredPostmortemDue(
    plan,
    { severity: severity.id, declared_at: new Date(0), fields: {} },
    new Date(resolve),
  );
  if (postmortemDue !== undefined) {
    const after = postmortemDue ? Math.min(within(parseDuration(postmortemDue)), 60 * MINUTE) : MINUTE;
    steps.push({ at: at(resolve + after), do: 'postmortem' });
  }
  return scenarioSchema.parse({
    metadata: { name: `${plan.metadata.name}-all-targets-met` },
    severity: severity.id,
    steps: sortSteps(steps),
  });
}

/**
 * When the walk enters each state: evenly between triage and resolution, except that the plan's
 * verification state (verification.state, monitoring by default) is entered early enough to watch
 * for verification.monitorFor before resolving, when that fits.
 */
function walkTimes(plan: Plan, walk: string[], triage: number, resolve: number): number[] {
  const even = walk.map((_, i) => triage + ((resolve - triage) * (i + 1)) / (walk.length + 1));
  const monitorFor = plan.verification?.monitorFor;
  const k = walk.indexOf(plan.verification?.state ?? 'monitoring');
  if (!monitorFor || k < 0) return even;
  const watchFrom = resolve - parseDuration(monitorFor) - MINUTE;
  if (watchFrom <= triage || watchFrom >= (even[k] as number)) return even;
  // States before it share the time up to watchFrom; states after it come in the last minute.
  return walk.map((_, i) =>
    i < k
      ? triage + ((watchFrom - triage) * (i + 1)) / (k + 1)
      : i === k
        ? watchFrom
        : resolve - MINUTE / 2 + ((MINUTE / 2) * (i - k)) / (walk.length - k + 1),
  );
}

/** 40% of a duration, at least a minute: comfortably inside a target. */
function within(ms: number): number {
  return Math.max(MINUTE, Math.floor(ms * 0.4));
}

/**
 * The states between initial and resolved that the incident passes through: each in the plan's
 * order when the transitions allow it from where the walk stands, and the walk must end next to
 * resolved. When the greedy walk cannot reach resolved, the shortest legal path is used instead.
 */
export function lifecycleWalk(plan: Plan): string[] {
  const life = lifecycleOf(plan);
  const middle = life.states.filter((s) => s !== life.initial && s !== life.resolved);
  const greedy: string[] = [];
  let current = life.initial;
  for (const state of middle) {
    if (life.canTransition(current, state)) {
      greedy.push(state);
      current = state;
    }
  }
  if (life.canTransition(current, life.resolved)) return greedy;
  // Breadth-first from initial: the first path that can step into resolved.
  const queue: string[][] = [[life.initial]];
  const seen = new Set([life.initial]);
  for (let path = queue.shift(); path; path = queue.shift()) {
    const last = path[path.length - 1] as string;
    if (life.canTransition(last, life.resolved)) return path.slice(1);
    for (const next of middle) {
      if (!seen.has(next) && life.canTransition(last, next)) {
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  throw new Error(`plan ${plan.metadata.name}: the lifecycle cannot reach ${life.resolved}`);
}

/** 80% of the audience's shortest cadence (by age or state too; at least a minute), or never. */
function everyOf(severity: Severity, audience: 'internal' | 'external'): number {
  const c = severity.cadence;
  const all = [
    c[audience],
    ...(c.byAge ?? []).map((s) => s[audience]),
    ...Object.values(c.byState ?? {}).map((s) => s[audience]),
  ]
    .filter((d): d is string => d !== undefined && d !== 'none')
    .map(parseDuration);
  return all.length > 0 ? Math.max(MINUTE, Math.floor(Math.min(...all) * 0.8)) : Number.POSITIVE_INFINITY;
}

export function sortSteps(steps: ScenarioStep[], start?: Date): ScenarioStep[] {
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => stepOffsetMs(a.s, start) - stepOffsetMs(b.s, start) || a.i - b.i)
    .map(({ s }) => s);
}

export { TARGET_KINDS };
