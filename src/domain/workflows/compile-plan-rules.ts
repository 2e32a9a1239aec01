import { formatDuration, parseDuration } from '../../lib/duration.ts';
import {
  commanderRoleOf,
  type Plan,
  ROLE_ESCALATE_AFTER,
  ROLE_REMIND_AFTER,
  roleChain,
} from '../plans/plan.ts';
import { describeCadence, hasCadence } from '../updates/cadence.ts';
import type { Audience, Rule, RuleAction } from './rules.ts';
import { TARGET_NAMES, type TargetName, type WorkflowCondition } from './workflow-schema.ts';

// Fixed plan fields compile to rules of the same shape as the plan's own workflows, so one engine
// evaluates both: each target becomes a breach timer, each cadence an overdue reminder (and an early
// reminder with remindAfter), the status-page target a reminder ahead of its due time, a severity's
// `page` a page on declaration and each escalation tier an elapsed-time page. Stored plan versions
// come in today's shape (upgradeStoredPlan), so fields with defaults are always there.

const AUDIENCES: Audience[] = ['internal', 'external'];
/** How long before the status-page target is due its reminder goes out. */
export const STATUS_PAGE_REMINDER_BEFORE = '5m';

type Severity = Plan['severities'][number];

/** The role that gets plan reminders: the plan's commanderRole (default: its first role). */
export const commanderRole = commanderRoleOf;

/** Who is reminded about an audience's updates: the role the plan says posts them, else the commander. */
function updateOwner(plan: Plan, audience: Audience): string | undefined {
  return plan.communication?.[audience]?.by ?? commanderRole(plan);
}

function perSeverity(plan: Plan, pick: (s: Severity) => string | undefined): string {
  return plan.severities
    .map((s) => [s.id, pick(s)] as const)
    .filter(([, d]) => d !== undefined)
    .map(([id, d]) => `${id} ${d}`)
    .join(', ');
}

function remind(role: string | undefined, message: string): RuleAction {
  return { remind: { ...(role ? { role } : {}), message } };
}

/** Which incidents the status-page target applies to (the plan's statusPage.when). */
function statusPageCondition(plan: Plan): WorkflowCondition | undefined | null {
  const { when } = plan.statusPage;
  if (when === 'never') return null;
  return when === 'customer-facing' ? { customerFacing: true } : undefined;
}

function targetRules(plan: Plan): Rule[] {
  const targets = TARGET_NAMES.filter(
    (t) => plan.severities.some((s) => s.targets[t]) || plan.types.some((ty) => ty.targets?.[t]),
  );
  return targets.flatMap((target: TargetName): Rule[] => {
    const cond = target === 'statusPage' ? statusPageCondition(plan) : undefined;
    if (cond === null) return [];
    return [
      {
        name: `plan: ${target} target`,
        source: 'plan',
        description:
          `${target} target (${perSeverity(plan, (s) => s.targets[target])}): when its due time passes ` +
          'unmet, records the breach and a target.breached event',
        when: { target, before: '0s' },
        if: cond,
        then: [{ recordBreach: { target } }],
      },
    ];
  });
}

function cadenceRules(plan: Plan): Rule[] {
  return AUDIENCES.filter((a) => plan.severities.some((s) => hasCadence(s.cadence, a))).map((audience) => ({
    name: `plan: ${audience} update cadence`,
    source: 'plan',
    description:
      `${audience} updates every ${perSeverity(plan, (s) => (hasCadence(s.cadence, audience) ? describeCadence(s.cadence, audience) : undefined))}: when one is overdue ` +
      'while the incident is open, records update.overdue and reminds whoever posts them; again at each ' +
      'further interval without an update',
    when: { overdue: audience },
    then: [
      { recordOverdue: { audience } },
      remind(
        updateOwner(plan, audience),
        `${audience} update overdue for {title} ({severity}): it was due at {due_at}`,
      ),
    ],
  }));
}

