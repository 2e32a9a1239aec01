import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Element, xml2js } from 'xml-js';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { savePlan } from '../plans/save-plan.ts';
import { PlanCache } from '../workflows/plan-cache.ts';
import { processWorkflowEvents } from '../workflows/process-workflow-events.ts';
import { statusPageChanged } from './cache.ts';

// The public status page and its admin API, over HTTP on a real database and a virtual clock.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: creator }
languages: [en, am]
severities:
  - { id: SEV1, title: Critical }
  - { id: SEV2, title: Major }
  - { id: SEV3, title: Minor }
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
workflows:
  - name: API down on the status page
    when: incident.declared
    if: { severity: [SEV1] }
    then: [{ setStatusPageComponent: { component: API, status: major_outage } }]
  - name: a typo in a component
    when: incident.declared
    if: { severity: [SEV2] }
    then: [{ setStatusPageComponent: { component: Nope, status: partial_outage } }]
`;

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  admin = auth(t.adminToken);
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
});
afterAll(() => t.close());

async function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = admin) {
  const res = await t.app.inject({
    method: method as 'GET',
    url,
    headers,
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

async function get(url: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, headers });
}

async function summary(lang?: string) {
  const res = await get(`/status/api/v2/summary.json${lang ? `?lang=${lang}` : ''}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function runWorkflows() {
  await t.db
    .transaction()
    .execute((tx) => processWorkflowEvents({ tx, now: t.clock.now(), plans: new PlanCache() }));
  statusPageChanged(t.db);
}

describe('an empty page', () => {
  it('answers every Statuspage v2 document, the feeds and the HTML without a token', async () => {
    const s = await summary();
    expect(s.page).toMatchObject({ id: 'tocsin', name: 'Status', url: 'http://tocsin.test/status' });
    expect(s.status).toEqual({ indicator: 'none', description: 'All Systems Operational' });
    expect(s).toMatchObject({ components: [], incidents: [], scheduled_maintenances: [] });
    for (const doc of [
      'status',
      'components',
      'incidents',
      'incidents/unresolved',
      'scheduled-maintenances',
    ]) {
      expect((await get(`/status/api/v2/${doc}.json`)).statusCode, doc).toBe(200);
    }
    const html = await get('/status');
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('All Systems Operational');
  });

  it('speaks the reader’s language in its own words too (labels, headings, the subscribe form)', async () => {
    const en = (await get('/status?lang=en')).body;
    for (const text of [
      'All Systems Operational',
      'Past incidents',
      'No incidents reported.',
      'Subscribe to updates',
    ]) {
      expect(en).toContain(text);
    }
    expect(en).toContain('<form class="card" method="post" action="/status/subscribe">');
    const am = (await get('/status', { 'accept-language': 'am' })).body;
    for (const text of ['ሁሉም ሥርዓቶች በመደበኛ ሁኔታ እየሠሩ ናቸው', 'ያለፉ ክስተቶች', 'ምንም ክስተት አልተዘገበም።', 'ለዝማኔዎች ይመዝገቡ']) {
      expect(am).toContain(text);
    }
    expect(am).not.toContain('Past incidents');
    expect(am).toContain('<input type="hidden" name="lang" value="am">');
    const json = (await get('/status/api/v2/status.json?lang=am')).json();
    expect(json.status).toEqual({ indicator: 'none', description: 'ሁሉም ሥርዓቶች በመደበኛ ሁኔታ እየሠሩ ናቸው' });
  });
});

