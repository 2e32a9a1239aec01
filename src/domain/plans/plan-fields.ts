// Whether Tocsin acts on each plan field, in one place: docs/plan-reference.md shows it as a column
// (npm run docs:plan), and `tocsin plan validate` warns, file:line:col, about every stored-only field
// a plan uses.
//
//   acted   an operation or the engine enforces it (paging, targets, cadence, workflows …)
//   text    words for people (titles, descriptions, criteria): kept with the plan, nothing to enforce
//   stored  a rule Tocsin keeps but does not act on yet: a plan may say it, nothing happens
//
// A field takes the entry of its nearest listed ancestor (`approvals` covers `approvals.external`).
// When a field starts to act, change its line here (or add one for a field inside a listed section)
// and run `npm run docs:plan`; src/domain/plans/plan-docs.test.ts fails on a path the schema lacks.

export type FieldUse = 'acted' | 'text' | 'stored';

export const PLAN_FIELD_USE: Readonly<Record<string, FieldUse>> = {
  apiVersion: 'acted',
  kind: 'acted',
  'metadata.name': 'acted',
  'metadata.title': 'text',
  'metadata.description': 'text',
  'metadata.owner': 'text',
  'metadata.version': 'text',
  'metadata.audience': 'text',
  'metadata.purpose': 'text',
  principles: 'text',
  languages: 'acted',
  commanderRole: 'acted',
  unknownSeverity: 'acted',
  targetsFrom: 'acted',
  businessHours: 'acted',

  'severities[].id': 'acted',
  'severities[].title': 'text',
  'severities[].description': 'text',
  'severities[].criteria': 'text',
  'severities[].examples': 'text',
  'severities[].response.hours': 'acted',
  'severities[].response.summary': 'text',
  'severities[].page': 'acted',
  'severities[].targets': 'acted',
  'severities[].cadence': 'acted',
  'severities[].cadence.escalateAfter': 'acted',
  'severities[].cadence.escalateTo': 'acted',
  'severities[].communication.outlets': 'stored',
  'severities[].communication.summary': 'text',
  'severities[].responders': 'acted',
  'severities[].postmortem': 'stored',
  // A resolution at a severity that requires one drafts the post-mortem, due from the resolution.
  'severities[].postmortem.required': 'acted',
  'severities[].postmortem.due': 'acted',
  'severities[].postmortem.remindAfter': 'acted',
  // With postmortem.meeting.after, its post-mortem meeting is scheduled (invitations sent) when drafted.
  'severities[].postmortem.meeting': 'acted',
  'severities[].checklists': 'acted',

  // Incident types (issue 11 §3.1): pages, targets, channel and checklists per type; confidential (§3.2).
  'types[].id': 'acted',
  'types[].name': 'text',
  'types[].description': 'text',
  'types[].page': 'acted',
  'types[].targets': 'acted',
  'types[].channel': 'acted',
  'types[].checklists': 'acted',
  'types[].confidential': 'acted',
  confidential: 'acted',

  'groups[].id': 'acted',
  'groups[].title': 'text',
  'groups[].description': 'text',
  'groups[].users': 'acted',
  'groups[].teams': 'acted',
  'groups[].schedule': 'acted',
  'groups[].leadership': 'acted',
  'groups[].serviceOwner': 'acted',
  'groups[].incidentResponders': 'acted',
  // affected: the addresses recorded on the incident (the post-incident email); all: the status page.
  'groups[].customers': 'acted',
  'groups[].email': 'acted',
  'groups[].chat': 'acted',

  'roles[].id': 'acted',
  'roles[].title': 'text',
  'roles[].short': 'text',
  'roles[].duties': 'text',
  'roles[].required': 'acted',
  'roles[].remindAfter': 'acted',
  'roles[].escalateAfter': 'acted',
  'roles[].escalateTo': 'acted',
  'roles[].acceptWithin': 'acted',
  'roles[].assignTo': 'acted',
  'roles[].eligible': 'acted',
  'roles[].rotation': 'stored',
  'roles[].fallback': 'acted',
  'roles[].holders': 'acted',
  'roles[].notWith': 'acted',
  'roles[].firstToAcknowledge': 'acted',

  'lifecycle.states[].id': 'acted',
  'lifecycle.states[].title': 'text',
  'lifecycle.states[].description': 'text',
  'lifecycle.states[].statusPage': 'acted',
  'lifecycle.states[].criteria': 'text',
  'lifecycle.states[].by': 'acted',
  'lifecycle.states[].checklists': 'acted',
  'lifecycle.initial': 'acted',
  'lifecycle.resolved': 'acted',
  'lifecycle.transitions': 'acted',
  'lifecycle.reopenWithin': 'acted',

  phases: 'stored',
  detection: 'stored',
  'automatedRecovery.enabled': 'acted',
  'automatedRecovery.description': 'text',
  'automatedRecovery.waitFor': 'acted',
  'automatedRecovery.onSuccess': 'stored',
  'channel.name': 'acted',
  // slack: Tocsin opens the channel in Slack, invites the people on the incident and posts there (src/domain/chat).
  'channel.platform': 'acted',

  'communication.channels': 'stored',
  // Posts through the outbox when an incident is declared, changes severity or resolves (src/domain/chat).
  'communication.channels[].announce': 'acted',
  'communication.channels[].severities': 'acted',
  'communication.internal.channel': 'stored',
  'communication.internal.by': 'acted',
  'communication.internal.guidelines': 'text',
  'communication.external.by': 'acted',
  'communication.external.guidelines': 'text',
  'communication.external.include': 'stored',
  // `when` decides which incidents the statusPage target applies to and which the status page shows.
  'statusPage.when': 'acted',
  'statusPage.url': 'stored',
  approvals: 'acted',
  'approvals.actions': 'acted',
  warRoom: 'stored',

  escalationPolicies: 'acted',
  'escalationPolicies[].description': 'text',
  'escalationPolicies[].steps[].shadows': 'acted',
  escalation: 'acted',
  'escalation.criteria': 'text',

  hypotheses: 'stored',
  mitigation: 'stored',
  // Entering verification.state watches the metric checks in Prometheus (TOCSIN_PROMETHEUS_URL) every
  // `every` until they held for monitorFor (resolving is refused before); a breach returns the incident
  // to onBreach (else where it came from) and tells the commander; other checks become a checklist.
  verification: 'acted',
  'verification.checks[].title': 'text',
  'verification.checks[].unit': 'text',
  // Attached (as runbooks[].attach does) on entering verification.state.
  'verification.runbook': 'acted',
  checklists: 'acted',
  // The engine module action-item-reminders reminds a task's or action item's owner remindBefore its
  // due time and pages escalateTo (default: the commander role) once it is overdue; each once per due time.
  tasks: 'acted',
  templates: 'acted',
  'templates[].description': 'text',
  links: 'acted',
  tools: 'stored',
  runbooks: 'stored',
  // Attached to matching incidents (declaration, severity change): triage and steps become the
  // checklist runbook:<id>, the url a link on the incident; drills judge that each was attached.
  'runbooks[].id': 'acted',
  'runbooks[].attach': 'acted',
  'runbooks[].triage': 'acted',
  'runbooks[].steps': 'acted',
  'runbooks[].url': 'acted',
  'runbooks[].title': 'text',
  'runbooks[].description': 'text',
  'runbooks[].symptoms': 'text',
  postmortem: 'stored',
  // Every drafted post-mortem has these sections (after Tocsin's own).
  'postmortem.sections': 'acted',
  // Setting a post-mortem's root_cause_category refuses one not listed; reports count per category.
  'postmortem.rootCauseCategories': 'acted',
  // Resolving an incident that lasted longer, or has one of these custom fields set, drafts its
  // post-mortem (due after resolution) whatever its severity.
  'postmortem.requiredWhen': 'acted',
  'postmortem.requiredWhen.lastedOver': 'acted',
  'postmortem.requiredWhen.fields': 'acted',
  'postmortem.requiredWhen.due': 'acted',
  // Creating or changing an action item refuses one without an owner / due date when required.
  'postmortem.actionItems.requireOwner': 'acted',
  'postmortem.actionItems.requireDue': 'acted',
  // An item of that priority gets its due date from it, or is refused a later one; overdue items are reminded.
  'postmortem.actionItems.dueWithin': 'acted',
  'postmortem.actionItems.tracker': 'text',
  // Scheduling a post-mortem meeting (API, CLI, console, or at drafting with `after`) emails each
  // attendee a calendar invitation (.ics) naming all of them; the agenda is its description.
  'postmortem.meeting': 'acted',
  'postmortem.meeting.attendees': 'acted',
  'postmortem.meeting.attendeesBySeverity': 'acted',
  'postmortem.meeting.agenda': 'acted',
  'postmortem.meeting.duration': 'acted',
  'postmortem.meeting.after': 'acted',
  goals: 'stored',
  // Reports (GET /api/v1/reports/goals, tocsin report goals) judge these over a period; from/to set
  // where each metric starts and stops in reports and drills.
  'goals.mttd': 'acted',
  'goals.mtta': 'acted',
  'goals.mttr': 'acted',
  'goals.maxPerQuarter': 'acted',
  'goals.aim': 'text',
  // `tocsin plan check` reports the review due: lastReviewed plus every (none recorded: due now).
  review: 'acted',
  'review.every': 'acted',
  'review.lastReviewed': 'acted',
  'review.owner': 'text',
  'review.reviewers': 'text',
  'review.notes': 'text',
  exercises: 'stored',
  readiness: 'stored',
  dataSovereignty: 'stored',

  workflows: 'acted',
  'workflows[].if.openIncidents': 'acted',
  'workflows[].description': 'text',
};

/** The parent of a field path: `a[].b` → `a[]` → `a`; `a.<name>.b` → `a.<name>` → `a`. */
export function parentPath(path: string): string | undefined {
  if (path.endsWith('[]')) return path.slice(0, -2);
  const dot = path.lastIndexOf('.');
  return dot > 0 ? path.slice(0, dot) : undefined;
}

/** The use listed for a field or its nearest listed ancestor. */
export function listedUse(path: string): FieldUse | undefined {
  for (let p: string | undefined = path; p !== undefined; p = parentPath(p)) {
    const use = PLAN_FIELD_USE[p];
    if (use) return use;
  }
  return undefined;
}
