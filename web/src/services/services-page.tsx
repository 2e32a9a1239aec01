import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { answer, api, raw } from '../api/client';
import type { Alert, Integration, Service } from '../api/models';
import { useServices } from '../api/shared-queries';
import { useCan } from '../auth/session';
import { Copyable } from '../ui/copy';
import { ErrorNote } from '../ui/field';
import { Time } from '../ui/time';
import { Heartbeats } from './heartbeats';

interface Check {
  id: string;
  name: string;
  url: string;
  state: string;
  interval: string;
  last_run_at: string | null;
  last_error: string | null;
}

/** Services, and for one service: its integrations (URL and key to copy, a test event), recent alerts, checks. */
export default function ServicesPage() {
  const { name } = useParams();
  const services = useServices();
  return (
    <section aria-labelledby="services-title">
      <h1 id="services-title">Services and integrations</h1>
      <ErrorNote error={services.error} />
      <nav aria-label="Services" className="tabs">
        {(services.data ?? []).map((s) => (
          <Link
            key={s.name}
            to={`/services/${s.name}`}
            className={s.name === name ? 'active' : ''}
            aria-current={s.name === name ? 'page' : undefined}
          >
            {s.name}
          </Link>
        ))}
      </nav>
      {name ? <ServiceDetail name={name} /> : <p className="muted">Choose a service.</p>}
      <Heartbeats />
    </section>
  );
}

function ServiceDetail({ name }: { name: string }) {
  const service = useQuery({
    queryKey: ['service', name],
    queryFn: () =>
      answer<{ service: Service; integrations: Integration[] }>(
        api.GET('/api/v1/services/{name}', { params: { path: { name } } }),
      ),
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'service', name],
    queryFn: () =>
      answer<{ alerts: Alert[] }>(
        api.GET('/api/v1/alerts', { params: { query: { service: name, status: 'all', limit: 10 } } }),
      ).then((a) => a.alerts),
  });
  const checks = useQuery({
    queryKey: ['checks', name],
    queryFn: () =>
      answer<{ checks: Check[] }>(api.GET('/api/v1/checks', { params: { query: { service: name } } })).then(
        (a) => a.checks,
      ),
  });
  if (!service.data) return <ErrorNote error={service.error} />;
  const s = service.data.service;
  return (
    <>
      <h2>{s.name}</h2>
      <p className="muted">
        {s.description} · plan {s.plan_name ?? '—'} · escalation policy {s.escalation_policy ?? '—'}
      </p>
      <h3>Integrations</h3>
      <ul className="plain">
        {service.data.integrations.map((i) => (
          <IntegrationCard key={i.id} integration={i} />
        ))}
      </ul>
      <h3>Recent alerts</h3>
      {(alerts.data ?? []).length === 0 ? (
        <p className="muted">No alerts yet.</p>
      ) : (
        <ul className="plain" aria-label="Recent alerts">
          {(alerts.data ?? []).map((a) => (
            <li key={a.id}>
              <span className="badge">{a.status}</span> {a.summary} · <Time at={String(a.first_seen_at)} />
            </li>
          ))}
        </ul>
      )}
      <h3>Checks</h3>
      {(checks.data ?? []).length === 0 ? (
        <p className="muted">No checks.</p>
      ) : (
        <ul className="plain">
          {(checks.data ?? []).map((c) => (
            <li key={c.id}>
              <span className="badge">{c.state}</span> {c.name} <code>{c.url}</code> every {c.interval}
              {c.last_run_at ? (
                <span className="muted small">
                  {' '}
                  · last run <Time at={c.last_run_at} />
                </span>
              ) : null}
              {c.last_error ? <span className="field-error"> {c.last_error}</span> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * A test event in the integration's own wire format, sent to its own URL (so it proves the path a
 * real sender takes). Only formats whose minimal event is fixed by a public spec are offered.
 */
function testEvent(integration: Integration): { path: string; body: unknown } | null {
  const path = integration.url ? new URL(integration.url, window.location.origin).pathname : '';
  const summary = `Test event from the Tocsin console (${integration.name})`;
  if (integration.type === 'pagerduty') {
    return {
      path,
      body: {
        routing_key: integration.key,
        event_action: 'trigger',
        payload: { summary, source: 'tocsin-console', severity: 'info' },
      },
    };
  }
  if (integration.type === 'alertmanager') {
    return {
      path,
      body: {
        version: '4',
        status: 'firing',
        receiver: 'tocsin',
        groupKey: 'tocsin-console-test',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'TocsinConsoleTest', severity: 'info' },
            annotations: { summary },
            startsAt: new Date().toISOString(),
            fingerprint: `console-test-${Date.now()}`,
          },
        ],
      },
    };
  }
  return null;
}

function IntegrationCard({ integration }: { integration: Integration }) {
  const client = useQueryClient();
  const canSend = useCan('alert:update');
  const [sent, setSent] = useState(false);
  const event = testEvent(integration);
  const send = useMutation({
    mutationFn: () => (event ? raw('POST', event.path, event.body) : Promise.resolve()),
    onSuccess: () => {
      setSent(true);
      void client.invalidateQueries({ queryKey: ['alerts'] });
    },
  });
  return (
    <li className="card" data-integration={integration.name}>
      <strong>{integration.name}</strong> <span className="badge">{integration.type}</span>
      {integration.url && <Copyable label="URL" value={integration.url} />}
      <Copyable label="Key" value={integration.key} />
      {canSend && event && (
        <div className="row">
          <button
            type="button"
            className="button small"
            onClick={() => send.mutate()}
            disabled={send.isPending}
          >
            Send test event
          </button>
          {sent && <span role="status">Test event accepted.</span>}
        </div>
      )}
      <ErrorNote error={send.error} />
    </li>
  );
}