describe('components and groups', () => {
  it('are set up through the API; bad input names the field', async () => {
    expect(
      (await call('PUT', '/api/v1/status-page/components/Platform', { group_component: true })).status,
    ).toBe(201);
    for (const [name, position] of [
      ['API', 1],
      ['Uploads', 2],
    ] as const) {
      const r = await call('PUT', `/api/v1/status-page/components/${name}`, { group: 'Platform', position });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    expect(
      (await call('PUT', '/api/v1/status-page/components/API', { group: 'Platform', position: 1 })).body
        .change,
    ).toBe('unchanged');
    const website = await call('PUT', '/api/v1/status-page/components/Website', {
      description: '<b>the</b> site',
      position: 3,
    });
    expect(website.status).toBe(201);
    const bad = await call('PUT', '/api/v1/status-page/components/X', { group: 'API' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'group', message: '"API" is a component, not a group' }]);
    const badStatus = await call('POST', '/api/v1/status-page/components/API/status', { status: 'broken' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details[0].path).toBe('body.status');
    expect(
      (await call('POST', '/api/v1/status-page/components/Nope/status', { status: 'major_outage' })).status,
    ).toBe(404);
    const viewer = auth(await t.tokenFor('viewer'));
    expect((await call('PUT', '/api/v1/status-page/components/Y', {}, viewer)).status).toBe(403);
    expect((await call('PUT', '/api/v1/status-page/components/Y', {}, {})).status).toBe(401);

    const s = await summary();
    const platform = s.components.find((c: { name: string }) => c.name === 'Platform');
    expect(platform).toMatchObject({ group: true, status: 'operational' });
    expect(platform.components).toHaveLength(2);
    expect(s.components.find((c: { name: string }) => c.name === 'API')).toMatchObject({
      group: false,
      group_id: platform.id,
      status: 'operational',
      uptime_percentage: 100,
    });
  });

  it('a responder sets a status: the indicator follows and the page is fresh at once', async () => {
    const responder = auth(await t.tokenFor('responder'));
    const before = await get('/status/api/v2/status.json');
    const r = await call(
      'POST',
      '/api/v1/status-page/components/Uploads/status',
      { status: 'degraded_performance' },
      responder,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const after = await get('/status/api/v2/status.json');
    expect(after.json().status).toEqual({ indicator: 'minor', description: 'Minor Service Outage' });
    expect(after.headers.etag).not.toBe(before.headers.etag);
    await call('POST', '/api/v1/status-page/components/Uploads/status', { status: 'operational' }, responder);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'status_page.component_status_changed')
      .execute();
    expect(audit).toHaveLength(2);
  });
});

describe('caching', () => {
  it('answers a matching If-None-Match with 304 and says how long a CDN may keep it', async () => {
    const first = await get('/status/api/v2/summary.json');
    expect(first.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(first.headers.etag).toMatch(/^"/);
    const again = await get('/status/api/v2/summary.json', { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const zipped = await get('/status/api/v2/summary.json', { 'accept-encoding': 'gzip, br' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.etag).not.toBe(first.headers.etag);
    expect(gunzipSync(zipped.rawPayload).toString('utf8')).toBe(first.body);
  });
});

describe('incidents', () => {
  let incidentId: string;

  it('a workflow’s setStatusPageComponent sets the component and lists it on the incident', async () => {
    const declared = await call('POST', '/api/v1/incidents', {
      title: 'Uploads <script>x</script> fail',
      severity: 'SEV1',
    });
    expect(declared.status).toBe(201);
    incidentId = declared.body.incident.id;
    await runWorkflows();
    const s = await summary();
    expect(s.components.find((c: { name: string }) => c.name === 'API').status).toBe('major_outage');
    expect(s.status.indicator).toBe('critical');
    // Not on the page before its first external update.
    expect(s.incidents).toEqual([]);
    const typo = await call('POST', '/api/v1/incidents', { title: 'Other', severity: 'SEV2' });
    await runWorkflows();
    expect(typo.status, JSON.stringify(typo.body)).toBe(201);
    const events = await call('GET', `/api/v1/incidents/${typo.body.incident.id}/timeline`);
    expect(events.status, JSON.stringify(events.body)).toBe(200);
    const requested = events.body.events.find(
      (e: { kind: string }) => e.kind === 'status_page.component_requested',
    );
    expect(requested.data).toMatchObject({ component: 'Nope', applied: false });
  });

  it('shows published external updates in the reader’s language, never internal ones', async () => {
    await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'internal',
      bodies: { en: 'db-7.internal is on fire' },
    });
    t.clock.advance(60_000);
    const r = await call('POST', `/api/v1/incidents/${incidentId}/updates`, {
      audience: 'external',
      bodies: { en: 'Uploads are failing. We are investigating.', am: 'ፋይል መጫን አልተሳካም። እየመረመርን ነው።' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    statusPageChanged(t.db);
    const en = await summary('en');
    expect(en.incidents).toHaveLength(1);
    expect(en.incidents[0]).toMatchObject({
      id: incidentId,
      name: 'Uploads <script>x</script> fail',
      status: 'investigating',
      impact: 'critical',
    });
    expect(en.incidents[0].components.map((c: { name: string }) => c.name)).toEqual(['API']);
    expect(en.incidents[0].incident_updates.map((u: { body: string }) => u.body)).toEqual([
      'Uploads are failing. We are investigating.',
    ]);
    const am = await summary('am');
    expect(am.incidents[0].incident_updates[0].body).toBe('ፋይል መጫን አልተሳካም። እየመረመርን ነው።');
    const byHeader = await get('/status/api/v2/incidents.json', { 'accept-language': 'am-ET, en;q=0.5' });
    expect(byHeader.json().incidents[0].incident_updates[0].body).toContain('ፋይል');
    expect(byHeader.headers['content-language']).toBe('am');

    const html = (await get('/status?lang=am')).body;
    expect(html).toContain('<html lang="am">');
    expect(html).toContain('ፋይል መጫን አልተሳካም');
    expect(html).toContain('Uploads &lt;script&gt;x&lt;/script&gt; fail');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('db-7.internal');
    expect(html).toContain('href="?lang=en"');
  });

  it('resolved incidents move to the history; RSS and Atom are well-formed and escaped', async () => {
    await call('POST', `/api/v1/incidents/${incidentId}/resolve`, {});
    statusPageChanged(t.db);
    expect((await get('/status/api/v2/incidents/unresolved.json')).json().incidents).toEqual([]);
    const all = (await get('/status/api/v2/incidents.json')).json().incidents;
    expect(all[0]).toMatchObject({ id: incidentId, status: 'resolved' });
    expect(all[0].resolved_at).toBe(t.clock.now().toISOString());
    for (const format of ['rss', 'atom']) {
      const res = await get(`/status/history.${format}?lang=am`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain(format === 'rss' ? 'rss+xml' : 'atom+xml');
      // xml-js (the feed package's own XML library) parses strictly: malformed XML throws.
      const doc = xml2js(res.body) as Element;
      const titles: string[] = [];
      const walk = (e: Element, inEntry: boolean): void => {
        const entry = inEntry || e.name === 'item' || e.name === 'entry';
        if (entry && e.name === 'title')
          titles.push((e.elements ?? []).map((x) => x.text ?? x.cdata).join(''));
        for (const c of e.elements ?? []) walk(c, entry);
      };
      walk(doc, false);
      expect(titles[0]).toBe('Uploads &lt;script&gt;x&lt;/script&gt; fail');
      expect(res.body).toContain('ፋይል መጫን');
      expect(res.body).not.toContain('<script>');
    }
  });
});

describe('maintenance', () => {
  it('scheduled maintenance starts and completes on the clock, components under maintenance', async () => {
    const start = new Date(t.clock.now().getTime() + 3_600_000);
    const r = await call('POST', '/api/v1/status-page/maintenances', {
      name: 'Database upgrade',
      components: ['Website'],
      scheduled_for: start.toISOString(),
      scheduled_until: new Date(start.getTime() + 7_200_000).toISOString(),
      bodies: { en: 'We upgrade the database.', am: 'የመረጃ ቋቱን እናሻሽላለን።' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const upcoming = (await get('/status/api/v2/scheduled-maintenances/upcoming.json')).json();
    expect(upcoming.scheduled_maintenances[0]).toMatchObject({
      name: 'Database upgrade',
      status: 'scheduled',
      impact: 'maintenance',
    });
    t.clock.advance(3_600_000);
    const during = await summary();
    expect(during.scheduled_maintenances[0].status).toBe('in_progress');
    expect(during.components.find((c: { name: string }) => c.name === 'Website').status).toBe(
      'under_maintenance',
    );
    t.clock.advance(7_200_000);
    const after = await summary();
    expect(after.scheduled_maintenances).toEqual([]);
    expect(after.components.find((c: { name: string }) => c.name === 'Website').status).toBe('operational');
    const bad = await call('POST', '/api/v1/status-page/maintenances', {
      name: 'x',
      components: ['Nope'],
      scheduled_until: '2020-01-01T00:00:00Z',
    });
    expect(bad.status).toBe(400);
  });

  it('emergency maintenance puts a component under maintenance now, until completed', async () => {
    const r = await call('POST', '/api/v1/status-page/maintenances', {
      name: 'Emergency fix',
      components: ['Uploads'],
      emergency: true,
      bodies: { en: 'Uploads are paused for an urgent fix.' },
    });
    expect(r.status).toBe(201);
    const s = await summary();
    expect(s.components.find((c: { name: string }) => c.name === 'Uploads').status).toBe('under_maintenance');
    expect((await get('/status')).body).toContain('Emergency maintenance: Emergency fix');
    const done = await call('POST', `/api/v1/status-page/maintenances/${r.body.maintenance.id}/updates`, {
      status: 'completed',
      bodies: { en: 'Done.' },
    });
    expect(done.status).toBe(200);
    expect((await summary()).components.find((c: { name: string }) => c.name === 'Uploads').status).toBe(
      'operational',
    );
    expect(
      (await call('POST', '/api/v1/status-page/maintenances/99999/updates', { status: 'completed' })).status,
    ).toBe(404);
  });
});

it('settings name the page and its languages; the page offers a switch', async () => {
  const r = await call('PUT', '/api/v1/status-page/settings', {
    name: 'Creator status',
    languages: ['am', 'en'],
  });
  expect(r.status).toBe(200);
  const s = await summary();
  expect(s.page.name).toBe('Creator status');
  const html = (await get('/status')).body;
  expect(html).toContain('<html lang="am">');
  expect(html).toContain('hreflang="en"');
  expect((await call('PUT', '/api/v1/status-page/settings', { name: '', languages: ['EN!'] })).status).toBe(
    400,
  );
});
