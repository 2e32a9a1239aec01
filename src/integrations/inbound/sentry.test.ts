import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { alertsWithKey, createIntegration, fixture, postAlert, storedRows } from './inbound-test-support.ts';
import { sentryFormat } from './sentry.ts';

// The example payloads of Sentry's webhook documentation, in fixtures/: the integration platform's
// issue alert (event_alert), issue (created) and metric alert (resolved) webhooks, and the legacy
// Webhooks plugin.

const integration = { config: {}, name: 'sentry' };

function parse(body: unknown) {
  const parsed = sentryFormat.parse(body, integration);
  if (!parsed.ok) throw new Error(parsed.errors.join());
  return parsed.events;
}

describe('Sentry payloads', () => {
  it('maps an issue alert (Sentry-Hook-Resource: event_alert) to its issue', () => {
    const body = fixture('sentry-issue-alert.json');
    expect(parse(body)).toEqual([
      {
        action: 'trigger',
        dedupKey: '1117540176',
        summary: 'ReferenceError: heck is not defined',
        source: 'front-end',
        severity: 'error',
        component: '?(<anonymous>)',
        labels: {
          browser: 'Chrome 75.0.3770',
          'browser.name': 'Chrome',
          handled: 'no',
          level: 'error',
          mechanism: 'onerror',
          os: 'Mac OS X 10.14.0',
          'os.name': 'Mac OS X',
          user: 'ip:162.217.75.90',
          url: 'https://null.jsbin.com/runner',
          project: 'front-end',
        },
        details: {
          rule: 'Very Important Alert Rule!',
          platform: 'javascript',
          event_id: 'e4874d664c3540c1a32eab185f12c5ab',
          location: '<anonymous>',
        },
        links: [
          {
            href: 'https://sentry.io/organizations/test-org/issues/1117540176/events/e4874d664c3540c1a32eab185f12c5ab/',
            text: 'Sentry event',
          },
        ],
        startedAt: new Date('2019-08-19T21:06:17.677Z'),
        raw: body,
      },
    ]);
  });

  it('maps issue webhooks by action, keyed by the same issue id', () => {
    const created = fixture<{ action: string; data: { issue: Record<string, unknown> } }>(
      'sentry-issue-created.json',
    );
    expect(parse(created)[0]).toMatchObject({
      action: 'trigger',
      dedupKey: '1170820242',
      summary: 'ReferenceError: blooopy is not defined',
      source: 'front-end',
      severity: 'error',
      labels: { project: 'front-end' },
      startedAt: new Date('2019-08-19T20:58:37.391Z'),
    });
    const withAction = (action: string, level = 'error') => ({
      ...created,
      action,
      data: { issue: { ...created.data.issue, level } },
    });
    expect(parse(withAction('resolved'))[0]?.action).toBe('resolve');
    expect(parse(withAction('archived'))[0]?.action).toBe('resolve');
    expect(parse(withAction('unresolved', 'fatal'))[0]).toMatchObject({
      action: 'trigger',
      severity: 'critical',
    });
    expect(parse(withAction('created', 'warning'))[0]?.severity).toBe('warning');
    expect(parse(withAction('created', 'debug'))[0]?.severity).toBe('info');
    expect(parse(withAction('created', 'info'))[0]?.severity).toBe('info');
    expect(parse(withAction('assigned'))).toEqual([]);
    const unknown = sentryFormat.parse(withAction('exploded'), integration);
    expect(unknown.ok ? [] : unknown.errors.join()).toMatch(/'action' "exploded" is not one of created/);
  });

  it('maps a metric alert by its incident id', () => {
    const resolved = fixture('sentry-metric-alert-resolved.json');
    expect(parse(resolved)[0]).toMatchObject({
      action: 'resolve',
      dedupKey: 'metric_alert:4',
      summary: 'Resolved: Too many errors',
      labels: { project: 'bar' },
      links: [{ href: 'https://sentry.io/organizations/baz/alerts/1/', text: 'Sentry alert' }],
      startedAt: new Date('2020-09-13T12:26:40.000Z'),
    });
    expect(parse({ ...resolved, action: 'critical' })[0]).toMatchObject({
      action: 'trigger',
      severity: 'critical',
    });
    expect(parse({ ...resolved, action: 'warning' })[0]).toMatchObject({
      action: 'trigger',
      severity: 'warning',
    });
  });

  it('maps the legacy Webhooks plugin payload', () => {
    const body = fixture('sentry-webhook-plugin.json');
    expect(parse(body)[0]).toMatchObject({
      action: 'trigger',
      dedupKey: '1385042923',
      summary: 'ReferenceError: hello is not defined',
      source: 'meow',
      severity: 'error',
      component: '?(runner)',
      labels: { 'sentry:user': 'ip:38.140.60.234', project: 'meow' },
      details: { rule: ['Webhook Test'] },
      links: [
        {
          href: 'https://sentry.io/organizations/meredith/issues/1385042923/?referrer=webhooks_plugin',
          text: 'Sentry issue',
        },
      ],
      startedAt: new Date(1576778299836),
    });
  });

  it('refuses what is not a Sentry alert', () => {
    const cases: [unknown, RegExp][] = [
      [null, /JSON object/],
      [{ action: 'created', data: { installation: {} } }, /no 'event', 'issue' or 'metric_alert'/],
      [{ action: 'triggered', data: { event: { title: 'x' } } }, /issue_id' is missing/],
      [{ hello: 'world' }, /neither 'data'/],
    ];
    for (const [body, reason] of cases) {
      const parsed = sentryFormat.parse(body, integration);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.join(' ')).toMatch(reason);
    }
  });
});

describe('POST /api/v1/integrations/sentry/:key', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await testApp();
    key = await createIntegration(t, 'frontend', 'sentry');
  });
  afterAll(() => t.close());

  it('opens an alert from an issue alert and resolves it when the issue is resolved', async () => {
    const alert = fixture('sentry-issue-alert.json');
    expect((await postAlert(t, 'sentry', key, alert)).status).toBe(202);
    expect((await postAlert(t, 'sentry', key, alert)).status).toBe(202);
    expect((await alertsWithKey(t, '1117540176'))[0]).toMatchObject({ status: 'triggered', count: 2 });
    const issue = fixture<{ data: { issue: Record<string, unknown> } }>('sentry-issue-created.json');
    const resolved = {
      ...issue,
      action: 'resolved',
      data: { issue: { ...issue.data.issue, id: '1117540176' } },
    };
    const res = await postAlert(t, 'sentry', key, resolved);
    expect(res.body.alerts[0].outcome).toBe('resolved');
    expect((await alertsWithKey(t, '1117540176'))[0]?.status).toBe('resolved');
  });

  it('accepts an assignment without storing anything, and refuses junk with 400', async () => {
    const before = await storedRows(t);
    const issue = fixture('sentry-issue-created.json');
    const assigned = await postAlert(t, 'sentry', key, { ...issue, action: 'assigned' });
    expect(assigned).toEqual({ status: 202, body: { status: 'accepted', alerts: [] } });
    expect((await postAlert(t, 'sentry', key, { event: 'nope' })).status).toBe(400);
    expect(await storedRows(t)).toEqual(before);
  });
});
