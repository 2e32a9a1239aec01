import { indicatorLabel } from './labels.ts';
import type {
  ComponentView,
  IncidentView,
  MaintenanceView,
  StatusView,
  UpdateView,
} from './load-status-page.ts';
import { fallbackOrder, isMaintenanceActive, pickText } from './status-page.ts';

// The view in Atlassian Statuspage's public API v2 shapes (summary, status, components, incidents,
// scheduled maintenances), so Statuspage clients and widgets read a Tocsin page unchanged. Texts are
// in the reader's language (?lang= or Accept-Language) with the page's fallback order.

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function page(v: StatusView) {
  return {
    id: v.page.id,
    name: v.page.name,
    url: v.page.url,
    time_zone: 'Etc/UTC',
    updated_at: iso(v.page.updated_at),
  };
}

function component(v: StatusView, c: ComponentView) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: iso(c.created_at),
    updated_at: iso(c.updated_at),
    position: c.position,
    description: c.description || null,
    showcase: !c.only_show_if_degraded,
    start_date: c.created_at.toISOString().slice(0, 10),
    group_id: c.group_id,
    page_id: v.page.id,
    group: c.is_group,
    only_show_if_degraded: c.only_show_if_degraded,
    ...(c.is_group ? { components: c.children } : {}),
    uptime_percentage: c.uptime.percent,
  };
}

type Item = IncidentView | MaintenanceView;

function updates(v: StatusView, item: Item, order: string[]) {
  return item.updates.map((u: UpdateView) => ({
    id: u.id,
    status: u.status,
    body: pickText(u.bodies, order),
    incident_id: item.id,
    created_at: iso(u.at),
    updated_at: iso(u.at),
    display_at: iso(u.at),
    affected_components: null,
    deliver_notifications: true,
    custom_tweet: null,
    tweet_id: null,
    page_id: v.page.id,
  }));
}

function componentsOf(v: StatusView, ids: string[]) {
  const byId = new Map(v.components.map((c) => [c.id, c]));
  return ids.flatMap((id) => {
    const c = byId.get(id);
    return c ? [component(v, c)] : [];
  });
}

function incident(v: StatusView, i: IncidentView, order: string[]) {
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: iso(i.created_at),
    updated_at: iso(i.updated_at),
    monitoring_at: iso(i.monitoring_at),
    resolved_at: iso(i.resolved_at),
    impact: i.impact,
    shortlink: `${v.page.url}/incidents/${i.id}`,
    started_at: iso(i.started_at),
    page_id: v.page.id,
    incident_updates: updates(v, i, order),
    components: componentsOf(v, i.components),
  };
}

function maintenance(v: StatusView, m: MaintenanceView, order: string[]) {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    created_at: iso(m.created_at),
    updated_at: iso(m.updated_at),
    monitoring_at: null,
    resolved_at: m.status === 'completed' ? iso(m.updates[0]?.at ?? m.scheduled_until) : null,
    impact: 'maintenance',
    shortlink: `${v.page.url}/maintenances/${m.id}`,
    started_at: iso(m.scheduled_for),
    page_id: v.page.id,
    incident_updates: updates(v, m, order),
    components: componentsOf(v, m.components),
    scheduled_for: iso(m.scheduled_for),
    scheduled_until: iso(m.scheduled_until),
  };
}

function status(v: StatusView, language: string) {
  return { indicator: v.indicator, description: indicatorLabel(language, v.indicator) };
}

export type StatuspageDocument =
  | 'summary'
  | 'status'
  | 'components'
  | 'incidents'
  | 'incidents/unresolved'
  | 'scheduled-maintenances'
  | 'scheduled-maintenances/upcoming'
  | 'scheduled-maintenances/active';

export const STATUSPAGE_DOCUMENTS: readonly StatuspageDocument[] = [
  'summary',
  'status',
  'components',
  'incidents',
  'incidents/unresolved',
  'scheduled-maintenances',
  'scheduled-maintenances/upcoming',
  'scheduled-maintenances/active',
];

/** One Statuspage v2 document of the view, in the reader's language. */
export function statuspageJson(v: StatusView, doc: StatuspageDocument, language: string): unknown {
  const order = fallbackOrder(language, v.languages);
  const unresolved = v.incidents.filter((i) => i.status !== 'resolved').map((i) => incident(v, i, order));
  const openMaintenance = v.maintenances.filter((m) => m.status !== 'completed');
  const maintenances = (list: MaintenanceView[]) => list.map((m) => maintenance(v, m, order));
  switch (doc) {
    case 'summary':
      return {
        page: page(v),
        components: v.components.map((c) => component(v, c)),
        incidents: unresolved,
        scheduled_maintenances: maintenances(openMaintenance),
        status: status(v, language),
      };
    case 'status':
      return { page: page(v), status: status(v, language) };
    case 'components':
      return { page: page(v), components: v.components.map((c) => component(v, c)) };
    case 'incidents':
      return { page: page(v), incidents: v.incidents.map((i) => incident(v, i, order)) };
    case 'incidents/unresolved':
      return { page: page(v), incidents: unresolved };
    case 'scheduled-maintenances':
      return { page: page(v), scheduled_maintenances: maintenances(v.maintenances) };
    case 'scheduled-maintenances/upcoming':
      return {
        page: page(v),
        scheduled_maintenances: maintenances(v.maintenances.filter((m) => m.status === 'scheduled')),
      };
    case 'scheduled-maintenances/active':
      return {
        page: page(v),
        scheduled_maintenances: maintenances(v.maintenances.filter((m) => isMaintenanceActive(m.status))),
      };
  }
}
