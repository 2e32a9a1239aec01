import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { alertmanagerFormat } from './alertmanager.ts';
import { alertsWithKey, createIntegration, postAlert, storedRows } from './inbound-test-support.ts';
import { labelsFingerprint } from './normalise.ts';

const integration = { config: {}, name: 'alertmanager' };

// Alertmanager webhook version 4, as documented (prometheus.io/docs/alerting/latest/configuration/
// #webhook_config) and as Alertmanager 0.25 sends it: a group, each alert with its own status.
const probeFailure = {
  receiver: 'sms',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: {
        alertname: 'ProbeFailure',
        instance: 'https://server.example.org',
        job: 'http_checks',
        monitor: 'master',
        severity: 'critical',
      },
      annotations: {
        description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
        summary: 'BlackBox Probe Failure: https://server.example.org',
      },
      startsAt: '2023-02-06T13:08:45.828Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
      fingerprint: '1a30ba71cca2921f',
    },
  ],
  groupLabels: { alertname: 'ProbeFailure' },
  commonLabels: {
    alertname: 'ProbeFailure',
    instance: 'https://server.example.org',
    job: 'http_checks',
    monitor: 'master',
    severity: 'critical',
  },
  commonAnnotations: {
    description: 'Instance https://server.example.org has been down for over 5m. Job: http_checks',
    summary: 'BlackBox Probe Failure: https://server.example.org',
  },
  externalURL: 'http://prometheus.example.org:9093',
  version: '4',
  groupKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
  truncatedAlerts: 0,
};

// Without fingerprints (Alertmanager before 0.19), a nanosecond start time and no severity label.
const noFingerprint = {
  receiver: 'webhook',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'Test', dc: 'eu-west-1', instance: 'localhost:9090', job: 'prometheus24' },
      annotations: { description: 'some description' },
      startsAt: '2018-08-03T09:52:26.739266876+02:00',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://example.com:9090/graph?g0.expr=go_memstats_alloc_bytes+%3E+0&g0.tab=1',
    },
  ],
  groupLabels: { alertname: 'Test', job: 'prometheus24' },
  commonLabels: { alertname: 'Test', dc: 'eu-west-1', instance: 'localhost:9090', job: 'prometheus24' },
  commonAnnotations: { description: 'some description' },
  externalURL: 'http://example.com:9093',
  version: '4',
  groupKey: '{}:{alertname="Test", job="prometheus24"}',
};

/** A group of two disk alerts; `resolvedHost` marks one alert resolved while the group still fires. */
function diskGroup(resolvedHost?: string) {
  const alert = (host: string, fingerprint: string) => ({
    status: host === resolvedHost ? 'resolved' : 'firing',
    labels: { alertname: 'DiskFull', instance: host, job: 'node', severity: 'warning' },
    annotations: { summary: `Disk almost full on ${host}` },
    startsAt: '2026-03-02T09:55:00Z',
    endsAt: host === resolvedHost ? '2026-03-02T10:05:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus:9090/graph?g0.expr=disk',
    fingerprint,
  });
  return {
    version: '4',
    groupKey: '{}:{alertname="DiskFull"}',
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'tocsin',
    groupLabels: { alertname: 'DiskFull' },
    commonLabels: { alertname: 'DiskFull', job: 'node', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: [alert('db1:9100', 'aaaa000000000001'), alert('db2:9100', 'aaaa000000000002')],
  };
}

describe('Alertmanager payloads', () => {
  it('maps each alert of a documented group to an event', () => {
    const parsed = alertmanagerFormat.parse(probeFailure, integration);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]).toMatchObject({
      action: 'trigger',
      dedupKey: '1a30ba71cca2921f',
      summary: 'BlackBox Probe Failure: https://server.example.org',
      source: 'https://server.example.org',
      severity: 'critical',
      component: 'http_checks',
      class: 'ProbeFailure',
      labels: probeFailure.commonLabels,
      links: [
        { href: probeFailure.alerts[0]?.generatorURL, text: 'Source' },
        { href: 'http://prometheus.example.org:9093', text: 'Alertmanager' },
      ],
      startedAt: new Date('2023-02-06T13:08:45.828Z'),
      raw: probeFailure.alerts[0],
    });
  });

  it('computes Alertmanager’s own fingerprint when the alert carries none', () => {
    // prometheus/common model: TestLabelsToSignature.
    expect(labelsFingerprint({ name: 'garland, briggs', fear: 'love is not enough' })).toBe(
      BigInt('5799056148416392346').toString(16).padStart(16, '0'),
    );
    expect(labelsFingerprint({})).toBe('cbf29ce484222325');
    const parsed = alertmanagerFormat.parse(noFingerprint, integration);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.events[0]).toMatchObject({
      dedupKey: labelsFingerprint(noFingerprint.alerts[0]?.labels ?? {}),
      summary: 'some description',
      severity: 'error',
      startedAt: new Date('2018-08-03T07:52:26.739Z'),
    });
  });

  it('reads each alert’s own status, ignores the zero time, and maps severities', () => {
    const parsed = alertmanagerFormat.parse(diskGroup('db2:9100'), integration);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.events.map((e) => [e.dedupKey, e.action, e.severity])).toEqual([
      ['aaaa000000000001', 'trigger', 'warning'],
      ['aaaa000000000002', 'resolve', 'warning'],
    ]);
    const severities = ['page', 'CRITICAL', 'high', 'warn', 'medium', 'low', 'none', 'sev-x'].map(
      (severity) => {
        const r = alertmanagerFormat.parse(
          {
            version: '4',
            alerts: [{ status: 'firing', labels: { severity }, startsAt: '0001-01-01T00:00:00Z' }],
          },
          integration,
        );
        return r.ok ? [r.events[0]?.severity, r.events[0]?.startedAt] : r.errors;
      },
    );
    expect(severities).toEqual([
      ['critical', null],
      ['critical', null],
      ['error', null],
      ['warning', null],
      ['warning', null],
      ['info', null],
      ['info', null],
      ['error', null],
    ]);
  });

  it('refuses malformed groups with the path of each problem', () => {
    const cases: [unknown, RegExp][] = [
      [[1, 2], /JSON object/],
      [{ version: '4' }, /'alerts' is missing/],
      [{ version: '3', alerts: [] }, /'version' must be "4"/],
      [{ alerts: [{ status: 'pending', labels: {} }] }, /'alerts\.0\.status' must be 'firing' or 'resolved'/],
      [{ alerts: [{ status: 'firing', labels: { a: 1 } }] }, /'alerts\.0\.labels\.a'/],
      [{ alerts: ['x'] }, /'alerts\.0'/],
    ];
    for (const [body, reason] of cases) {
      const parsed = alertmanagerFormat.parse(body, integration);
      expect(parsed.ok, JSON.stringify(body)).toBe(false);
      if (!parsed.ok) expect(parsed.errors.join(' ')).toMatch(reason);
    }
  });
});

