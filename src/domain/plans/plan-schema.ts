import { z } from 'zod';
import { isDuration, parseDuration } from '../../lib/duration.ts';
import { PRIORITIES } from '../action-items/action-items.ts';
import {
  conditionSchema,
  durationSchema,
  planDurationSchema,
  TARGET_NAMES,
  workflowSchema,
} from '../workflows/workflow-schema.ts';

// The plan file format (apiVersion tocsin.dev/v1, kind Plan). Every rule of a team's incident
// response plan is data here. docs/plan-reference.md and docs/plan.schema.json are generated from
// this file (npm run docs:plan); a test fails when they drift. Cross-references between parts (a
// role named in approvals, a severity named in goals, …) are checked in plan.ts checkReferences.

const id = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-"')
  .describe('An identifier: letters, digits, ".", "_" or "-"');
const text = z.string().min(1);
const texts = (description: string) => z.array(text).default([]).describe(description);
// The pattern is for editors (JSON Schema); the check itself is durationSchema's.
const duration = durationSchema.meta({ pattern: '^(\\d+[smhdw])+$' });
// Targets, deadlines and timers may count business time (4bh, 2bd) in the plan's businessHours.
const planDuration = planDurationSchema.meta({
  pattern: '^(\\d+[smhdw])+$|^(\\d+b[mhd])+$|^\\d+ business (minute|hour|day)s?$',
});
// A cadence interval, or `none`: no updates are due (while in a state, or from an age on).
const cadenceEvery = z
  .string()
  .refine((v) => v === 'none' || isDuration(v), { message: 'not a duration (use 15m, 1h, 4h) or none' })
  .meta({ pattern: '^none$|^(\\d+[smhdw])+$' })
  .describe('a duration, or none');
const date = z
  .string()
  .regex(/^\d{4}-\d{2}(-\d{2})?$/, 'a date such as 2026-01-02 (or a month, 2025-10)')
  .describe('A date, YYYY-MM-DD, or a month, YYYY-MM');
const languageCode = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]+)*$/, 'a language code such as en or am')
  .describe('A BCP 47 language code such as en, am, tr');
/** A reference to a group or a role of this plan, by id. */
const who = id.describe('A group or role id of this plan');
/** Tasks and action items: how long before their due time the owner is reminded, by default. */
export const TASK_REMIND_BEFORE = '15m';
export const MAX_TASK_REMIND_BEFORE_MS = 7 * 86_400_000;

const whoList = (description: string) => z.array(who).default([]).describe(description);

// One list of target kinds, kept with the workflow triggers that refer to them.
export const TARGET_KINDS = TARGET_NAMES;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const targetsSchema = z
  .strictObject({
    acknowledge: planDuration.optional().describe('from declaration to acknowledgement'),
    triage: planDuration.optional().describe('from declaration to triage (severity confirmed, owner set)'),
    firstUpdate: planDuration.optional().describe('from declaration to the first published update'),
    statusPage: planDuration
      .optional()
      .describe('from declaration to the first external (status page) update'),
    mitigate: planDuration.optional().describe('from declaration to mitigation'),
    resolve: planDuration.optional().describe('from declaration to resolution'),
  })
  .describe('Response targets, each measured from declaration');

export const RESPONSE_HOURS = ['24/7', 'business-hours', 'business-hours-best-effort'] as const;
export const PAGE_CHANNELS = ['phone', 'sms', 'push', 'chat', 'email'] as const;
export const OUTLETS = ['internal', 'status-page', 'email', 'ticket'] as const;

