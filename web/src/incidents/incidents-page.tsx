import { useMemo } from 'react';
import { Link } from 'react-router';
import type { Incident } from '../api/models';
import { useServices, useTeams } from '../api/shared-queries';
import { ErrorNote } from '../ui/field';
import { FilterBar, FilterCheck, FilterSelect, useFilterParams } from '../ui/filter-bar';
import { Time } from '../ui/time';
import { useIncidents, usePlans } from './queries';

const STATES = ['open', 'resolved', 'all'] as const;

/** Open incidents first, then newest first. */
export function sortIncidents(list: Incident[]): Incident[] {
  return [...list].sort((a, b) => {
    const openA = a.resolved_at ? 1 : 0;
    const openB = b.resolved_at ? 1 : 0;
    if (openA !== openB) return openA - openB;
    return b.declared_at.localeCompare(a.declared_at);
  });
}

/** The incident list: filters live in the address (shareable) and run on the server; the list updates live. */
export default function IncidentsPage() {
  const filters = useFilterParams();
  const state = filters.oneOf('state', STATES, 'open');
  const severity = filters.get('severity');
  const service = filters.get('service');
  const team = filters.get('team');
  const mine = filters.get('mine') === '1';
  const incidents = useIncidents({ state, severity, service, team, mine });
  const plans = usePlans();
  const services = useServices();
  const teams = useTeams();
  const severities = useMemo(
    () => [...new Set((plans.data ?? []).flatMap((p) => p.severities))],
    [plans.data],
  );
  const shown = useMemo(() => sortIncidents(incidents.data ?? []), [incidents.data]);

  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">Incidents</h1>
      <FilterBar label="Filter incidents">
        <FilterSelect
          label="State"
          value={state}
          options={[
            { value: 'open', label: 'Open' },
            { value: 'resolved', label: 'Resolved' },
            { value: 'all', label: 'All' },
          ]}
          onChange={(v) => filters.set('state', v === 'open' ? '' : v)}
        />
        <FilterSelect
          label="Severity"
          value={severity}
          any="Any"
          options={severities}
          onChange={(v) => filters.set('severity', v)}
        />
        <FilterSelect
          label="Service"
          value={service}
          any="Any"
          options={(services.data ?? []).map((s) => s.name)}
          onChange={(v) => filters.set('service', v)}
        />
        <FilterSelect
          label="Team"
          value={team}
          any="Any"
          options={(teams.data ?? []).map((t) => t.name)}
          onChange={(v) => filters.set('team', v)}
        />
        <FilterCheck label="Mine" checked={mine} onChange={(on) => filters.set('mine', on ? '1' : '')} />
      </FilterBar>
      <ErrorNote error={incidents.error} />
      {incidents.isLoading ? (
        <p className="muted">Loading incidents…</p>
      ) : shown.length === 0 ? (
        <p className="empty">No incidents match.</p>
      ) : (
        <ul className="incident-list" aria-label="Incidents">
          {shown.map((i) => (
            <li key={i.id} className={i.resolved_at ? 'resolved' : 'open'}>
              <span className={`sev sev-${i.severity.toLowerCase()}`}>{i.severity}</span>
              <div className="incident-main">
                <Link to={`/incidents/${i.id}`}>{i.title}</Link>
                <span className="muted small">
                  #{i.id}
                  {i.type ? ` · ${i.type}` : ''} · {i.state}
                  {i.service ? ` · ${i.service}` : ''} · {i.plan_name} · declared <Time at={i.declared_at} />
                </span>
              </div>
              <span className={`badge ${i.acknowledged_at ? 'ok' : 'warn'}`}>
                {i.resolved_at ? 'resolved' : i.acknowledged_at ? 'acknowledged' : 'unacknowledged'}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
