import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { raw } from '../api/client';
import type {
  ComplianceRow,
  FrequencyBucket,
  GoalRow,
  MetricsRow,
  OnCallLoadRow,
  RootCauseReport,
} from '../api/models';
import { ErrorNote } from '../ui/field';
import { TableWrap } from '../ui/table-wrap';
import { duration } from '../ui/time';
import { BarChart } from './bar-chart';

const PERIODS = [
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
  ['365', 'Last year'],
] as const;

const ms = (v: number | null) => (v === null ? '—' : duration(v));
const pct = (r: number | null) => (r === null ? '—' : `${Math.round(r * 1000) / 10}%`);

function periodQuery(days: string, exercises: boolean): string {
  const to = new Date();
  const from = new Date(to.getTime() - Number(days) * 24 * 3_600_000);
  const base = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  return exercises ? `${base}&include_exercises=true` : base;
}

/** Incidents per bucket as bars labelled by the bucket's first day. */
export function frequencyBars(buckets: FrequencyBucket[]) {
  return buckets.map((b) => ({ label: b.start.slice(0, 10), value: b.incidents }));
}

/** Each target's rate over every severity (the rows without a severity), in percent. */
export function complianceBars(rows: ComplianceRow[]) {
  return rows
    .filter((r) => r.severity === null)
    .map((r) => ({ label: r.target, value: r.rate === null ? null : Math.round(r.rate * 1000) / 10 }));
}

/** Root-cause categories, then the incidents without one. */
export function rootCauseBars(r: RootCauseReport | undefined) {
  if (!r) return [];
  return [
    ...r.categories.map((c) => ({ label: c.category, value: c.incidents })),
    { label: '(uncategorised)', value: r.uncategorised },
  ];
}

/** MTTA and MTTR per severity as bars, with the plan's per-severity MTTR goal as a line. */
export function severityBars(rows: MetricsRow[], goals: GoalRow[], metric: 'mtta' | 'mttr') {
  return rows
    .filter((r) => r.group_by === 'severity')
    .map((r) => ({
      label: r.group ?? '—',
      value: r[metric].mean_ms,
      limit:
        goals.find((g) => g.goal === metric && g.severity === r.group)?.target ??
        goals.find((g) => g.goal === metric && g.severity === null)?.target,
    }));
}