/** cadence.remindAfter: a reminder that long after the last update of the audience, per severity. */
function earlyReminderRules(plan: Plan): Rule[] {
  return plan.severities.flatMap((s) =>
    AUDIENCES.flatMap((audience): Rule[] => {
      const after = s.cadence.remindAfter?.[audience];
      const every = s.cadence[audience];
      if (!after || !every) return [];
      // As far ahead of each due moment as remindAfter is ahead of the base cadence, so the reminder
      // follows the cadence in force (byAge, byState, "next update at").
      const ahead = parseDuration(every) - parseDuration(after);
      if (ahead <= 0) return [];
      return [
        {
          name: `plan: ${audience} update reminder ${s.id}`,
          source: 'plan',
          description: `${s.id}: remind ${formatDuration(ahead)} before the next ${audience} update is due (${after} after the last at the base cadence of ${every}; the cadence in force by age and state moves it)`,
          when: { overdue: audience, ahead: formatDuration(ahead) },
          if: { severity: s.id },
          then: [
            remind(
              updateOwner(plan, audience),
              `Time for the next ${audience} update on {title} ({severity})`,
            ),
          ],
        },
      ];
    }),
  );
}

/**
 * cadence.escalateAfter: when an update stays overdue that long past its cadence, page escalateTo
 * (default: the commander role) and tell the update owner. Once per missed update: a new update is
 * a new anchor, so the next miss escalates again.
 */
function cadenceEscalationRules(plan: Plan): Rule[] {
  return plan.severities.flatMap((s) =>
    AUDIENCES.flatMap((audience): Rule[] => {
      const after = s.cadence.escalateAfter?.[audience];
      const every = s.cadence[audience];
      if (!after || !every) return [];
      const commander = commanderRole(plan);
      const who = s.cadence.escalateTo.length > 0 ? s.cadence.escalateTo : commander ? [commander] : [];
      return [
        {
          name: `plan: ${audience} update escalation ${s.id}`,
          source: 'plan',
          description: `${s.id}: ${audience} update ${after} overdue (past the cadence in force): page ${who.join(', ') || 'nobody'} and tell the update owner`,
          when: { overdue: audience, by: after },
          if: { severity: s.id },
          then: [
            ...who.map((target): RuleAction => ({ page: target })),
            remind(
              updateOwner(plan, audience),
              `${audience} update for {title} ({severity}) is ${after} overdue: escalated to ${who.join(', ') || 'nobody'}`,
            ),
          ],
        },
      ];
    }),
  );
}

function statusPageRules(plan: Plan): Rule[] {
  const cond = statusPageCondition(plan);
  if (cond === null || !plan.severities.some((s) => s.targets.statusPage)) return [];
  return [
    {
      name: 'plan: status page reminder',
      source: 'plan',
      description:
        `status page target (${perSeverity(plan, (s) => s.targets.statusPage)}): reminds whoever posts ` +
        `external updates ${STATUS_PAGE_REMINDER_BEFORE} before it is due (at once for shorter targets)`,
      when: { target: 'statusPage', before: STATUS_PAGE_REMINDER_BEFORE },
      if: cond,
      then: [
        remind(
          updateOwner(plan, 'external'),
          'Status page update for {title} ({severity}) is due at {due_at}',
        ),
      ],
    },
  ];
}

/** A `page` of a severity or a type as actions: the escalation (under `source`), then chat and email. */
function pageActions(
  page: NonNullable<Severity['page']>,
  source: string,
  servicePolicy: boolean,
): RuleAction[] {
  const who = page.policy ?? page.to;
  return [
    ...(who || servicePolicy
      ? [
          {
            escalate: {
              who: who ? [who] : [],
              ...(page.channels ? { channels: page.channels } : {}),
              kind: 'paging' as const,
              servicePolicy,
              source,
            },
          },
        ]
      : []),
    ...(page.chat ? [{ post: { channel: page.chat } }] : []),
    ...(page.email ? [{ notify: { email: page.email } }] : []),
  ];
}

/**
 * types[]: an incident declared with a type, or changed to it, pages the type's `page` (beside its
 * severity's: a type's page never uses the service policy, which the severity pages already) and
 * starts its checklists, the way a raised severity does on incident.severity_changed.
 */