export const severitySchema = z
  .strictObject({
    id,
    title: text,
    description: z.string().optional().describe('The definition of the level'),
    criteria: texts('When an incident is of this severity'),
    examples: texts('Typical incidents of this severity'),
    response: z
      .strictObject({
        hours: z
          .enum(RESPONSE_HOURS)
          .default('24/7')
          .describe(
            '24/7: respond at any hour; business-hours: only within businessHours; ' +
              'business-hours-best-effort: within businessHours, best effort after hours',
          ),
        summary: z.string().optional().describe('How the team responds, e.g. "All hands on deck"'),
      })
      .prefault({})
      .describe('When and how the team responds'),
    page: z
      .strictObject({
        to: who.optional().describe('the group (or role) paged; omit for a channel-only notification'),
        policy: id
          .optional()
          .describe(
            'an escalation policy of this plan (escalationPolicies) paged instead of `to`: who is paged ' +
              'next when nobody acknowledges',
          ),
        channels: z
          .array(z.enum(PAGE_CHANNELS))
          .optional()
          .describe("how: default, each paged person's own notification rules"),
        chat: z.string().optional().describe('chat channel notified, e.g. #incidents'),
        email: z.string().optional().describe('email address notified, e.g. engineering@example.com'),
        servicePolicy: z
          .boolean()
          .optional()
          .describe(
            'default true: an incident of a service with an escalation policy pages that policy (instead of ' +
              '`to`/`policy`), also when `page` names nobody; false: only `to`/`policy` are paged',
          ),
      })
      .optional()
      .describe('Who is alerted, and how, when an incident of this severity is declared or alerted'),
    targets: targetsSchema.prefault({}),
    cadence: z
      .strictObject({
        internal: duration.optional().describe('longest gap between internal updates'),
        external: duration.optional().describe('longest gap between external (status page) updates'),
        remindAfter: z
          .strictObject({ internal: duration.optional(), external: duration.optional() })
          .optional()
          .describe(
            'remind the update owner this long after the last update at the base cadence, i.e. as far ahead ' +
              'of each due moment of the cadence in force (byAge, byState); for a range such as "every 30-60 ' +
              'minutes" write internal: 1h, remindAfter.internal: 30m',
          ),
        byAge: z
          .array(
            z.strictObject({
              after: duration.describe('incident age (since declaration) from which this cadence applies'),
              internal: cadenceEvery.optional(),
              external: cadenceEvery.optional(),
            }),
          )
          .optional()
          .describe(
            'the cadence as the incident ages, in increasing `after` order; an audience it leaves out keeps ' +
              'the one before. "Every 30 min for the first 2 h, hourly after": internal: 30m, byAge: ' +
              '[{ after: 2h, internal: 1h }]. An update is due at the first moment the cadence in force ' +
              'then has passed since the last one',
          ),
        byState: z
          .record(
            z.string(),
            z.strictObject({ internal: cadenceEvery.optional(), external: cadenceEvery.optional() }),
          )
          .optional()
          .describe(
            'per lifecycle state, overriding the rest while the incident is in it, counted from the later ' +
              'of the last update and entering the state; none: no updates due (e.g. monitoring: { internal: none })',
          ),
        escalateAfter: z
          .strictObject({ internal: duration.optional(), external: duration.optional() })
          .optional()
          .describe(
            'page escalateTo when an update is this long overdue (past its cadence), once per missed update',
          ),
        escalateTo: whoList(
          'who is paged when an update stays overdue past escalateAfter; default: the incident commander role',
        ),
      })
      .prefault({})
      .describe('How often updates are due while the incident is open'),
    communication: z
      .strictObject({
        outlets: z
          .array(z.enum(OUTLETS))
          .optional()
          .describe('where updates go; default: internal, plus status-page as statusPage.when says'),
        summary: z.string().optional().describe('the rule as the team words it'),
      })
      .optional()
      .describe('Where updates about incidents of this severity are published'),
    responders: whoList('Groups or roles that join an incident of this severity'),
    checklists: z
      .array(id)
      .default([])
      .describe('checklists (by name) started on declaration at this severity, or when raised to it'),
    postmortem: z
      .strictObject({
        required: z.boolean().default(false),
        due: planDuration.optional().describe('from resolution'),
        remindAfter: duration
          .optional()
          .describe('remind this long after resolution; for "within 24-48 hours": due 48h, remindAfter 24h'),
        meeting: z
          .boolean()
          .default(false)
          .describe('a review meeting is held: scheduled automatically when postmortem.meeting.after is set'),
      })
      .prefault({}),
  })
  .describe('A severity level; list the most severe first');

/** An incident type beside severity (security, data loss, …): what it changes for its incidents. */
export const incidentTypeSchema = z
  .strictObject({
    id,
    name: text,
    description: z.string().optional(),
    page: severitySchema.shape.page.describe(
      'who is also alerted, and how, when an incident of this type is declared or changed to it (as severities[].page)',
    ),
    targets: targetsSchema
      .optional()
      .describe(
        "response targets of this type's incidents, each replacing the severity's target of that kind",
      ),
    channel: text
      .optional()
      .describe('the chat channel pattern of incidents declared with this type (instead of channel.name)'),
    checklists: z
      .array(id)
      .default([])
      .describe('checklists (by name) started on declaration with this type, or when changed to it'),
    confidential: z
      .boolean()
      .default(false)
      .describe('incidents of this type are confidential (see `confidential`)'),
  })
  .describe('An incident type');