/** Response metrics, target compliance and goals over a period (GET /api/v1/reports/…). */
export default function ReportsPage() {
  const [days, setDays] = useState<string>('90');
  const [exercises, setExercises] = useState(false);
  const q = periodQuery(days, exercises);
  const frequency = useQuery({
    queryKey: ['reports', 'frequency', days, exercises],
    queryFn: () =>
      raw<{ buckets: FrequencyBucket[] }>(
        'GET',
        `/api/v1/reports/frequency?${q}&bucket=${days === '365' ? 'month' : 'week'}`,
      ),
  });
  const rootCauses = useQuery({
    queryKey: ['reports', 'root-causes', days, exercises],
    queryFn: () => raw<RootCauseReport>('GET', `/api/v1/reports/root-causes?${q}`),
  });
  const load = useQuery({
    queryKey: ['reports', 'oncall-load', days, exercises],
    queryFn: () => raw<{ rows: OnCallLoadRow[] }>('GET', `/api/v1/reports/oncall-load?${q}`),
  });
  const metrics = useQuery({
    queryKey: ['reports', 'metrics', days, exercises],
    queryFn: () => raw<{ rows: MetricsRow[] }>('GET', `/api/v1/reports/metrics?${q}`),
  });
  const compliance = useQuery({
    queryKey: ['reports', 'compliance', days, exercises],
    queryFn: () => raw<{ rows: ComplianceRow[] }>('GET', `/api/v1/reports/compliance?${q}`),
  });
  const goals = useQuery({
    queryKey: ['reports', 'goals', days, exercises],
    queryFn: () => raw<{ goals: GoalRow[]; plan: string | null }>('GET', `/api/v1/reports/goals?${q}`),
  });
  const rows = metrics.data?.rows ?? [];
  const goalRows = goals.data?.goals ?? [];
  return (
    <section aria-labelledby="reports-title">
      <h1 id="reports-title">Reports</h1>
      <label>
        Period{' '}
        <select value={days} onChange={(e) => setDays(e.target.value)}>
          {PERIODS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        <input type="checkbox" checked={exercises} onChange={(e) => setExercises(e.target.checked)} /> Include
        exercises
      </label>{' '}
      <a href={`/api/v1/reports/metrics?${q}&format=csv`} download>
        Metrics as CSV
      </a>
      <ErrorNote error={metrics.error ?? compliance.error ?? goals.error} />
      <h2>Goals{goals.data?.plan ? ` of ${goals.data.plan}` : ''}</h2>
      {goalRows.length === 0 ? (
        <p className="empty">
          {goals.isLoading ? 'Loading…' : 'No goals to judge (one plan with goals is needed).'}
        </p>
      ) : (
        <ul className="plain">
          {goalRows.map((g) => (
            <li key={`${g.goal}-${g.severity}`}>
              <span className={`badge ${g.met === false ? 'bad' : g.met ? 'ok' : ''}`}>
                {g.met === null ? 'no data' : g.met ? 'met' : 'not met'}
              </span>{' '}
              {g.goal} {g.severity ?? ''}: {g.description} — target{' '}
              {g.goal === 'maxPerQuarter' ? g.target : ms(g.target)}, actual{' '}
              {g.goal === 'maxPerQuarter' ? (g.actual ?? '—') : ms(g.actual)}
            </li>
          ))}
        </ul>
      )}
      <h2>Incident frequency</h2>
      <BarChart
        title={`Incidents per ${days === '365' ? 'month' : 'week'}`}
        bars={frequencyBars(frequency.data?.buckets ?? [])}
        format={String}
      />
      <h2>Response times</h2>
      <BarChart
        title="Mean time to acknowledge per severity"
        bars={severityBars(rows, goalRows, 'mtta')}
        format={ms}
      />
      <BarChart
        title="Mean time to resolve per severity"
        bars={severityBars(rows, goalRows, 'mttr')}
        format={ms}
      />
      <TableWrap label="Response metrics">
        <table>
          <thead>
            <tr>
              <th scope="col">By</th>
              <th scope="col">Group</th>
              <th scope="col">Incidents</th>
              <th scope="col">MTTD mean / median / p90</th>
              <th scope="col">MTTA mean / median / p90</th>
              <th scope="col">MTTR mean / median / p90</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.group_by}-${r.group}`}>
                <td>{r.group_by}</td>
                <td>{r.group ?? (r.group_by === 'all' ? 'all' : '(none)')}</td>
                <td>{r.incidents}</td>
                {(['mttd', 'mtta', 'mttr'] as const).map((m) => (
                  <td key={m}>
                    {ms(r[m].mean_ms)} / {ms(r[m].median_ms)} / {ms(r[m].p90_ms)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h2>Target compliance</h2>
      <BarChart
        title="Targets met, every severity (%)"
        bars={complianceBars(compliance.data?.rows ?? [])}
        format={(v) => `${v}%`}
      />
      <TableWrap label="Target compliance">
        <table>
          <thead>
            <tr>
              <th scope="col">Target</th>
              <th scope="col">Severity</th>
              <th scope="col">Met</th>
              <th scope="col">Breached</th>
              <th scope="col">Pending</th>
              <th scope="col">Rate</th>
            </tr>
          </thead>
          <tbody>
            {(compliance.data?.rows ?? []).map((r) => (
              <tr key={`${r.target}-${r.severity}`}>
                <td>{r.target}</td>
                <td>{r.severity ?? 'all'}</td>
                <td>{r.met}</td>
                <td>{r.breached}</td>
                <td>{r.pending}</td>
                <td>{pct(r.rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <h2>Root causes</h2>
      <BarChart
        title="Incidents per root-cause category"
        bars={rootCauseBars(rootCauses.data)}
        format={String}
      />
      <h2>On-call load</h2>
      <BarChart
        title="Pages per person"
        bars={(load.data?.rows ?? []).map((r) => ({ label: r.user, value: r.pages }))}
        format={String}
      />
      <TableWrap label="On-call load">
        <table>
          <thead>
            <tr>
              <th scope="col">Person</th>
              <th scope="col">Pages</th>
              <th scope="col">Night pages (22:00–07:00 their time)</th>
              <th scope="col">Hours on call</th>
            </tr>
          </thead>
          <tbody>
            {(load.data?.rows ?? []).map((r) => (
              <tr key={r.user}>
                <td>{r.name}</td>
                <td>{r.pages}</td>
                <td>{r.night_pages}</td>
                <td>{r.hours_on_call}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
    </section>
  );
}