function typeRules(plan: Plan): Rule[] {
  return plan.types.flatMap((t): Rule[] => {
    const then: RuleAction[] = [
      ...(t.page ? pageActions(t.page, `type:${t.id}`, false) : []),
      ...t.checklists.map((name): RuleAction => ({ startChecklist: name })),
    ];
    if (then.length === 0) return [];
    const what = [
      t.page
        ? `alert ${[t.page.policy ?? t.page.to, t.page.chat, t.page.email].filter(Boolean).join(', ')}`
        : '',
      t.checklists.length > 0 ? `start ${t.checklists.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    return [
      {
        name: `plan: type ${t.id}`,
        source: 'plan',
        description: `${t.id} incidents: ${what} on declaration`,
        when: 'incident.declared',
        if: { type: t.id },
        then,
      },
      {
        name: `plan: type ${t.id} when changed`,
        source: 'plan',
        description: `incidents changed to type ${t.id}: ${what}`,
        when: 'incident.type_changed',
        if: { type: t.id },
        then,
      },
    ];
  });
}

/**
 * severities[].page: who is alerted, and how, when an incident of the severity is declared, and
 * again when an incident is raised to it (its own escalation, so the first page does not hide it).
 */
function pageRules(plan: Plan): Rule[] {
  return plan.severities.flatMap((s): Rule[] => {
    const page = s.page ?? {};
    const who = page.policy ?? page.to;
    // The service's own escalation policy pages by default, as PagerDuty users expect, even when the
    // severity names nobody; `servicePolicy: false` leaves paging to `to`/`policy` alone.
    const servicePolicy = page.servicePolicy !== false;
    const paging = (source: string): RuleAction[] =>
      who || servicePolicy
        ? [
            {
              escalate: {
                who: who ? [who] : [],
                ...(page.channels ? { channels: page.channels } : {}),
                kind: 'paging',
                servicePolicy,
                source,
              },
            },
          ]
        : [];
    const announce: RuleAction[] = [
      ...(page.chat ? [{ post: { channel: page.chat } }] : []),
      ...(page.email ? [{ notify: { email: page.email } }] : []),
    ];
    const targets = [
      who ?? (servicePolicy ? "the service's escalation policy" : undefined),
      page.chat,
      page.email,
    ]
      .filter(Boolean)
      .join(', ');
    const onDeclare = (name: string, then: RuleAction[], businessHours?: boolean): Rule => ({
      name,
      source: 'plan',
      description: `${s.id} incidents: alert ${targets} on declaration${businessHours ? ', in business hours only' : ''}`,
      when: 'incident.declared',
      if: { severity: s.id, ...(businessHours ? { businessHours } : {}) },
      then,
    });
    const onRaise = (then: RuleAction[], businessHours?: boolean): Rule => ({
      name: `plan: page ${s.id} when raised`,
      source: 'plan',
      description: `incidents raised to ${s.id}: alert ${targets}${businessHours ? ', in business hours only' : ''}`,
      when: 'incident.severity_changed',
      if: { severity: s.id, severityRaised: true, ...(businessHours ? { businessHours } : {}) },
      then,
    });
    // A business-hours severity pages nobody after hours; its channel still hears about it.
    if (s.response.hours === 'business-hours' && paging('severity').length > 0) {
      return [
        onDeclare(`plan: page ${s.id}`, paging('severity'), true),
        ...(announce.length > 0 ? [onDeclare(`plan: announce ${s.id}`, announce)] : []),
        onRaise([...paging(`severity:${s.id}`)], true),
      ];
    }
    const all = [...paging('severity'), ...announce];
    if (all.length === 0) return [];
    return [onDeclare(`plan: page ${s.id}`, all), onRaise([...paging(`severity:${s.id}`), ...announce])];
  });
}

/**
 * severities[].responders: the groups that join an incident of the severity are paged when it is
 * declared, or raised to it.
 */
function responderRules(plan: Plan): Rule[] {
  return plan.severities.flatMap((s): Rule[] => {
    const paged = new Set([s.page?.policy ?? s.page?.to].filter(Boolean));
    const who = s.responders.filter((r) => !paged.has(r));
    if (who.length === 0) return [];
    return [
      {
        name: `plan: responders ${s.id}`,
        source: 'plan',
        description: `${s.id} incidents: page the responders ${who.join(', ')} on declaration`,
        when: 'incident.declared',
        if: { severity: s.id },
        then: [{ escalate: { who, kind: 'paging', source: 'responders' } }],
      },
      {
        name: `plan: responders ${s.id} when raised`,
        source: 'plan',
        description: `incidents raised to ${s.id}: page the responders ${who.join(', ')}`,
        when: 'incident.severity_changed',
        if: { severity: s.id, severityRaised: true },
        then: [{ escalate: { who, kind: 'paging', source: `responders:${s.id}` } }],
      },
    ];
  });
}

/** escalation.tiers: each tier is called once its time since declaration has elapsed, while open. */
function escalationRules(plan: Plan): Rule[] {
  return (plan.escalation?.tiers ?? []).map((tier) => ({
    name: `plan: escalation ${tier.id}`,
    source: 'plan',
    description: `escalation tier ${tier.id}: pages ${tier.notify.join(', ')} ${tier.after} after declaration while open`,
    when: { elapsed: tier.after, since: 'declared', repeat: false },
    // Duration escalation: the tier is called even when the incident was acknowledged.
    then: [{ escalate: { who: tier.notify, kind: 'duration', source: `tier:${tier.id}` } }],
  }));
}

/**
 * roles[]: a role with a chain is filled on declaration, and passed along every acceptWithin while
 * nobody accepted; a required role still unfilled is reminded of, then escalated.
 */
function roleRules(plan: Plan): Rule[] {
  return (plan.roles ?? []).flatMap((role): Rule[] => {
    const chain = roleChain(role);
    const rules: Rule[] = [];
    if (chain.length > 0) {
      rules.push({
        name: `plan: fill role ${role.id}`,
        source: 'plan',
        description: `on declaration, ${role.id} goes to the first available of ${chain.join(' → ')}`,
        when: 'incident.declared',
        then: [{ fillRole: { role: role.id } }],
      });
    }
    if (role.acceptWithin && chain.length > 1) {
      rules.push({
        name: `plan: pass role ${role.id}`,
        source: 'plan',
        description: `${role.id} passes to the next of ${chain.join(' → ')} when its holder has not acknowledged within ${role.acceptWithin}`,
        when: { elapsed: role.acceptWithin, since: 'declared', repeat: true },
        then: [{ fillRole: { role: role.id, pass: true } }],
      });
    }
    if (role.required) {
      const remindAfter = role.remindAfter ?? ROLE_REMIND_AFTER;
      const escalateAfter = role.escalateAfter ?? ROLE_ESCALATE_AFTER;
      const who = role.escalateTo?.length ? role.escalateTo : (role.fallback ?? []);
      rules.push(
        {
          name: `plan: role ${role.id} unfilled reminder`,
          source: 'plan',
          description: `required role ${role.id}: remind the commander and the channel ${remindAfter} after declaration while unfilled`,
          when: { elapsed: remindAfter, since: 'declared', repeat: false },
          then: [{ checkRole: { role: role.id, stage: 'remind' } }],
        },
        {
          name: `plan: role ${role.id} unfilled escalation`,
          source: 'plan',
          description: `required role ${role.id}: ${who.length > 0 ? `page ${who.join(', ')}` : 'remind again'} ${escalateAfter} after declaration while unfilled`,
          when: { elapsed: escalateAfter, since: 'declared', repeat: false },
          then: [{ checkRole: { role: role.id, stage: 'escalate', who } }],
        },
      );
    }
    return rules;
  });
}

/** severities[].checklists and lifecycle.states[].checklists: started by name. */
function checklistRules(plan: Plan): Rule[] {
  const bySeverity = plan.severities.flatMap((s): Rule[] => {
    const names = s.checklists ?? [];
    if (names.length === 0) return [];
    const then: RuleAction[] = names.map((name) => ({ startChecklist: name }));
    return [
      {
        name: `plan: checklists ${s.id}`,
        source: 'plan',
        description: `${s.id} incidents start ${names.join(', ')} on declaration`,
        when: 'incident.declared',
        if: { severity: s.id },
        then,
      },
      {
        name: `plan: checklists ${s.id} when changed`,
        source: 'plan',
        description: `incidents changed to ${s.id} start ${names.join(', ')}`,
        when: 'incident.severity_changed',
        if: { severity: s.id },
        then,
      },
    ];
  });
  const byState = plan.lifecycle.states.flatMap((state): Rule[] => {
    const names = state.checklists ?? [];
    if (names.length === 0) return [];
    const then: RuleAction[] = names.map((name) => ({ startChecklist: name }));
    return (['incident.state_changed', 'incident.declared'] as const).map((when) => ({
      name: `plan: checklists on ${state.id}${when === 'incident.declared' ? ' at declaration' : ''}`,
      source: 'plan',
      description: `entering ${state.id} starts ${names.join(', ')}`,
      when,
      if: { state: state.id },
      then,
    }));
  });
  return [...bySeverity, ...byState];
}

/** severities[].postmortem: reminders after resolution (these timers outlive it). */
function postmortemRules(plan: Plan): Rule[] {
  return plan.severities.flatMap((s): Rule[] => {
    const pm = s.postmortem;
    if (!pm?.required) return [];
    const owner = commanderRoleOf(plan);
    const rules: Rule[] = [];
    if (pm.remindAfter) {
      rules.push({
        name: `plan: post-mortem reminder ${s.id}`,
        source: 'plan',
        description: `${s.id}: remind the commander ${pm.remindAfter} after resolution that the post-mortem is due${pm.due ? ` ${pm.due} after it` : ''}`,
        when: { elapsed: pm.remindAfter, since: 'resolved', repeat: false },
        if: { severity: s.id },
        untilPostmortemPublished: true,
        then: [remind(owner, 'Post-mortem for {title} ({severity}) is due {postmortem_due}')],
      });
    }
    if (pm.due) {
      rules.push({
        name: `plan: post-mortem due ${s.id}`,
        source: 'plan',
        description: `${s.id}: the post-mortem is due ${pm.due} after resolution; the commander is told when that time comes`,
        when: { elapsed: pm.due, since: 'resolved', repeat: false },
        if: { severity: s.id },
        untilPostmortemPublished: true,
        then: [
          remind(owner, 'Post-mortem for {title} ({severity}) is due now ({postmortem_due})'),
          { note: 'Post-mortem due ({postmortem_due})' },
        ],
      });
    }
    return rules;
  });
}

export function compilePlanRules(plan: Plan): Rule[] {
  return [
    ...checklistRules(plan),
    ...postmortemRules(plan),
    ...roleRules(plan),
    ...pageRules(plan),
    ...typeRules(plan),
    ...responderRules(plan),
    ...escalationRules(plan),
    ...targetRules(plan),
    ...cadenceRules(plan),
    ...cadenceEscalationRules(plan),
    ...earlyReminderRules(plan),
    ...statusPageRules(plan),
    ...verificationRules(plan),
  ];
}

/** verification: a breached check has returned the incident; the commander hears what was measured. */
function verificationRules(plan: Plan): Rule[] {
  const v = plan.verification;
  if (!v?.state || !v.checks.some((c) => (c.query ?? c.metric) && (c.below ?? c.above) !== undefined))
    return [];
  return [
    {
      name: 'plan: verification failed',
      source: 'plan',
      description: `a metric check breached while in ${v.state}: the commander is told what was measured`,
      when: 'verification.failed',
      then: [remind(commanderRoleOf(plan), 'Verification of {title} failed ({state} now): {reason}')],
    },
  ];
}

const cache = new WeakMap<Plan, Rule[]>();

/** The plan's workflows followed by the rules its fixed fields compile to. */
export function effectiveRules(plan: Plan): Rule[] {
  let rules = cache.get(plan);
  if (!rules) {
    const workflows: Rule[] = plan.workflows.map((w) => ({ ...w, source: 'workflow' }));
    rules = [...workflows, ...compilePlanRules(plan)];
    cache.set(plan, rules);
  }
  return rules;
}
