import type { Plan } from '../plans/plan.ts';

// What a drill does with every plan field Tocsin acts on (plan-fields.ts, 'acted'): the report either
// judges it (a row or column with a verdict, or a step the plan refuses, which fails the drill) or
// lists it under "not checked" with the reason. coverage.test.ts fails on an acted field missing here.

export type DrillCoverage = { judged: string } | { notChecked: string };

const LOADS = { judged: 'the plan loads (file:line:col errors otherwise) and the drill runs on it' };
const TARGETS = { judged: 'the targets table: due, met at, verdict' };
const REFUSED = { judged: 'a step the plan refuses fails the drill (steps)' };
const PAGES = {
  notChecked: 'the messages list whom each page reached; a drill cannot know whom it should have reached',
};
const ROLES = { notChecked: 'the roles table shows who held each role when (fills, handovers); not judged' };
const CHECKLISTS = { notChecked: 'checklist items are created on the incident; a drill does not tick them' };
const DELIVERY = { notChecked: 'the deliveries list where each published update went; not judged' };
const POSTMORTEM = { judged: 'the post-mortem row: created at resolution, published by its due time' };
const MEETING = {
  notChecked: 'the review meeting is scheduled with invitations after the post-mortem is drafted; not judged',
};
const CALENDAR = {
  notChecked: 'a calendar rule over many incidents (tocsin plan check, reports), not one incident',
};
const ACTION_ITEMS = { notChecked: 'action items are written after the incident, outside a drill scenario' };