export const groupSchema = z
  .strictObject({
    id,
    title: text,
    description: z.string().optional(),
    users: z.array(z.string()).default([]).describe('user handles'),
    teams: z.array(z.string()).default([]).describe('team names'),
    schedule: z.string().optional().describe('an on-call schedule: whoever is on call'),
    leadership: z.boolean().default(false).describe('everyone with the leadership flag'),
    serviceOwner: z.boolean().default(false).describe("the owning team of the incident's service"),
    incidentResponders: z.boolean().default(false).describe('everyone who responded to the incident'),
    customers: z
      .enum(['affected', 'all'])
      .optional()
      .describe(
        'customers: affected = the email addresses recorded on the incident (POST /api/v1/incidents/:id/affected-users); all = everyone, reached through the status page and its subscribers only',
      ),
    email: z.string().optional().describe('a mailing list or address'),
    chat: z.string().optional().describe('a chat handle or channel, e.g. @leadership'),
  })
  .describe('People the plan pages, notifies or calls in; the union of everything listed');

export const roleSchema = z
  .strictObject({
    id,
    title: text,
    short: z.string().optional().describe('abbreviation, e.g. IC'),
    duties: texts('What the role does'),
    required: z
      .boolean()
      .default(false)
      .describe(
        'every incident must have this role: while it is unfilled the commander and the incident channel are ' +
          'reminded after remindAfter, and escalateTo is paged after escalateAfter',
      ),
    remindAfter: duration
      .optional()
      .describe('required roles: remind this long after declaration while unfilled; default 5m'),
    escalateAfter: duration
      .optional()
      .describe('required roles: page escalateTo this long after declaration while unfilled; default 15m'),
    escalateTo: whoList('required roles: who is paged when it stays unfilled; default: the fallback list'),
    assignTo: who
      .optional()
      .describe(
        'who takes the role on declaration (the first person it names, e.g. the on-call of a schedule group); ' +
          'when it names nobody, eligible and then fallback are tried in order',
      ),
    eligible: whoList('groups the role is filled from after assignTo, e.g. senior engineers'),
    rotation: z.string().optional().describe('how the role rotates, as the team words it'),
    fallback: whoList(
      'who takes the role, in order, when the ones before name nobody or do not accept within acceptWithin',
    ),
    acceptWithin: duration
      .optional()
      .describe(
        'an automatically chosen holder accepts by acknowledging the incident within this time, else the ' +
          'role passes to the next in assignTo → eligible → fallback (a handover on the timeline)',
      ),
    holders: whoList(
      'who may hold the role (groups, roles, user:, schedule:, team:); anyone else is refused, by hand or automatically',
    ),
    notWith: z
      .array(id)
      .default([])
      .describe('roles the holder of this one may not hold at the same time (either way round)'),
    firstToAcknowledge: z
      .boolean()
      .default(false)
      .describe('while unfilled, the first person to acknowledge the incident takes the role'),
  })
  .describe('An incident role');

export const GATED_ACTIONS = [
  'resolve',
  'close',
  'changeSeverity',
  'lowerSeverity',
  'raiseSeverity',
  'enterState',
] as const;

export const actionGateSchema = z
  .strictObject({
    action: z
      .enum(GATED_ACTIONS)
      .describe(
        'resolve: entering the resolved state; close: entering the last lifecycle state (e.g. closed; the ' +
          'same as resolve when that is the last); changeSeverity: any severity change; lowerSeverity / ' +
          'raiseSeverity: to a less / more severe level; enterState: entering `state`',
      ),
    state: id.optional().describe('enterState: the lifecycle state'),
    by: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'who approves: roles (their holders), groups (their members), user:<handle>, schedule:<name>, team:<name>',
      ),
    quorum: z
      .number()
      .int()
      .min(1)
      .max(50)
      .default(1)
      .describe('how many different approvers among `by`; "2 of leadership" is by: [leadership], quorum: 2'),
  })
  .describe(
    'An action that needs approval: asking for it opens a pending request (409 naming what is missing); ' +
      'on quorum it is carried out as asked. The requester cannot approve it; one rejection closes it',
  );

