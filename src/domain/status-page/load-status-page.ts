import type { Executor } from '../../db/schema.ts';
import { publicName } from '../incidents/confidential.ts';
import type { StatusPageState } from '../plans/plan.ts';
import { onStatusPage, statusPageStateOf } from '../plans/plan.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import * as q from './queries.ts';
import {
  type ComponentStatus,
  effectiveStatus,
  type Impact,
  type Indicator,
  impactOfSeverity,
  isMaintenanceActive,
  type MaintenanceStatus,
  maintenanceStatusAt,
  overallIndicator,
  type StatusChange,
  UPTIME_DAYS,
  type Uptime,
  uptimeOf,
} from './status-page.ts';

// Reads everything the public page shows into one view, in no particular language: the JSON API,
// the HTML page and the feeds each render this view for their reader.

/** How many past incidents the page, the JSON and the feeds carry (Statuspage shows 50). */
export const INCIDENT_LIMIT = 50;
/** Completed maintenance stays listed this long. */
const COMPLETED_MAINTENANCE_DAYS = 7;

export interface ComponentView {
  id: string;
  name: string;
  description: string;
  status: ComponentStatus;
  is_group: boolean;
  group_id: string | null;
  position: number;
  only_show_if_degraded: boolean;
  children: string[];
  created_at: Date;
  updated_at: Date;
  uptime: Uptime;
}

export interface UpdateView {
  id: string;
  status: StatusPageState | MaintenanceStatus;
  bodies: Record<string, string>;
  at: Date;
}

export interface IncidentView {
  id: string;
  name: string;
  status: StatusPageState;
  impact: Impact;
  created_at: Date;
  updated_at: Date;
  started_at: Date;
  monitoring_at: Date | null;
  resolved_at: Date | null;
  components: string[];
  /** Newest first. */
  updates: UpdateView[];
}

export interface MaintenanceView {
  id: string;
  name: string;
  status: MaintenanceStatus;
  emergency: boolean;
  scheduled_for: Date;
  scheduled_until: Date | null;
  created_at: Date;
  updated_at: Date;
  components: string[];
  updates: UpdateView[];
}

export interface StatusView {
  page: { id: string; name: string; url: string; updated_at: Date };
  languages: string[];
  indicator: Indicator;
  components: ComponentView[];
  incidents: IncidentView[];
  maintenances: MaintenanceView[];
  now: Date;
}

const plans = new PlanCache();
const DAY_MS = 86_400_000;
export const DEFAULT_PAGE_NAME = 'Status';

function byKey<T, K extends keyof T>(rows: T[], key: K): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = String(r[key]);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

async function loadComponents(db: Executor, now: Date, maintained: Set<string>): Promise<ComponentView[]> {
  const rows = await q.listComponents(db);
  const windowStart = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (UPTIME_DAYS - 1) * DAY_MS);
  const [before, changes] = await Promise.all([
    q.statusesBefore(db, windowStart),
    q.componentChangesSince(db, windowStart),
  ]);
  const changesOf = byKey(changes, 'component_id');
  return rows.map((c) => ({
    id: c.id,
    name: c.name,
    description: c.description,
    status: effectiveStatus(c.status, maintained.has(c.id)),
    is_group: c.is_group,
    group_id: c.group_id === null ? null : String(c.group_id),
    position: c.position,
    only_show_if_degraded: c.only_show_if_degraded,
    children: rows.filter((x) => String(x.group_id) === c.id).map((x) => x.id),
    created_at: c.created_at,
    updated_at: c.updated_at,
    uptime: uptimeOf(
      before.get(c.id) ?? 'operational',
      (changesOf.get(c.id) ?? []) as StatusChange[],
      c.created_at,
      now,
    ),
  }));
}

async function loadMaintenances(db: Executor, now: Date): Promise<MaintenanceView[]> {
  const rows = await q.listMaintenances(db, new Date(now.getTime() - COMPLETED_MAINTENANCE_DAYS * DAY_MS));
  const ids = rows.map((m) => m.id);
  const [links, updates] = await Promise.all([
    q.maintenanceComponents(db, ids),
    q.maintenanceUpdates(db, ids),
  ]);
  const linksOf = byKey(links, 'maintenance_id');
  const updatesOf = byKey(updates, 'maintenance_id');
  return rows.map((m) => ({
    id: m.id,
    name: m.name,
    status: maintenanceStatusAt(m, now),
    emergency: m.emergency,
    scheduled_for: m.scheduled_for,
    scheduled_until: m.scheduled_until,
    created_at: m.created_at,
    updated_at: m.updated_at,
    components: (linksOf.get(m.id) ?? []).map((l) => String(l.component_id)),
    updates: (updatesOf.get(m.id) ?? []).map((u) => ({
      id: u.id,
      status: u.status,
      bodies: u.bodies,
      at: u.created_at,
    })),
  }));
}