export const DRILL_COVERAGE: Readonly<Record<string, DrillCoverage>> = {
  apiVersion: LOADS,
  kind: LOADS,
  'metadata.name': LOADS,
  'severities[].id': LOADS,
  'types[].id': LOADS,
  'groups[].id': LOADS,
  'roles[].id': LOADS,
  'lifecycle.states[].id': LOADS,
  'runbooks[].id': LOADS,
  languages: { judged: 'an update missing a plan language is refused: the step fails the drill' },
  commanderRole: ROLES,
  unknownSeverity: {
    notChecked: 'applies to alerts of a severity the plan lacks; a drill declares one it has',
  },
  targetsFrom: TARGETS,
  businessHours: TARGETS,
  'severities[].response.hours': TARGETS,
  'severities[].page': PAGES,
  'severities[].targets': TARGETS,
  'severities[].cadence': { judged: 'the cadence table: updates, longest gap, verdict' },
  'severities[].cadence.escalateAfter': {
    notChecked: 'the escalation for a missed update shows among the workflows fired and messages; not judged',
  },
  'severities[].cadence.escalateTo': {
    notChecked: 'the escalation for a missed update shows among the workflows fired and messages; not judged',
  },
  'severities[].responders': PAGES,
  'severities[].postmortem.required': POSTMORTEM,
  'severities[].postmortem.due': POSTMORTEM,
  'severities[].postmortem.remindAfter': {
    notChecked: 'the reminder shows among the workflows fired when the clock reaches it; not judged',
  },
  'severities[].checklists': CHECKLISTS,
  'types[].page': PAGES,
  'types[].targets': TARGETS,
  'types[].channel': DELIVERY,
  'types[].checklists': CHECKLISTS,
  'types[].confidential': {
    notChecked: 'the report names the code name; who may see the incident is not a drill matter',
  },
  confidential: {
    notChecked: 'the report names the code name; who may see the incident is not a drill matter',
  },
  'groups[].users': PAGES,
  'groups[].teams': PAGES,
  'groups[].schedule': PAGES,
  'groups[].leadership': PAGES,
  'groups[].serviceOwner': PAGES,
  'groups[].incidentResponders': PAGES,
  'groups[].customers': DELIVERY,
  'groups[].email': PAGES,
  'groups[].chat': DELIVERY,
  'roles[].required': ROLES,
  'roles[].remindAfter': ROLES,
  'roles[].escalateAfter': ROLES,
  'roles[].escalateTo': ROLES,
  'roles[].acceptWithin': ROLES,
  'roles[].assignTo': ROLES,
  'roles[].eligible': REFUSED,
  'roles[].fallback': ROLES,
  'roles[].holders': REFUSED,
  'roles[].notWith': REFUSED,
  'roles[].firstToAcknowledge': ROLES,
  'lifecycle.states[].statusPage': DELIVERY,
  'lifecycle.states[].by': REFUSED,
  'lifecycle.states[].checklists': CHECKLISTS,
  'lifecycle.initial': REFUSED,
  'lifecycle.resolved': REFUSED,
  'lifecycle.transitions': REFUSED,
  'lifecycle.reopenWithin': { judged: 'the lifecycle.reopenWithin row of each recurring alert' },
  'automatedRecovery.enabled': {
    notChecked: 'acts when the alert source resolves every alert of an incident; drills resolve by hand',
  },
  'automatedRecovery.waitFor': {
    notChecked: 'acts when the alert source resolves every alert of an incident; drills resolve by hand',
  },
  'channel.name': DELIVERY,
  'channel.platform': DELIVERY,
  'communication.channels[].announce': DELIVERY,
  'communication.channels[].severities': DELIVERY,
  'communication.internal.by': REFUSED,
  'communication.external.by': REFUSED,
  'statusPage.when': DELIVERY,
  approvals: { judged: 'the approvals rows: each update approved for every requirement before publishing' },
  'approvals.actions': { judged: 'the approvals.actions rows: each gated action decided by its quorum' },
  escalationPolicies: PAGES,
  'escalationPolicies[].steps[].shadows': {
    judged: 'the shadows row: a shadow cannot acknowledge, paging goes on',
  },
  escalation: PAGES,
  verification: { judged: 'the verification.monitorFor row; verification.checks are not checked (metrics)' },
  'verification.runbook': { notChecked: 'the runbook offered while verifying; a drill does not read it' },
  checklists: CHECKLISTS,
  tasks: { judged: 'the tasks.remindBefore and tasks.escalateTo rows' },
  templates: { notChecked: 'the texts of messages and drafts, shown in the messages list; not judged' },
  links: { notChecked: 'links shown on the incident; nothing to judge in a drill' },
  'runbooks[].attach': { judged: 'the runbooks.<id>.attach rows' },
  'runbooks[].triage': CHECKLISTS,
  'runbooks[].steps': CHECKLISTS,
  'runbooks[].url': { notChecked: 'a link on the incident; nothing to judge in a drill' },
  'postmortem.sections': { notChecked: 'the sections of the drafted document; a drill does not write them' },
  'postmortem.requiredWhen': POSTMORTEM,
  'postmortem.requiredWhen.lastedOver': POSTMORTEM,
  'postmortem.requiredWhen.fields': POSTMORTEM,
  'postmortem.requiredWhen.due': POSTMORTEM,
  'postmortem.rootCauseCategories': {
    notChecked: 'the root cause category is chosen when the post-mortem is written, outside a drill scenario',
  },
  'severities[].postmortem.meeting': MEETING,
  'postmortem.meeting': MEETING,
  'postmortem.meeting.attendees': MEETING,
  'postmortem.meeting.attendeesBySeverity': MEETING,
  'postmortem.meeting.agenda': MEETING,
  'postmortem.meeting.duration': MEETING,
  'postmortem.meeting.after': MEETING,
  'postmortem.actionItems.requireOwner': ACTION_ITEMS,
  'postmortem.actionItems.requireDue': ACTION_ITEMS,
  'postmortem.actionItems.dueWithin': ACTION_ITEMS,
  'goals.mttd': { judged: 'the goals rows: this incident against each (reported, a goal is a mean)' },
  'goals.mtta': { judged: 'the goals rows: this incident against each (reported, a goal is a mean)' },
  'goals.mttr': { judged: 'the goals rows: this incident against each (reported, a goal is a mean)' },
  'goals.maxPerQuarter': CALENDAR,
  review: CALENDAR,
  'review.every': CALENDAR,
  'review.lastReviewed': CALENDAR,
  workflows: { judged: 'the workflows fired (trigger, time); an action that fails fails the drill' },
  'workflows[].if.openIncidents': {
    judged: 'the workflows fired (trigger, time); an action that fails fails the drill',
  },
};

/** Whether the plan sets a field path (`a[].b`: any element of a sets b). */
export function planSets(plan: Plan, path: string): boolean {
  const walk = (value: unknown, parts: string[]): boolean => {
    if (value === undefined || value === null) return false;
    const [head, ...rest] = parts;
    if (head === undefined) return !(Array.isArray(value) && value.length === 0);
    const array = head.endsWith('[]');
    const key = array ? head.slice(0, -2) : head;
    const next = (value as Record<string, unknown>)[key];
    if (!array) return walk(next, rest);
    return Array.isArray(next) && next.some((item) => walk(item, rest));
  };
  return walk(plan, path.split('.'));
}

/** The fields the plan sets that a drill does not judge, each once, with the reason. */
export function notCheckedFields(plan: Plan): { field: string; reason: string }[] {
  return Object.entries(DRILL_COVERAGE).flatMap(([field, c]) =>
    'notChecked' in c && planSets(plan, field) ? [{ field, reason: c.notChecked }] : [],
  );
}
