import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { DATADOG_PAYLOAD_TEMPLATE, datadogFormat } from './datadog.ts';
import { alertsWithKey, createIntegration, postAlert, storedRows } from './inbound-test-support.ts';

// Datadog fills the $VARIABLES of the payload the user pasted (Tocsin's template). These bodies are
// that template filled with the example values Datadog's webhook documentation gives for each
// variable (docs.datadoghq.com/integrations/webhooks/#variables).

/** The template with Datadog's documented example values substituted, as Datadog would send it. */
function filled(values: Partial<Record<keyof typeof DATADOG_PAYLOAD_TEMPLATE, string>>) {
  const documented: Record<string, string> = {
    $ID: '1234567',
    $ALERT_ID: '1234',
    $AGGREG_KEY: '9bd4ac313a4d1e8fae2482df7b77628',
    $ALERT_TRANSITION: 'Triggered',
    $ALERT_TYPE: 'error',
    $ALERT_PRIORITY: 'P1',
    $EVENT_TITLE: '[Triggered on {host:ip-012345}] Host is Down',
    $EVENT_MSG: '@webhook-url Sending to the webhook',
    $PRIORITY: 'normal',
    $TAGS: 'availability-zone:us-east-1a, role:computing-node, monitor',
    $LINK: 'https://app.datadoghq.com/event/jump_to?event_id=1234567',
    $DATE: '1406662672000',
    $HOSTNAME: 'ip-012345',
  };
  const body = Object.fromEntries(
    Object.entries(DATADOG_PAYLOAD_TEMPLATE).map(([field, variable]) => [field, documented[variable] ?? '']),
  );
  return { ...body, ...values };
}

const integration = { config: {}, name: 'datadog' };

describe('Datadog payloads', () => {
  it('documents a template of Datadog variables', () => {
    expect(DATADOG_PAYLOAD_TEMPLATE).toMatchObject({
      alert_id: '$ALERT_ID',
      aggreg_key: '$AGGREG_KEY',
      transition: '$ALERT_TRANSITION',
      title: '$EVENT_TITLE',
      tags: '$TAGS',
    });
    expect(JSON.parse(JSON.stringify(DATADOG_PAYLOAD_TEMPLATE))).toEqual(DATADOG_PAYLOAD_TEMPLATE);
  });

  it('maps a triggered monitor', () => {
    const body = filled({});
    const parsed = datadogFormat.parse(body, integration);
    if (!parsed.ok) throw new Error(parsed.errors.join());
    expect(parsed.events).toEqual([
      {
        action: 'trigger',
        dedupKey: '9bd4ac313a4d1e8fae2482df7b77628',
        summary: '[Triggered on {host:ip-012345}] Host is Down',
        source: 'ip-012345',
        severity: 'critical',
        labels: { 'availability-zone': 'us-east-1a', role: 'computing-node', monitor: '' },
        details: {
          message: '@webhook-url Sending to the webhook',
          transition: 'Triggered',
          alert_type: 'error',
          priority: 'P1',
          event_id: '1234567',
          monitor_id: '1234',
        },
        links: [{ href: 'https://app.datadoghq.com/event/jump_to?event_id=1234567', text: 'Datadog' }],
        startedAt: new Date(1406662672000),
        raw: body,
      },
    ]);
  });

  it('resolves on Recovered, reads Warn as a warning, and falls back to the monitor id', () => {
    const event = (values: Parameters<typeof filled>[0]) => {
      const parsed = datadogFormat.parse(filled(values), integration);
      if (!parsed.ok) throw new Error(parsed.errors.join());
      return parsed.events[0];
    };
    expect(event({ transition: 'Recovered', alert_type: 'success' })).toMatchObject({ action: 'resolve' });
    expect(event({ transition: '', alert_type: 'success' })).toMatchObject({ action: 'resolve' });
    expect(event({ transition: 'Re-Triggered' })).toMatchObject({ action: 'trigger' });
    expect(event({ transition: 'No Data' })).toMatchObject({ action: 'trigger' });
    expect(event({ transition: 'Warn', alert_type: 'warning' })).toMatchObject({ severity: 'warning' });
    expect(event({ alert_priority: 'P3' })).toMatchObject({ severity: 'warning' });
    expect(event({ alert_priority: '', alert_type: 'info' })).toMatchObject({ severity: 'info' });
    expect(event({ alert_priority: '$ALERT_PRIORITY', alert_type: 'error' })).toMatchObject({
      severity: 'error',
    });
    expect(event({ aggreg_key: '' })).toMatchObject({ dedupKey: '1234' });
    expect(event({ hostname: '' })).toMatchObject({ source: 'datadog' });
  });

  it('refuses bodies that are not the template', () => {
    const cases: [unknown, RegExp][] = [
      ['Triggered', /JSON object/],
      [{ title: 'x' }, /'aggreg_key' and 'alert_id' are both missing/],
      [{ alert_id: '1', transition: { state: 'x' } }, /'transition' must be a string/],
      [{ alert_id: '1', tags: [1, 2] }, /'tags'/],
    ];
    for (const [body, reason] of cases) {
      const parsed = datadogFormat.parse(body, integration);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.join(' ')).toMatch(reason);
    }
  });
});

describe('POST /api/v1/integrations/datadog/:key', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await testApp();
    key = await createIntegration(t, 'web', 'datadog');
  });
  afterAll(() => t.close());

  it('triggers, re-notifies into the same alert, and recovers', async () => {
    expect((await postAlert(t, 'datadog', key, filled({}))).status).toBe(202);
    expect((await postAlert(t, 'datadog', key, filled({ transition: 'Renotify' }))).status).toBe(202);
    const [open] = await alertsWithKey(t, '9bd4ac313a4d1e8fae2482df7b77628');
    expect(open).toMatchObject({ status: 'triggered', count: 2, severity: 'critical', source: 'ip-012345' });
    expect(open?.labels).toEqual({ 'availability-zone': 'us-east-1a', role: 'computing-node', monitor: '' });
    expect(open?.started_at?.toISOString()).toBe('2014-07-29T19:37:52.000Z');
    const recovered = await postAlert(
      t,
      'datadog',
      key,
      filled({ transition: 'Recovered', alert_type: 'success' }),
    );
    expect(recovered.body.alerts[0].outcome).toBe('resolved');
  });

  it('refuses a body without a key with 400, storing nothing', async () => {
    const before = await storedRows(t);
    const res = await postAlert(t, 'datadog', key, { title: 'no ids' });
    expect(res.status).toBe(400);
    expect(await storedRows(t)).toEqual(before);
  });
});