export const STATUS_PAGE_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;

export const lifecycleSchema = z
  .strictObject({
    states: z
      .array(
        z.strictObject({
          id,
          title: z.string().optional(),
          description: z.string().optional(),
          statusPage: z
            .enum(STATUS_PAGE_STATES)
            .optional()
            .describe('status-page status of this state; default: the state id when it is one of them'),
          criteria: texts('what must be true to enter this state'),
          checklists: z
            .array(id)
            .default([])
            .describe('checklists (by name) started on entering the state, beside the one named like it'),
          by: whoList(
            'roles (their holders on the incident) or groups (their members) that alone may move an ' +
              'incident into this state; others get 403 naming this rule (default: anyone)',
          ),
        }),
      )
      .min(2),
    initial: id.optional().describe('default: the first state'),
    resolved: id.optional().describe('the terminal state; default: the last state'),
    transitions: z
      .record(z.string(), z.array(id))
      .optional()
      .describe('allowed next states per state; default: any other state, and reopening from resolved'),
    reopenWithin: duration
      .optional()
      .describe(
        'an alert that triggers again this soon after its incident resolved reopens that incident (back to ' +
          'the initial state, a reopen on the timeline, paging again) instead of opening a new one; default: ' +
          'always a new incident',
      ),
  })
  .describe('Incident states, in order');

const stepSchema = z
  .union([
    text,
    z.strictObject({
      title: text,
      description: z.string().optional(),
      command: z.string().optional().describe('a shell command to run'),
      steps: z.array(text).optional().describe('sub-steps'),
    }),
  ])
  .describe('A step: text, or {title, command, steps}');

const phaseSchema = z
  .strictObject({
    id,
    title: text,
    description: z.string().optional(),
    from: duration.optional().describe('when the phase starts, after detection'),
    until: duration.optional().describe('when the phase should be over, after detection'),
    steps: z.array(stepSchema).default([]),
  })
  .describe('A phase of the response procedure, in order');

/** The incident moments an announcement channel hears of (communication.channels[].announce). */
export const ANNOUNCE_EVENTS = ['declared', 'severity_changed', 'resolved'] as const;

const channelSchema = z.strictObject({
  name: text.describe('e.g. #incidents'),
  platform: z.string().optional().describe('e.g. slack, zoom'),
  purpose: z.string().optional(),
  announce: z
    .array(z.enum(ANNOUNCE_EVENTS))
    .default([])
    .describe(
      'the engine posts here when an incident is declared, changes severity or resolves (a #channel)',
    ),
  severities: z.array(id).default([]).describe('announce only incidents of these severities (default: all)'),
});

const templateSchema = z
  .strictObject({
    id,
    kind: z
      .enum(['internal', 'external', 'email', 'postmortem'])
      .describe(
        'internal: chat updates; external: status page; email: messages to users; postmortem: document',
      ),
    description: z.string().optional(),
    state: id.optional().describe('the lifecycle state this template is for'),
    subject: z
      .record(languageCode, text)
      .optional()
      .describe('email subject per language, with {placeholders}'),
    body: z
      .record(languageCode, text)
      .describe(
        'text per language, with {placeholders}; external and email templates need every plan language',
      ),
  })
  .describe('A message template');

const runbookSchema = z
  .strictObject({
    id,
    title: text,
    description: z.string().optional(),
    url: z.string().optional(),
    symptoms: texts('how to detect the situation'),
    triage: z.array(stepSchema).default([]).describe('what to check'),
    steps: z.array(stepSchema).default([]).describe('what to do'),
    escalation: whoList('who to contact when the runbook does not help'),
    attach: z
      .strictObject({
        severities: z.array(id).default([]).describe('any of these severities (default: any)'),
        services: z.array(z.string().min(1)).default([]).describe('any of these services (default: any)'),
        labels: z
          .record(z.string(), z.string())
          .default({})
          .describe('every one of these incident labels, e.g. alertname: DatabaseConnections'),
      })
      .optional()
      .describe(
        'Which incidents it is attached to (all criteria must match): its triage and steps become a ' +
          'checklist to tick, its url a link on the incident; also verification.runbook on entering verification',
      ),
  })
  .describe('A runbook for a common incident');

