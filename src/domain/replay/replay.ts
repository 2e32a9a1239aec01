import { formatDuration } from '../../lib/duration.ts';
import { formatTable } from '../../lib/table.ts';
import { momentOf } from '../drills/judge.ts';
import type { Incident } from '../incidents/incident.ts';
import type { TargetStatus } from '../incidents/targets.ts';
import type { Plan } from '../plans/plan.ts';
import { definitionsOf, METRICS, type Metric } from '../reports/reports.ts';

// What-if replay: each past incident of a plan as it happened, and as it would have gone under a
// changed plan (the people's actions at their real times, the engine deciding the rest afresh).

export interface ReplayPage {
  to: string;
  at_offset: string;
  channel: string;
  shadow?: true;
}

/** One side of an incident: what happened (actual, old plan) or what would have (replay, new plan). */
export interface ReplaySide {
  /** The plan version the incident ran under; null for the replay (the changed plan, not stored). */
  plan_version: number | null;
  /** The severity it was declared at; null when the changed plan's alert rules declared nothing. */
  declared_severity: string | null;
  paged: ReplayPage[];
  /** Targets past their due time unmet (met late or never). */
  breached: string[];
  metrics: Record<Metric, number | null>;
  state: string;
}

export interface ReplayIncident {
  incident_id: string;
  title: string;
  severity: string;
  declared_at: string;
  /** How it began: from alerts (replayed through ingest and the alert rules) or declared by hand. */
  origin: 'alerts' | 'declared';
  actual: ReplaySide;
  replay: ReplaySide & {
    /** Steps the new plan refused (e.g. a resolve before its verification window held). */
    refused: { at: string; do: string; error: string }[];
  };
  targets: { target: string; actual: TargetStatus | null; replay: TargetStatus | null }[];
}

export interface ReplayTotals {
  incidents: number;
  /** Per target: how many incidents breached it, then and under the new plan. */
  breaches: { target: string; actual: number; replay: number }[];
  /** Per person: how many pages they got, then and under the new plan. */
  pages: { to: string; actual: number; replay: number }[];
  /** Mean of each metric over the incidents that reached it (ms), then and under the new plan. */
  metrics: { metric: Metric; actual: number | null; replay: number | null }[];
}

export interface ReplayReport {
  plan: string;
  /** The file (or stored version) replayed. */
  source: string;
  from: string;
  to: string;
  /** Incidents in the period (this answer holds `incidents.length` of them, after `after`). */
  total: number;
  incidents: ReplayIncident[];
  totals: ReplayTotals;
  /** The last incident id of this answer when more remain: repeat with `after` set to it. */
  next: string | null;
}

/** Each metric of the incident as the plan defines it (goals.*.from/to), in ms; null if not reached. */
export function incidentMetrics(plan: Plan, incident: Incident): Record<Metric, number | null> {
  const definitions = definitionsOf(plan);
  const out = {} as Record<Metric, number | null>;
  for (const m of METRICS) {
    const from = momentOf(incident, definitions[m].from);
    const to = momentOf(incident, definitions[m].to);
    out[m] = from && to ? to.getTime() - from.getTime() : null;
  }
  return out;
}

/** The totals over any set of replayed incidents (the CLI adds up the pages it asked for). */
export function replayTotals(incidents: ReplayIncident[]): ReplayTotals {
  const targets = [...new Set(incidents.flatMap((i) => i.targets.map((t) => t.target)))];
  const people = [
    ...new Set(incidents.flatMap((i) => [...i.actual.paged, ...i.replay.paged].map((p) => p.to))),
  ].sort();
  const count = (side: 'actual' | 'replay', pred: (s: ReplaySide) => number) =>
    incidents.reduce((n, i) => n + pred(i[side]), 0);
  const mean = (side: 'actual' | 'replay', m: Metric) => {
    const values = incidents.map((i) => i[side].metrics[m]).filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  };
  return {
    incidents: incidents.length,
    breaches: targets.map((target) => ({
      target,
      actual: count('actual', (s) => (s.breached.includes(target) ? 1 : 0)),
      replay: count('replay', (s) => (s.breached.includes(target) ? 1 : 0)),
    })),
    pages: people.map((to) => ({
      to,
      actual: count('actual', (s) => s.paged.filter((p) => p.to === to && !p.shadow).length),
      replay: count('replay', (s) => s.paged.filter((p) => p.to === to && !p.shadow).length),
    })),
    metrics: METRICS.map((metric) => ({
      metric,
      actual: mean('actual', metric),
      replay: mean('replay', metric),
    })),
  };
}

const ms = (v: number | null) => (v === null ? '—' : formatDuration(Math.round(v / 1000) * 1000));
const pagedList = (pages: ReplayPage[]) =>
  pages.length === 0
    ? 'nobody'
    : pages.map((p) => `${p.to}${p.shadow ? ' (shadow)' : ''} ${p.at_offset}`).join(', ');
/** How the incident began, and whether the changed plan would have declared it the same way. */
export function originLine(i: ReplayIncident): string {
  if (i.origin === 'declared') return 'declared by hand: replayed as declared';
  const then = i.actual.declared_severity;
  const now = i.replay.declared_severity;
  if (now === null)
    return `began from alerts (declared at ${then}): the changed plan would not have declared it`;
  return now === then
    ? `began from alerts: declared at ${then}, the same under the changed plan`
    : `began from alerts: declared at ${then}, at ${now} under the changed plan`;
}

const breachList = (b: string[]) => (b.length === 0 ? 'none' : b.join(', '));

/** The report people read: one block per incident (then → replayed), then the totals. */
export function formatReplayReport(r: ReplayReport): string {
  const lines: string[] = [
    `Replay of plan ${r.plan} under ${r.source}: ${r.incidents.length} incident(s) declared ${r.from} → ${r.to}`,
  ];
  for (const i of r.incidents) {
    lines.push('');
    lines.push(`#${i.incident_id} ${i.title} (${i.severity}, declared ${i.declared_at})`);
    lines.push(`  ${originLine(i)}`);
    lines.push(
      formatTable(
        ['', `then (version ${i.actual.plan_version})`, 'replayed'],
        [
          ['paged', pagedList(i.actual.paged), pagedList(i.replay.paged)],
          ['breached', breachList(i.actual.breached), breachList(i.replay.breached)],
          ...METRICS.map((m) => [m, ms(i.actual.metrics[m]), ms(i.replay.metrics[m])]),
          ['state', i.actual.state, i.replay.state],
        ],
      ),
    );
    for (const s of i.replay.refused)
      lines.push(`  refused under the new plan: ${s.do} at ${s.at}: ${s.error}`);
  }
  const t = r.totals;
  lines.push('');
  lines.push(`Totals over ${t.incidents} incident(s):`);
  lines.push(
    formatTable(
      ['', 'then', 'replayed'],
      [
        ...t.breaches.map((b) => [`${b.target} breached`, b.actual, b.replay]),
        ...t.pages.map((p) => [`pages to ${p.to}`, p.actual, p.replay]),
        ...t.metrics.map((m) => [`${m.metric} mean`, ms(m.actual), ms(m.replay)]),
      ],
    ),
  );
  return lines.join('\n');
}
