import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { suppressionInputSchema } from '../../../src/domain/maintenance/maintenance.ts';
import { answer, api } from '../api/client';
import type { Alert, Service } from '../api/models';
import { useServices } from '../api/shared-queries';
import { checked } from '../api/validate';
import { useCan } from '../auth/session';
import { ErrorNote, Field, fieldError } from '../ui/field';
import { FilterBar, FilterSelect, useFilterParams } from '../ui/filter-bar';
import { Time } from '../ui/time';

const STATUSES = ['open', 'triggered', 'acknowledged', 'resolved', 'all'] as const;

/** Alerts with filters; acknowledge, resolve, silence; the payload and the incident of each. */
export default function AlertsPage() {
  const filters = useFilterParams();
  const status = filters.oneOf('status', STATUSES, 'open');
  const service = filters.get('service');
  const alerts = useQuery({
    queryKey: ['alerts', status, service],
    queryFn: () =>
      answer<{ alerts: Alert[] }>(
        api.GET('/api/v1/alerts', {
          params: { query: { status, limit: 200, ...(service ? { service } : {}) } },
        }),
      ).then((a) => a.alerts),
    placeholderData: (previous) => previous,
  });
  const services = useServices();
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <FilterBar label="Filter alerts">
        <FilterSelect
          label="Status"
          value={status}
          options={STATUSES}
          onChange={(v) => filters.set('status', v === 'open' ? '' : v)}
        />
        <FilterSelect
          label="Service"
          value={service}
          any="Any"
          options={(services.data ?? []).map((s) => s.name)}
          onChange={(v) => filters.set('service', v)}
        />
      </FilterBar>
      <ErrorNote error={alerts.error} />
      {(alerts.data ?? []).length === 0 ? (
        <p className="empty">{alerts.isLoading ? 'Loading alerts…' : 'No alerts match.'}</p>
      ) : (
        <ul className="plain" aria-label="Alerts">
          {(alerts.data ?? []).map((a) => (
            <AlertRow key={a.id} alert={a} />
          ))}
        </ul>
      )}
      <SilenceForm services={services.data ?? []} />
    </section>
  );
}

function AlertRow({ alert }: { alert: Alert }) {
  const client = useQueryClient();
  const canAct = useCan('alert:update');
  const act = useMutation({
    mutationFn: (verb: 'acknowledge' | 'resolve') =>
      verb === 'acknowledge'
        ? answer(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id: alert.id } } }))
        : answer(api.POST('/api/v1/alerts/{id}/resolve', { params: { path: { id: alert.id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['alerts'] }),
  });
  const [open, setOpen] = useState(false);
  const details = useQuery({
    queryKey: ['alerts', 'one', alert.id],
    enabled: open,
    queryFn: () =>
      answer<{ alert: Alert }>(api.GET('/api/v1/alerts/{id}', { params: { path: { id: alert.id } } })),
  });
  return (
    <li className="card">
      <div className="row">
        <span className="badge">{alert.status}</span>
        <span className="badge">{alert.severity}</span>
        <strong>{alert.summary}</strong>
      </div>
      <p className="muted small">
        {alert.service} · {String(alert.source ?? '')} · first seen <Time at={String(alert.first_seen_at)} />
        {alert.incident_id && (
          <>
            {' '}
            · <Link to={`/incidents/${alert.incident_id}`}>incident #{alert.incident_id}</Link>
          </>
        )}
      </p>
      <div className="row">
        {canAct && alert.status === 'triggered' && (
          <button type="button" className="button small" onClick={() => act.mutate('acknowledge')}>
            Acknowledge
          </button>
        )}
        {canAct && alert.status !== 'resolved' && (
          <button type="button" className="button small" onClick={() => act.mutate('resolve')}>
            Resolve
          </button>
        )}
        <button
          type="button"
          className="button small ghost"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide payload' : 'Show payload'}
        </button>
      </div>
      <ErrorNote error={act.error} />
      {open && <pre>{JSON.stringify(details.data?.alert ?? alert, null, 2)}</pre>}
    </li>
  );
}

function SilenceForm({ services }: { services: Service[] }) {
  const canSilence = useCan('silence:write');
  const [service, setService] = useState('');
  const [matcher, setMatcher] = useState('');
  const [duration, setDuration] = useState('1h');
  const [comment, setComment] = useState('');
  const [done, setDone] = useState(false);
  const create = useMutation({
    mutationFn: (body: {
      service?: string;
      matchers?: { name: string; value: string }[];
      duration: string;
      comment: string;
    }) => answer(api.POST('/api/v1/silences', { body: checked(suppressionInputSchema, body) })),
    onSuccess: () => setDone(true),
  });
  if (!canSilence) return null;
  function submit(event: FormEvent) {
    event.preventDefault();
    setDone(false);
    const [name, ...rest] = matcher.split('=');
    create.mutate({
      duration,
      comment,
      ...(service ? { service } : {}),
      ...(matcher && name ? { matchers: [{ name: name.trim(), value: rest.join('=').trim() }] } : {}),
    });
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Silence alerts">
      <h2 className="visually-hidden">Silence</h2>
      <Field label="Silence service" error={fieldError(create.error, 'service')}>
        {(p) => (
          <select {...p} value={service} onChange={(e) => setService(e.target.value)}>
            <option value="">All services</option>
            {services.map((s) => (
              <option key={s.name}>{s.name}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Label (name=value, optional)" error={fieldError(create.error, 'matchers.0.name')}>
        {(p) => <input {...p} value={matcher} onChange={(e) => setMatcher(e.target.value)} />}
      </Field>
      <Field label="For" error={fieldError(create.error, 'duration')}>
        {(p) => <input {...p} value={duration} size={6} onChange={(e) => setDuration(e.target.value)} />}
      </Field>
      <Field label="Why" error={fieldError(create.error, 'comment')}>
        {(p) => <input {...p} required value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <button type="submit" className="button">
        Silence
      </button>
      {done && <span role="status">Silence created.</span>}
      <ErrorNote error={create.error} shownFields={['service', 'duration', 'comment', 'matchers.0.name']} />
    </form>
  );
}
