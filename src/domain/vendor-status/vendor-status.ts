import { z } from 'zod';
import type { Row } from '../../db/schema.ts';
import { formatDuration, parseDuration } from '../../lib/duration.ts';
import type { InboundAlertEvent } from '../alerts/alerts.ts';
import { boundedDuration, httpUrlSchema } from '../checks/checks.ts';
import { type AlertSeverity, nameSchema } from '../services/services.ts';

// Vendor status: the engine reads third-party status pages in the Atlassian Statuspage v2 format
// (<page>/api/v2/summary.json — also what Tocsin's own status page serves) and raises an alert of the
// watching service while a watched component is not operational (seed "job-application platform"
// lists vendor outages as a detection method). Scheduling is the probes mechanism of HTTP checks
// (src/domain/checks/probes.ts).

export const vendorWatchInputSchema = z
  .strictObject({
    service: nameSchema.describe('the service whose alerts it raises (the one that depends on the vendor)'),
    name: nameSchema.describe('unique; alerts are keyed vendor:<name>:<component>'),
    url: httpUrlSchema.describe('the status page, e.g. https://www.githubstatus.com (or its summary.json)'),
    components: z
      .array(z.string().trim().min(1).max(200))
      .max(100)
      .default([])
      .describe('names of the components to watch; none: every component'),
    interval: boundedDuration('30s', '1d').default('5m').describe('how often to read the page'),
    timeout: boundedDuration('1s', '1m').default('10s'),
  })
  .refine((w) => parseDuration(w.timeout) < parseDuration(w.interval), {
    path: ['timeout'],
    message: 'must be shorter than the interval',
  });
export type VendorWatchInput = z.input<typeof vendorWatchInputSchema>;

export const listVendorWatchesQuerySchema = z.strictObject({ service: nameSchema.optional() });

export type VendorWatchRow = Row<'vendor_watches'>;

/** Where the summary is: the URL itself if it names a .json file, else <url>/api/v2/summary.json. */
export function summaryUrl(url: string): string {
  const u = new URL(url);
  if (u.pathname.endsWith('.json')) return u.href;
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v2/summary.json`;
  return u.href;
}

/** What Tocsin reads of a summary.json; the rest (incidents, maintenances …) is ignored. */
export const statuspageSummarySchema = z.object({
  page: z.object({ name: z.string() }).optional(),
  components: z.array(
    z.object({
      name: z.string(),
      status: z.string(),
      group: z.boolean().nullish(),
      group_id: z.string().nullish(),
    }),
  ),
});
export type StatuspageSummary = z.infer<typeof statuspageSummarySchema>;

export const OPERATIONAL = 'operational';

// Statuspage's component statuses, least to most serious; an unknown one ranks as degraded.
const RANK: Record<string, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};
const rank = (status: string) => RANK[status] ?? 2;

const SEVERITY: Record<string, AlertSeverity> = {
  major_outage: 'critical',
  partial_outage: 'error',
  degraded_performance: 'warning',
  under_maintenance: 'info',
};

/** The severity of the alert a component status raises (an unknown status: warning). */
export function severityOfStatus(status: string): AlertSeverity {
  return SEVERITY[status] ?? 'warning';
}

export interface PageReading {
  pageName: string | null;
  /** Watched component name → its status (the worst, if the page shows the name twice). */
  statuses: Record<string, string>;
  /** Watched names the page does not show. */
  missing: string[];
}

/**
 * The statuses of the watched components (names compared ignoring case and surrounding spaces); with
 * no names given, of every component but the groups (a group's status only repeats its members').
 */
export function readPage(page: StatuspageSummary, watched: readonly string[]): PageReading {
  const key = (name: string) => name.trim().toLowerCase();
  const statuses: Record<string, string> = {};
  const wanted = new Map(watched.map((name) => [key(name), name]));
  for (const c of page.components) {
    const name = watched.length === 0 ? (c.group ? undefined : c.name.trim()) : wanted.get(key(c.name));
    if (name === undefined) continue;
    const seen = statuses[name];
    if (seen === undefined || rank(c.status) > rank(seen)) statuses[name] = c.status;
  }
  return {
    pageName: page.page?.name ?? null,
    statuses,
    missing: watched.filter((name) => statuses[name] === undefined),
  };
}

/** The alert of one component of one watch: its next operational reading resolves it by key. */
export function vendorDedupKey(watch: string, component: string): string {
  return `vendor:${watch}:${component}`;
}

export function vendorSummary(vendor: string, component: string, status: string): string {
  return `${vendor}: ${component} is ${status.replaceAll('_', ' ')}`;
}

export type VendorOutcome = ({ ok: true } & PageReading) | { ok: false; reason: string };

/**
 * The alert events a reading makes: a trigger for every watched component not operational — every
 * reading, so the alert's count and last-seen show it lasts, and its severity follows the status —
 * and a resolve for each that was not operational at the previous reading and now is, or is no
 * longer shown at all.
 */
export function vendorEvents(
  watch: Pick<VendorWatchRow, 'name' | 'url' | 'component_status'>,
  reading: PageReading,
  at: Date,
): InboundAlertEvent[] {
  const vendor = reading.pageName ?? watch.name;
  const previous = watch.component_status;
  const wasDown = (component: string) => {
    const status = previous[component];
    return status !== undefined && status !== OPERATIONAL;
  };
  const events: InboundAlertEvent[] = [];
  for (const [component, status] of Object.entries(reading.statuses)) {
    const dedupKey = vendorDedupKey(watch.name, component);
    const raw = { vendor_watch: watch.name, page: vendor, component, status };
    if (status !== OPERATIONAL) {
      events.push({
        action: 'trigger',
        dedupKey,
        summary: vendorSummary(vendor, component, status),
        source: summaryUrl(watch.url),
        severity: severityOfStatus(status),
        component,
        class: 'vendor-status',
        labels: { vendor: watch.name, component },
        details: { page: vendor, component, status, status_page: watch.url },
        // Kept from the first reading while the alert is open (a repeat does not move it).
        startedAt: at,
        raw,
      });
    } else if (wasDown(component)) {
      events.push({ action: 'resolve', dedupKey, raw });
    }
  }
  for (const component of Object.keys(previous)) {
    if (reading.statuses[component] === undefined && wasDown(component)) {
      events.push({
        action: 'resolve',
        dedupKey: vendorDedupKey(watch.name, component),
        raw: { vendor_watch: watch.name, page: vendor, component, status: 'not shown' },
      });
    }
  }
  return events;
}

export function publicVendorWatch(w: VendorWatchRow & { service_name: string }) {
  return {
    id: w.id,
    service: w.service_name,
    name: w.name,
    url: w.url,
    summary_url: summaryUrl(w.url),
    components: w.components,
    interval: formatDuration(w.interval_ms),
    timeout: formatDuration(w.timeout_ms),
    state: w.state,
    page_name: w.page_name,
    component_status: w.component_status,
    last_run_at: w.last_run_at,
    last_error: w.last_error,
    next_run_at: w.next_run_at,
    created_at: w.created_at,
    updated_at: w.updated_at,
  };
}
