import type { Row } from '../../db/schema.ts';
import { Conflict } from '../../errors.ts';
import { type RenderFacts, renderPlaceholders, slugify } from '../plans/placeholders.ts';
import type { Lifecycle, Plan } from '../plans/plan.ts';
import { STATUS_PAGE_STATES } from '../plans/plan-schema.ts';

export { slugify };

// Types and pure rules of incidents: names, links, state guards. No I/O here, so each rule has a
// unit test of its own (incident.test.ts).

export type Incident = Row<'incidents'>;
export type IncidentEvent = Row<'incident_events'>;
export type UpdateAudience = 'internal' | 'external';
export type UpdateStatus = Row<'incident_updates'>['status'];
export type HypothesisStatus = Row<'hypotheses'>['status'];

export interface Mitigation {
  steps: string[];
  risk: string;
  rollback: string;
  agreed_by: string[];
}

/** bigserial ids as the API spells them; anything else cannot name an incident (404, never a 500). */
const ID = /^[1-9][0-9]{0,17}$/;
export function isId(id: string): boolean {
  return ID.test(id);
}

const CHANNEL_MAX = 80;
export const DEFAULT_CHANNEL_PATTERN = 'incident-{id}-{slug}';

/** Slack's rules for channel names: lowercase letters, digits, "-" and "_", at most 80 characters. */
export function chatSafe(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return safe.slice(0, CHANNEL_MAX).replace(/[-_]+$/, '') || 'incident';
}

export interface ChannelFacts {
  id: string;
  title: string;
  severity: string;
  declaredAt: Date;
}

/** The chat channel name from the plan's pattern; {date} is the UTC day of declaration. */
export function channelName(pattern: string | undefined, facts: ChannelFacts, plan?: Plan): string {
  const render: RenderFacts = {
    ...(plan ? { plan } : {}),
    incident: { id: facts.id, title: facts.title, severity: facts.severity, declared_at: facts.declaredAt },
  };
  return chatSafe(renderPlaceholders(pattern ?? DEFAULT_CHANNEL_PATTERN, render, 'channel'));
}

/**
 * The war-room link for an incident at this severity: the plan's warRoom.url rendered (values
 * URL-encoded), or null when the plan has none or its war room is for other severities.
 */
export function warRoomUrl(plan: Plan, incident: LinkFacts): string | null {
  const room = plan.warRoom;
  if (!room?.url) return null;
  if (room.severities.length > 0 && !room.severities.includes(incident.severity)) return null;
  return renderLinks({ war_room: room.url }, incident, plan).war_room ?? null;
}

export type LinkFacts = Pick<Incident, 'id' | 'correlation_id' | 'service' | 'severity' | 'declared_at'> &
  Partial<Pick<Incident, 'title'>>;

/** The plan's link templates filled for one incident; values are URL-encoded. */
export function renderLinks(
  templates: Record<string, string>,
  incident: LinkFacts,
  plan?: Plan,
): Record<string, string> {
  const render: RenderFacts = {
    ...(plan ? { plan } : {}),
    incident: { ...incident, id: String(incident.id), title: incident.title ?? '' },
  };
  return Object.fromEntries(
    Object.entries(templates).map(([name, t]) => [
      name,
      renderPlaceholders(t, render, 'link', encodeURIComponent),
    ]),
  );
}

export function isResolved(incident: Pick<Incident, 'state'>, lifecycle: Lifecycle): boolean {
  return incident.state === lifecycle.resolved;
}

/** A resolved incident only takes notes and a reopen; everything else must reopen it first. */
export function assertOpen(
  incident: Pick<Incident, 'id' | 'state'>,
  lifecycle: Lifecycle,
  what: string,
): void {
  if (isResolved(incident, lifecycle)) {
    throw new Conflict(
      `incident ${incident.id} is resolved: cannot ${what}; reopen it first (transition it to another state)`,
    );
  }
}

/** proposed → confirmed | rejected; a decided hypothesis keeps its verdict (its text may change). */
export function canChangeHypothesis(from: HypothesisStatus, to: HypothesisStatus): boolean {
  return from === to || from === 'proposed';
}

/**
 * The statuses an update's author may give it: the plan's lifecycle states and Statuspage's
 * (investigating, identified, monitoring, resolved). The status page shows each through the state's
 * statusPage mapping.
 */
export function updateStatuses(plan: Pick<Plan, 'lifecycle'>): string[] {
  return [...new Set([...plan.lifecycle.states.map((s) => s.id), ...STATUS_PAGE_STATES])];
}

/** Languages of the plan an update has no text for. */
export function missingLanguages(languages: string[], bodies: Record<string, string>): string[] {
  return languages.filter((l) => (bodies[l] ?? '').trim() === '');
}

/** The plan's approvers of an audience's updates: role or group ids, every one of which must approve. */
export function requiredApprovals(plan: Pick<Plan, 'approvals'>, audience: UpdateAudience): string[] {
  return [...new Set(plan.approvals?.[audience] ?? [])];
}

/**
 * The status a new update starts in: waiting for approval when the plan names approvers for its
 * audience (approvals.external / approvals.internal), else published at once.
 */
export function initialUpdateStatus(plan: Pick<Plan, 'approvals'>, audience: UpdateAudience): UpdateStatus {
  return requiredApprovals(plan, audience).length > 0 ? 'pending_approval' : 'published';
}

/** JSON-merge-patch of a flat map: a null value removes the key. */
export function mergePatch<T>(
  current: Record<string, T>,
  patch: Record<string, T | null>,
): Record<string, T> {
  const out: Record<string, T> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

// jsonb does not keep key order, so compare objects with sorted keys.
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Keys of `after` (set, not undefined) whose value differs from `before`: for events and audit. */
export function changedFields<K extends string>(
  before: Record<NoInfer<K>, unknown>,
  after: Partial<Record<K, unknown>>,
): K[] {
  return (Object.keys(after) as K[]).filter(
    (k) => after[k] !== undefined && canonical(before[k]) !== canonical(after[k]),
  );
}

/** Rows of one of the plan's checklists for an incident (none if the plan has no such checklist). */
export function planChecklistRows(plan: Plan, incidentId: string, checklist: string) {
  return (plan.checklists[checklist] ?? []).map((text, position) => ({
    incident_id: incidentId,
    checklist,
    position,
    text,
    source: 'plan',
  }));
}