const metricGoalSchema = z.strictObject({
  target: duration.optional().describe('for every severity'),
  bySeverity: z.record(z.string(), duration).default({}).describe('per severity id'),
  from: z.enum(['detected', 'declared', 'acknowledged']).optional().describe('start of the measurement'),
  to: z.enum(['acknowledged', 'triaged', 'mitigated', 'resolved']).optional().describe('end of it'),
  description: z.string().optional(),
});

const reviewEvery = z
  .union([z.enum(['weekly', 'monthly', 'quarterly', 'yearly']), duration])
  .describe('weekly, monthly, quarterly, yearly or a duration');

export const planSchema = z
  .strictObject({
    apiVersion: z.literal('tocsin.dev/v1'),
    kind: z.literal('Plan'),
    metadata: z.strictObject({
      name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and "-"'),
      title: z.string().optional(),
      description: z.string().optional(),
      owner: z.string().optional().describe('who owns the plan document'),
      version: z.string().optional().describe("the document's own version label, e.g. 1.0"),
      audience: texts('who the plan is written for'),
      purpose: z.string().optional(),
    }),
    principles: z
      .array(z.strictObject({ title: text, description: z.string().optional() }))
      .default([])
      .describe('Guiding principles, shown to responders'),
    languages: z
      .array(languageCode)
      .min(1)
      .default(['en'])
      .describe('Every external update must carry text in each; the first is the default'),
    businessHours: z
      .strictObject({
        timeZone: z.string().default('UTC').describe('IANA time zone, e.g. Africa/Addis_Ababa'),
        days: z
          .array(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']))
          .min(1)
          .default(['mon', 'tue', 'wed', 'thu', 'fri']),
        start: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00')
          .default('09:00'),
        end: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time such as 17:00')
          .default('17:00'),
        holidays: z
          .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date such as 2026-12-25'))
          .default([])
          .describe('Dates (in timeZone) that are not business days'),
      })
      .prefault({})
      .describe(
        'When business hours are (for response.hours, the businessHours condition and business-time ' +
          'durations such as 4bh or 2bd)',
      ),
    severities: z.array(severitySchema).min(1),
    types: z
      .array(incidentTypeSchema)
      .default([])
      .describe(
        'Incident types beside severity (e.g. security, data-loss): an incident may have one (declared, set ' +
          'by alert rules or changed later); each may page more people, replace targets, name the chat ' +
          'channel, start checklists and make the incident confidential',
      ),
    confidential: z
      .strictObject({
        visibleTo: whoList(
          'roles (their holders) and groups (their members) who see confidential incidents, besides admins ' +
            "and the incident's own responders (role holders, responders, people it paged); others get 404",
        ),
        codeName: text
          .default('op-{id}')
          .describe(
            'the code name pattern ({id}, {date}, {severity}) used instead of the title in the chat channel ' +
              'and any external text',
          ),
        when: conditionSchema
          .optional()
          .describe(
            'incidents declared matching this condition (severity, service, labels, …) are confidential',
          ),
        external: z
          .enum(['never', 'approved'])
          .default('never')
          .describe(
            'external updates (status page, subscribers) of a confidential incident: never (409 naming this ' +
              'rule), or approved: only through the approvals.external approvers',
          ),
      })
      .optional()
      .describe(
        'Confidential incidents (by type, by the declaration flag, or by `when`): visible only to visibleTo, ' +
          'admins and their own responders; a code name replaces the title outside',
      ),
    unknownSeverity: z
      .enum(['required', 'highest'])
      .default('required')
      .describe(
        'declaring without a severity: required (400), or highest: it counts as the most severe level (its ' +
          'pages, targets and cadence) until triage sets the real one; the timeline says it was assumed',
      ),
    targetsFrom: z
      .enum(['declared', 'severity_changed'])
      .default('declared')
      .describe(
        'the anchor of target due times: declaration, or the last severity change; either way a due time ' +
          'after a change is never before the change (a raised severity is due at once, not in the past)',
      ),
    groups: z.array(groupSchema).default([]),
    roles: z.array(roleSchema).default([]),
    commanderRole: id
      .optional()
      .describe(
        'the role that commands an incident: plan reminders go to its holder and {incident_commander} ' +
          'names them; default: the first role',
      ),
    lifecycle: lifecycleSchema,
    phases: z.array(phaseSchema).default([]).describe('The response procedure, phase by phase'),
    detection: z
      .strictObject({
        sources: texts('where incidents come from'),
        declareIn: z.string().optional().describe('chat channel where anyone may declare, e.g. #incidents'),
      })
      .optional(),
    automatedRecovery: z
      .strictObject({
        enabled: z.boolean().default(true),
        description: z.string().optional(),
        waitFor: duration
          .optional()
          .describe('how long self-healing gets before people are paged; default: until it reports failure'),
        onSuccess: z
          .enum(['monitor', 'resolve'])
          .default('monitor')
          .describe('after a successful recovery: keep monitoring, or resolve'),
      })
      .optional()
      .describe('Self-healing runs before anyone is paged'),
    channel: z
      .strictObject({
        name: text.describe('pattern with {date}, {slug}, {id}, {severity}'),
        platform: z
          .string()
          .optional()
          .describe(
            'slack: Tocsin opens the channel in Slack (with TOCSIN_SLACK_BOT_TOKEN), invites the people on the incident and posts there',
          ),
      })
      .optional()
      .describe('The per-incident chat channel'),
    communication: z
      .strictObject({
        channels: z.array(channelSchema).default([]).describe('Standing channels the plan uses'),
        internal: z
          .strictObject({
            channel: z.string().optional().describe('where internal updates go (the source of truth)'),
            by: id.optional().describe('the role that posts them'),
            guidelines: texts('how to write them'),
          })
          .optional(),
        external: z
          .strictObject({
            by: id.optional().describe('the role that posts them'),
            guidelines: texts('how to write them'),
            include: texts('what every external update must say'),
          })
          .optional(),
      })
      .prefault({}),
    statusPage: z
      .strictObject({
        when: z
          .enum(['always', 'customer-facing', 'never'])
          .default('always')
          .describe('which incidents appear on the public status page'),
        url: z.string().optional(),
      })
      .prefault({}),
    approvals: z
      .strictObject({
        external: whoList('roles or groups who must all approve an external update before it is published'),
        internal: whoList('roles or groups who must all approve an internal update'),
        actions: z
          .array(actionGateSchema)
          .default([])
          .describe('incident actions that need approval first (resolve, a severity change, a state)'),
      })
      .prefault({})
      .describe('Who approves messages before they go out, and incident actions before they are carried out'),
    warRoom: z
      .strictObject({
        tool: z.string().optional().describe('e.g. Zoom'),
        url: z
          .string()
          .regex(/^https:\/\/[^\s/]+\//, 'an https:// URL')
          .optional()
          .describe(
            'the call link, a template rendered once per incident and stored on it, e.g. ' +
              'https://meet.jit.si/acme-incident-{id}, https://zoom.us/j/5551234567 or https://meet.google.com/abc-defg-hij',
          ),
        severities: z.array(id).default([]).describe('severities that get a war room (default: all)'),
        participants: z
          .array(z.strictObject({ who, note: z.string().optional() }))
          .default([])
          .describe('who joins'),
        etiquette: texts('how the call runs'),
        updateEvery: duration.optional().describe('the commander gives an update at least this often'),
        decisions: z.strictObject({ by: who, overrideBy: whoList('who may override a decision') }).optional(),
      })
      .optional()
      .describe('A video call for major incidents'),
    escalationPolicies: z
      .array(
        z.strictObject({
          id,
          description: z.string().optional(),
          steps: z
            .array(
              z.strictObject({
                notify: z.array(who).min(1).describe('groups or roles paged at this step'),
                shadows: z
                  .array(z.string().min(1))
                  .default([])
                  .describe(
                    'shadow recipients (user:<handle>, schedule:<name>, a group or role): every page of this step, ' +
                      'marked shadow, for training; they cannot acknowledge and never stop the escalation',
                  ),
                escalateAfter: duration
                  .optional()
                  .describe('how long this step waits for an acknowledgement before the next; default 5m'),
              }),
            )
            .min(1),
          repeat: z
            .number()
            .int()
            .min(0)
            .max(9)
            .default(0)
            .describe('how many more times the steps run from the top when nobody acknowledged'),
        }),
      )
      .default([])
      .describe(
        'Paging escalation: who is paged, in order, until someone acknowledges (severities[].page.policy). ' +
          'A service with an escalation policy of its own pages that one instead.',
      ),
    escalation: z
      .strictObject({
        criteria: texts('when to escalate'),
        tiers: z
          .array(
            z.strictObject({
              id,
              after: duration.describe('elapsed time since declaration when this tier is called'),
              notify: z.array(who).min(1),
              alsoWhen: z.string().optional().describe('what else calls this tier early'),
            }),
          )
          .default([])
          .describe('Tiers in order; each is called once its time has elapsed and the incident is open'),
      })
      .optional(),
    hypotheses: z
      .strictObject({
        required: z
          .boolean()
          .default(false)
          .describe('a root-cause hypothesis is recorded before mitigation'),
        testPlan: z.boolean().default(false).describe('each hypothesis states how it is tested'),
        keepRejected: z.boolean().default(true).describe('rejected hypotheses stay on the record'),
        hints: z
          .array(z.strictObject({ signal: text, suspect: text }))
          .default([])
          .describe('what a signal usually means, e.g. recent deployment → code bug'),
      })
      .optional(),
    mitigation: z
      .strictObject({
        priority: z.string().optional().describe('e.g. "Stop the bleeding first"'),
        plan: z
          .strictObject({
            required: z
              .boolean()
              .default(false)
              .describe('a mitigation plan is recorded before it is executed'),
            include: z
              .array(z.enum(['steps', 'risk', 'rollback', 'consensus']))
              .default([])
              .describe('what the plan must contain'),
            consensusFrom: who.optional().describe('who must agree'),
          })
          .optional(),
        guidelines: texts('how to execute mitigations'),
        strategies: z
          .array(
            z.strictObject({
              title: text,
              description: z.string().optional(),
              runbook: id.optional(),
              severities: z.array(id).default([]).describe('default: all'),
            }),
          )
          .default([])
          .describe('known short-term fixes'),
      })
      .optional(),
    verification: z
      .strictObject({
        state: id.optional().describe('the state an incident is verified in, e.g. monitoring'),
        monitorFor: duration
          .optional()
          .describe('how long every metric check must hold in that state before it may resolve'),
        every: duration
          .optional()
          .describe('how often the metric checks query Prometheus while verifying (default 1m)'),
        onBreach: id
          .optional()
          .describe('the state a breached check returns the incident to (default: the one it came from)'),
        checks: z
          .array(
            z.strictObject({
              title: text,
              metric: z.string().optional().describe('metric name'),
              query: z
                .string()
                .min(1)
                .optional()
                .describe('the PromQL query of a metric check (default: the metric name)'),
              below: z.number().optional(),
              above: z.number().optional(),
              unit: z.string().optional(),
            }),
          )
          .default([])
          .describe(
            'each must hold before resolving; a check with a metric (or query) and below/above is queried ' +
              'from Prometheus (TOCSIN_PROMETHEUS_URL), the others are ticked by hand (checklist verification)',
          ),
        runbook: id.optional().describe('how to verify'),
      })
      .optional()
      .describe('How a fix is verified before the incident is resolved'),
    checklists: z
      .record(z.string(), z.array(text))
      .default({})
      .describe(
        'Checklists by name: declare is started on declaration, one named like a lifecycle state on ' +
          'entering it; any other by name from severities[].checklists, lifecycle.states[].checklists or a ' +
          'workflow startChecklist action',
      ),
    tasks: z
      .strictObject({
        remindBefore: duration
          .refine((d) => !isDuration(d) || parseDuration(d) <= MAX_TASK_REMIND_BEFORE_MS, 'at most 1w')
          .default(TASK_REMIND_BEFORE)
          .describe(
            `remind a task's or action item's owner this long before it is due (default ${TASK_REMIND_BEFORE}, at most 1w)`,
          ),
        escalateTo: whoList(
          'who is paged, once, when a task or action item of an incident is overdue; default: the commander role',
        ),
      })
      .optional()
      .describe(
        'Due times of tasks and action items: their owner is reminded before, escalateTo paged once overdue',
      ),
    templates: z.array(templateSchema).default([]),
    links: z
      .record(z.string(), text)
      .default({})
      .describe('URL templates such as dashboards, with {correlation_id} and other placeholders'),
    tools: z
      .array(
        z.strictObject({
          name: text,
          purpose: z.string().optional(),
          link: z.string().optional().describe('a links key or a URL'),
        }),
      )
      .default([])
      .describe('Tools responders use'),
    runbooks: z.array(runbookSchema).default([]),
    postmortem: z
      .strictObject({
        blameless: z.boolean().default(true),
        template: id.optional().describe('a postmortem template'),
        templateUrl: z.string().optional(),
        sections: texts('sections every post-mortem has'),
        rootCauseCategories: z
          .array(z.string().trim().min(1).max(100))
          .default([])
          .describe(
            'the root-cause categories a post-mortem may record (reports count incidents per category); empty: any text',
          ),
        requiredWhen: z
          .strictObject({
            lastedOver: duration
              .optional()
              .describe(
                'a post-mortem is required when the incident was open longer than this (declared to resolved)',
              ),
            fields: z
              .array(z.string().min(1))
              .default([])
              .describe(
                'custom fields: a post-mortem is required when any of them is set (not empty, not false)',
              ),
            due: duration.optional().describe('from resolution, when only these triggers require it'),
          })
          .optional()
          .describe(
            'triggers requiring a post-mortem whatever the severity (in addition to severities[].postmortem.required)',
          ),
        meeting: z
          .strictObject({
            attendees: whoList('who attends'),
            attendeesBySeverity: z
              .record(z.string(), z.array(who))
              .default({})
              .describe('extra attendees per severity id'),
            agenda: texts('the meeting agenda'),
            duration: duration.optional().describe('how long the meeting lasts; default 1h'),
            after: duration
              .optional()
              .describe(
                'scheduled automatically when the post-mortem is drafted, at the first full hour this long after resolution, for severities with postmortem.meeting: true',
              ),
          })
          .optional()
          .describe('the post-mortem meeting: its invitation (.ics by email) goes to these attendees'),
        publish: z
          .strictObject({
            audience: z.string().optional().describe('who the document is shared with'),
            within: duration.optional().describe('published this long after resolution'),
          })
          .optional(),
        actionItems: z
          .strictObject({
            tracker: z.string().optional().describe('e.g. JIRA'),
            requireOwner: z.boolean().default(false),
            requireDue: z.boolean().default(false),
            dueWithin: z
              .partialRecord(z.enum(PRIORITIES), duration)
              .default({})
              .describe(
                'per priority, the longest an action item may take from its creation: items without a due date get that one, later ones are refused; e.g. urgent: 4w, high: 8w',
              ),
          })
          .optional(),
        followUp: texts('what happens after the meeting'),
      })
      .prefault({})
      .describe('Post-mortem rules; whether one is required and when it is due is set per severity'),
    goals: z
      .strictObject({
        mttd: metricGoalSchema.optional().describe('mean time to detect'),
        mtta: metricGoalSchema.optional().describe('mean time to acknowledge'),
        mttr: metricGoalSchema.optional().describe('mean time to resolve'),
        maxPerQuarter: z
          .record(z.string(), z.number().int().min(0))
          .default({})
          .describe('most incidents per quarter, per severity id'),
        review: z
          .strictObject({ every: reviewEvery, topics: texts('what the review looks at') })
          .optional()
          .describe('a regular review of incident trends'),
        aim: z.string().optional().describe('the long-term goal'),
      })
      .optional()
      .describe('What the team measures itself against'),
    review: z
      .strictObject({
        owner: z.string().optional(),
        reviewers: texts('who reviews the plan'),
        every: reviewEvery.optional(),
        lastReviewed: date.optional(),
        notes: z.string().optional(),
      })
      .optional()
      .describe("The plan's own review cycle"),
    exercises: z
      .array(
        z.strictObject({
          id,
          kind: z.enum(['tabletop', 'drill', 'game-day']),
          title: text,
          description: z.string().optional(),
          every: reviewEvery.optional(),
        }),
      )
      .default([])
      .describe('Practice: tabletop exercises, drills'),
    readiness: texts('What must be in place before the plan is live (training, rotation, runbooks)'),
    dataSovereignty: z
      .strictObject({
        protectedData: texts('data that must stay protected during incidents'),
        notes: texts('rules'),
      })
      .optional(),
    workflows: z.array(workflowSchema).default([]).describe('when / if / then rules'),
  })
  .describe('A Tocsin incident response plan');

export type Plan = z.infer<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
export type Severity = z.infer<typeof severitySchema>;
export type IncidentType = z.infer<typeof incidentTypeSchema>;
export type PlanRole = z.infer<typeof roleSchema>;
export type PlanGroup = z.infer<typeof groupSchema>;
export type PlanTemplate = z.infer<typeof templateSchema>;
export type ActionGate = z.infer<typeof actionGateSchema>;
export type StatusPageState = (typeof STATUS_PAGE_STATES)[number];
