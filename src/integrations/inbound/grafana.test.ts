import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { grafanaFormat } from './grafana.ts';
import { alertsWithKey, createIntegration, fixture, postAlert, storedRows } from './inbound-test-support.ts';

// The example body from Grafana's webhook contact point documentation
// (grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/
// integrations/webhook-notifier/), in fixtures/grafana-webhook.json.

interface GrafanaAlert {
  status: string;
  fingerprint: string;
  [field: string]: unknown;
}
type GrafanaBody = { alerts: GrafanaAlert[]; [field: string]: unknown };

const integration = { config: {}, name: 'grafana' };

describe('Grafana payloads', () => {
  it('maps the documented example to one event per alert', () => {
    const body = fixture<GrafanaBody>('grafana-webhook.json');
    const parsed = grafanaFormat.parse(body, integration);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.events).toHaveLength(2);
    expect(parsed.events[0]).toEqual({
      action: 'trigger',
      dedupKey: 'c6eadffa33fcdf37',
      summary: 'This alert was triggered for zone us-1',
      source: 'Grafana',
      severity: 'error',
      component: undefined,
      class: 'High memory usage',
      labels: { alertname: 'High memory usage', team: 'blue', zone: 'us-1' },
      details: {
        annotations: {
          description: 'The system has high memory usage',
          runbook_url: 'https://myrunbook.com/runbook/1234',
          summary: 'This alert was triggered for zone us-1',
        },
        receiver: 'My Super Webhook',
        group_key: '{}:{}',
        org_id: 1,
        values: { B: 44.23943737541908, C: 1 },
      },
      links: [
        { href: 'https://play.grafana.org/alerting/1afz29v7z/edit', text: 'Source' },
        {
          href: 'https://play.grafana.org/alerting/silence/new?alertmanager=grafana&matchers=alertname%3DT2%2Cteam%3Dblue%2Czone%3Dus-1',
          text: 'Silence',
        },
        { href: 'https://play.grafana.org/', text: 'Grafana' },
      ],
      images: undefined,
      startedAt: new Date('2021-10-12T07:51:03.157Z'),
      raw: body.alerts[0],
    });
    expect(parsed.events[1]).toMatchObject({
      dedupKey: 'bc97ff14869b13e3',
      summary: 'This alert was triggered for zone eu-1',
    });
  });

  it('keeps valueString, dashboard and panel links and the screenshot of older and newer Grafanas', () => {
    const body = fixture<GrafanaBody>('grafana-webhook.json');
    Object.assign(body.alerts[0] ?? {}, {
      dashboardURL: 'https://grafana/d/abc',
      panelURL: 'https://grafana/d/abc?viewPanel=2',
      imageURL: 'https://grafana/render/shot.png',
      valueString: "[ metric='' labels={} value=14151.331895396988 ]",
      annotations: {},
      labels: { alertname: 'High memory usage', severity: 'critical' },
    });
    const parsed = grafanaFormat.parse(body, integration);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.events[0]).toMatchObject({
      summary: 'High memory usage',
      severity: 'critical',
      images: [{ src: 'https://grafana/render/shot.png', alt: 'panel' }],
      details: { value_string: "[ metric='' labels={} value=14151.331895396988 ]" },
    });
    expect(parsed.events[0]?.links?.map((l) => l.text)).toEqual([
      'Source',
      'Silence',
      'Dashboard',
      'Panel',
      'Grafana',
    ]);
  });
});

describe('POST /api/v1/integrations/grafana/:key', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await testApp();
    key = await createIntegration(t, 'dashboards', 'grafana');
  });
  afterAll(() => t.close());

  it('stores the documented example, deduplicates its repeats and resolves per alert', async () => {
    const body = fixture<GrafanaBody>('grafana-webhook.json');
    expect((await postAlert(t, 'grafana', key, body)).status).toBe(202);
    expect((await postAlert(t, 'grafana', key, body)).status).toBe(202);
    expect((await alertsWithKey(t, 'c6eadffa33fcdf37'))[0]).toMatchObject({ status: 'triggered', count: 2 });
    const second = body.alerts[1];
    if (second) second.status = 'resolved';
    const res = await postAlert(t, 'grafana', key, body);
    expect(res.body.alerts.map((a: { outcome: string }) => a.outcome)).toEqual(['deduplicated', 'resolved']);
    expect((await alertsWithKey(t, 'bc97ff14869b13e3'))[0]?.status).toBe('resolved');
    expect((await alertsWithKey(t, 'c6eadffa33fcdf37'))[0]?.status).toBe('triggered');
  });

  it('refuses a payload that is not Grafana’s, storing nothing', async () => {
    const before = await storedRows(t);
    const res = await postAlert(t, 'grafana', key, { title: 'x', state: 'alerting' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].message).toMatch(/'alerts' is missing/);
    expect(await storedRows(t)).toEqual(before);
  });
});
