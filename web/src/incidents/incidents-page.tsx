import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Incident } from '../api/models';
import { useUser } from '../auth/session';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';
import { type IncidentFilters, useIncidents, usePlans } from './queries';

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

/** The incident list: filters live in the address (shareable), the list updates live. */
export default function IncidentsPage() {
  const [params, setParams] = useSearchParams();
  const user = useUser();
  const state = (STATES as readonly string[]).includes(params.get('state') ?? '')
    ? (params.get('state') as IncidentFilters['state'])
    : 'open';
  const severity = params.get('severity') ?? '';
  const service = params.get('service') ?? '';
  const mine = params.get('mine') === '1';
  const incidents = useIncidents({ state, severity: severity || undefined });
  const plans = usePlans();
  const severities = useMemo(
    () => [...new Set((plans.data ?? []).flatMap((p) => p.severities))],
    [plans.data],
  );
  const services = useMemo(
    () =>
      [
        ...new Set((incidents.data ?? []).map((i) => i.service).filter((s): s is string => Boolean(s))),
      ].sort(),
    [incidents.data],
  );
  const shown = useMemo(
    () =>
      sortIncidents(incidents.data ?? []).filter(
        (i) => (!service || i.service === service) && (!mine || i.created_by === (user.handle ?? user.name)),
      ),
    [incidents.data, service, mine, user],
  );

  function set(key: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  return (
    <section aria-labelledby="incidents-title">
      <h1 id="incidents-title">Incidents</h1>
      <form className="filters" aria-label="Filter incidents" onSubmit={(e) => e.preventDefault()}>
        <label>
          State
          <select
            aria-label="State"
            value={state}
            onChange={(e) => set('state', e.target.value === 'open' ? '' : e.target.value)}
          >
            <option value="open">Open</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </label>
        <label>
          Severity
          <select aria-label="Severity" value={severity} onChange={(e) => set('severity', e.target.value)}>
            <option value="">Any</option>
            {severities.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Service
          <select aria-label="Service" value={service} onChange={(e) => set('service', e.target.value)}>
            <option value="">Any</option>
            {services.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="check">
          <input type="checkbox" checked={mine} onChange={(e) => set('mine', e.target.checked ? '1' : '')} />
          Declared by me
        </label>
      </form>
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
                  #{i.id} · {i.state}
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
