import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { auth, type TestApp } from '../../../test/helpers.ts';

// Shared by the inbound format tests: a service with one integration, created through the API.

/** Creates the service (once) and an integration of the type; returns the integration's key. */
export async function createIntegration(
  t: TestApp,
  service: string,
  type: string,
  config?: Record<string, unknown>,
  name?: string,
): Promise<string> {
  const existing = await t.app.inject({ url: `/api/v1/services/${service}`, headers: auth(t.adminToken) });
  if (existing.statusCode === 404) {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/services',
      headers: auth(t.adminToken),
      payload: { name: service },
    });
    expect(created.statusCode).toBe(201);
  }
  const integration = await t.app.inject({
    method: 'POST',
    url: `/api/v1/services/${service}/integrations`,
    headers: auth(t.adminToken),
    payload: { type, ...(config ? { config } : {}), ...(name ? { name } : {}) },
  });
  expect(integration.statusCode, integration.body).toBe(201);
  const { key, url } = integration.json().integration;
  const path = type === 'pagerduty' ? '/v2/enqueue' : `/api/v1/integrations/${type}/${key}`;
  expect(url).toBe(`http://tocsin.test${path}`);
  return key;
}

export async function postAlert(t: TestApp, type: string, key: string, body: unknown) {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/integrations/${type}/${key}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() };
}

export async function storedRows(t: TestApp) {
  const [alerts, events] = await Promise.all([
    t.db
      .selectFrom('alerts')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
    t.db
      .selectFrom('alert_events')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { alerts: Number(alerts.n), events: Number(events.n) };
}

export function alertsWithKey(t: TestApp, dedupKey: string) {
  return t.db.selectFrom('alerts').selectAll().where('dedup_key', '=', dedupKey).orderBy('id').execute();
}

/** A provider's documented example payload, from ./fixtures (a fresh copy each time). */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** One Alertmanager webhook group (version 4) of one firing alert with this fingerprint. */
export const alertmanagerGroup = (fingerprint: string) => ({
  version: '4',
  status: 'firing',
  receiver: 'tocsin',
  groupKey: '{}:{alertname="DiskFull"}',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: { alertname: 'DiskFull' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager.example:9093',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'DiskFull', instance: 'db-1' },
      annotations: { summary: 'Disk full on db-1' },
      startsAt: '2026-03-02T09:55:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example:9090/graph',
      fingerprint,
    },
  ],
});