async function loadIncidents(db: Executor): Promise<IncidentView[]> {
  const rows = await q.publicIncidents(db, INCIDENT_LIMIT);
  const shown = [];
  for (const i of rows) {
    const plan = await plans.get(db, i.plan_name, i.plan_version);
    if (onStatusPage(plan, i)) shown.push({ incident: i, plan });
  }
  const ids = shown.map((s) => s.incident.id);
  const [updates, links] = await Promise.all([q.externalUpdates(db, ids), q.incidentComponents(db, ids)]);
  const updatesOf = byKey(updates, 'incident_id');
  const linksOf = byKey(links, 'incident_id');
  return shown.map(({ incident: i, plan }) => {
    const own: UpdateView[] = (updatesOf.get(i.id) ?? []).map((u) => ({
      id: u.id,
      status: statusPageStateOf(plan, u.state),
      bodies: u.bodies,
      at: u.published_at ?? u.created_at,
    }));
    const latest = own[0]?.status as StatusPageState | undefined;
    const monitoring = own.filter((u) => u.status === 'monitoring').at(-1);
    return {
      id: i.id,
      // A confidential incident goes by its code name outside.
      name: publicName(i),
      // Resolved in Tocsin is resolved on the page, even before the final public update is posted.
      status: i.resolved_at ? 'resolved' : (latest ?? 'investigating'),
      impact: impactOfSeverity(plan, i.severity),
      created_at: i.status_page_at ?? i.declared_at,
      updated_at: own[0]?.at ?? i.status_page_at ?? i.declared_at,
      started_at: i.detected_at ?? i.declared_at,
      monitoring_at: monitoring?.at ?? null,
      resolved_at: i.resolved_at,
      components: (linksOf.get(i.id) ?? []).map((l) => String(l.component_id)),
      updates: own,
    };
  });
}

/** The page's languages in fallback order: its own, else those of the plans (maybe none). */
async function languagesOf(db: Executor, settings: { languages: string[] } | undefined): Promise<string[]> {
  const own = settings?.languages ?? [];
  return [...new Set(own.length > 0 ? own : await q.planLanguages(db))];
}

/** The page's name and languages (never empty), for messages about it. */
export async function pageBasics(db: Executor): Promise<{ name: string; languages: string[] }> {
  const settings = await q.findSettings(db);
  const languages = await languagesOf(db, settings);
  return { name: settings?.name ?? DEFAULT_PAGE_NAME, languages: languages.length > 0 ? languages : ['en'] };
}

export async function loadStatusPage(db: Executor, now: Date, publicUrl: string): Promise<StatusView> {
  const [settings, maintenances, incidents] = await Promise.all([
    q.findSettings(db),
    loadMaintenances(db, now),
    loadIncidents(db),
  ]);
  const active = maintenances.filter((m) => isMaintenanceActive(m.status));
  const maintained = new Set(active.flatMap((m) => m.components));
  const components = await loadComponents(db, now, maintained);
  const languages = await languagesOf(db, settings);
  const unresolved = incidents.filter((i) => i.status !== 'resolved');
  const worst = overallIndicator(
    components.filter((c) => !c.is_group).map((c) => c.status),
    unresolved.map((i) => i.impact),
  );
  const indicator = worst === 'none' && active.length > 0 ? 'maintenance' : worst;
  const times = [
    settings?.updated_at,
    ...components.map((c) => c.updated_at),
    ...incidents.map((i) => i.updated_at),
    ...maintenances.map((m) => m.updated_at),
  ].filter((d): d is Date => d instanceof Date);
  const updatedAt = new Date(Math.max(0, ...times.map((d) => d.getTime())));
  return {
    page: {
      id: 'tocsin',
      name: settings?.name ?? DEFAULT_PAGE_NAME,
      url: `${publicUrl.replace(/\/+$/, '')}/status`,
      updated_at: times.length > 0 ? updatedAt : now,
    },
    languages: languages.length > 0 ? languages : ['en'],
    indicator,
    components,
    incidents,
    maintenances,
    now,
  };
}