describe('POST /api/v1/integrations/alertmanager/:key', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await testApp();
    key = await createIntegration(t, 'storage', 'alertmanager');
  });
  afterAll(() => t.close());

  it('stores a group re-sent three times as one alert per fingerprint with count 3', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postAlert(t, 'alertmanager', key, diskGroup()));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    expect(answers[0]?.body.alerts.map((a: { outcome: string }) => a.outcome)).toEqual([
      'created',
      'created',
    ]);
    expect(answers[2]?.body.alerts.map((a: { outcome: string }) => a.outcome)).toEqual([
      'deduplicated',
      'deduplicated',
    ]);
    for (const fingerprint of ['aaaa000000000001', 'aaaa000000000002']) {
      const rows = await alertsWithKey(t, fingerprint);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        status: 'triggered',
        count: 3,
        severity: 'warning',
        source: expect.any(String),
      });
      expect(rows[0]?.started_at?.toISOString()).toBe('2026-03-02T09:55:00.000Z');
    }
  });

  it('resolves only the alert whose own status is resolved, though the group still fires', async () => {
    const res = await postAlert(t, 'alertmanager', key, diskGroup('db2:9100'));
    expect(res.status).toBe(202);
    expect((await alertsWithKey(t, 'aaaa000000000001'))[0]).toMatchObject({ status: 'triggered', count: 4 });
    expect((await alertsWithKey(t, 'aaaa000000000002'))[0]).toMatchObject({ status: 'resolved', count: 3 });
    // Alertmanager keeps re-sending the resolved alert: nothing changes.
    const again = await postAlert(t, 'alertmanager', key, diskGroup('db2:9100'));
    expect(again.body.alerts[1].outcome).toBe('ignored');
    expect(await alertsWithKey(t, 'aaaa000000000002')).toHaveLength(1);
  });

  it('opens a new alert when a resolved fingerprint fires again', async () => {
    await postAlert(t, 'alertmanager', key, diskGroup());
    const rows = await alertsWithKey(t, 'aaaa000000000002');
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'triggered']);
  });

  it('answers 404 for a wrong key, a wrong type or an unknown type, and stores nothing', async () => {
    const before = await storedRows(t);
    const wrongKey = await postAlert(t, 'alertmanager', '0123456789abcdef0123456789abcdef', probeFailure);
    expect(wrongKey.status).toBe(404);
    expect(wrongKey.body.error.code).toBe('not_found');
    expect((await postAlert(t, 'grafana', key, probeFailure)).status).toBe(404);
    expect((await postAlert(t, 'nagios', key, probeFailure)).status).toBe(404);
    expect(await storedRows(t)).toEqual(before);
  });

  it('refuses a malformed group with 400 and the reasons, storing nothing', async () => {
    const before = await storedRows(t);
    const group = diskGroup();
    const bad = { ...group, alerts: [group.alerts[0], { ...group.alerts[1], status: 'pending' }] };
    const res = await postAlert(t, 'alertmanager', key, bad);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toMatch(/'alerts\.1\.status' must be 'firing' or 'resolved'/);
    expect(await storedRows(t)).toEqual(before);
  });
});
