import type { ComponentStatus, MaintenanceStatus } from '../../db/schema.ts';
import type { Plan } from '../plans/plan.ts';

// Types and pure rules of the public status page, in Statuspage's vocabulary (component statuses,
// indicators, impacts, maintenance statuses) so existing Statuspage clients and widgets read it.
// No I/O here: status-page.test.ts checks each rule on its own.

export type { ComponentStatus, MaintenanceStatus };

export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const satisfies readonly ComponentStatus[];

export const MAINTENANCE_STATUSES = [
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
] as const satisfies readonly MaintenanceStatus[];

export type Indicator = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';
export type Impact = 'none' | 'minor' | 'major' | 'critical';

const INDICATOR_OF_STATUS: Record<ComponentStatus, Indicator> = {
  operational: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maintenance',
};

const INDICATOR_RANK: Record<Indicator, number> = {
  none: 0,
  maintenance: 1,
  minor: 2,
  major: 3,
  critical: 4,
};

/**
 * The page's overall indicator: the worst of its components' statuses and its unresolved incidents'
 * impacts; maintenance only shows when nothing is broken (as on Statuspage).
 */
export function overallIndicator(statuses: ComponentStatus[], impacts: Impact[]): Indicator {
  let worst: Indicator = 'none';
  for (const i of [...statuses.map((s) => INDICATOR_OF_STATUS[s]), ...impacts]) {
    if (INDICATOR_RANK[i] > INDICATOR_RANK[worst]) worst = i;
  }
  return worst;
}

/**
 * An incident's public impact from its severity's rank in the plan: the first (most severe) level is
 * critical, the second major, the third minor, any further one none.
 */
export function impactOfSeverity(plan: Pick<Plan, 'severities'>, severity: string): Impact {
  const rank = plan.severities.findIndex((s) => s.id === severity);
  return (['critical', 'major', 'minor'] as const)[rank] ?? 'none';
}

export interface MaintenanceTiming {
  status: MaintenanceStatus;
  scheduled_for: Date;
  scheduled_until: Date | null;
  auto_start: boolean;
  auto_complete: boolean;
}

/** Where a maintenance stands now: the clock moves an automatic one along its window. */
export function maintenanceStatusAt(m: MaintenanceTiming, now: Date): MaintenanceStatus {
  if (m.status === 'completed' || m.status === 'verifying') return m.status;
  const ended = m.scheduled_until !== null && now >= m.scheduled_until;
  if (m.auto_complete && ended) return 'completed';
  if (m.status === 'scheduled' && m.auto_start && now >= m.scheduled_for) return 'in_progress';
  return m.status;
}

export function isMaintenanceActive(status: MaintenanceStatus): boolean {
  return status === 'in_progress' || status === 'verifying';
}

/** A component under an active maintenance shows under_maintenance unless it is worse off than that. */
export function effectiveStatus(stored: ComponentStatus, underMaintenance: boolean): ComponentStatus {
  if (!underMaintenance) return stored;
  return stored === 'partial_outage' || stored === 'major_outage' ? stored : 'under_maintenance';
}

// Statuspage counts a partial outage as 30 % of a major outage's downtime; degraded performance and
// maintenance count as up.
const DOWNTIME_WEIGHT: Record<ComponentStatus, number> = {
  operational: 0,
  degraded_performance: 0,
  under_maintenance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};
const DAY_MS = 86_400_000;
export const UPTIME_DAYS = 90;

export interface StatusChange {
  status: ComponentStatus;
  at: Date;
}

export interface UptimeDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** The worst status the component had that day. */
  worst: ComponentStatus;
  /** Weighted downtime in seconds. */
  downtime: number;
}

export interface Uptime {
  /** 0..100, two decimals. */
  percent: number;
  days: UptimeDay[];
}

const SEVERITY_RANK: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/**
 * Uptime over the last `days` UTC days up to `now`, from the status in force before the window
 * (`before`) and the changes inside it (sorted by time). Time before the component existed
 * (`since`) does not count.
 */
export function uptimeOf(
  before: ComponentStatus,
  changes: StatusChange[],
  since: Date,
  now: Date,
  days = UPTIME_DAYS,
): Uptime {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const start = today - (days - 1) * DAY_MS;
  const out: UptimeDay[] = [];
  let status = before;
  let i = 0;
  let total = 0;
  let down = 0;
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY_MS;
    const dayEnd = Math.min(dayStart + DAY_MS, now.getTime());
    let worst = status;
    let downtime = 0;
    let cursor = Math.max(dayStart, since.getTime());
    const counts = cursor < dayEnd;
    while (i < changes.length && (changes[i] as StatusChange).at.getTime() < dayEnd) {
      const c = changes[i] as StatusChange;
      const at = c.at.getTime();
      if (at > cursor) {
        downtime += ((at - cursor) / 1000) * DOWNTIME_WEIGHT[status];
        cursor = at;
      }
      status = c.status;
      if (at >= dayStart && SEVERITY_RANK[status] > SEVERITY_RANK[worst]) worst = status;
      i++;
    }
    if (dayEnd > cursor) downtime += ((dayEnd - cursor) / 1000) * DOWNTIME_WEIGHT[status];
    if (counts) {
      total += (dayEnd - Math.max(dayStart, since.getTime())) / 1000;
      down += downtime;
    }
    out.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      worst: counts ? worst : 'operational',
      downtime: Math.round(downtime),
    });
  }
  const percent = total > 0 ? Math.round((1 - down / total) * 10_000) / 100 : 100;
  return { percent, days: out };
}

/** The text in the reader's language, else the first of the fallbacks that has one, else any. */
export function pickText(bodies: Record<string, string>, order: readonly string[]): string {
  for (const lang of order) {
    const t = bodies[lang];
    if (t !== undefined && t.trim() !== '') return t;
  }
  return Object.values(bodies).find((t) => t.trim() !== '') ?? '';
}

/**
 * The reader's language: `?lang=` when the page has it, else the best Accept-Language match, else
 * the page's first language.
 */
export function negotiateLanguage(
  languages: readonly string[],
  requested: string | undefined,
  acceptLanguage: string | undefined,
): string {
  const first = languages[0] ?? 'en';
  if (requested && languages.includes(requested)) return requested;
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag !== '' && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    const exact = languages.find((l) => l.toLowerCase() === tag);
    if (exact) return exact;
    const base = languages.find((l) => l.toLowerCase() === tag.split('-')[0]);
    if (base) return base;
  }
  return first;
}

/** The reader's language first, then the page's languages in order: the fallback chain of a text. */
export function fallbackOrder(language: string, languages: readonly string[]): string[] {
  return [...new Set([language, ...languages, 'en'])];
}
