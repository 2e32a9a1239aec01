import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { NotFound } from '../../errors.ts';
import { CONFIDENTIAL_PLAN, confidentialWorld } from '../incidents/confidential-testing.ts';
import { savePlan } from '../plans/save-plan.ts';
import { previewUpdate } from './preview-update.ts';

// The composer's preview: guard-rail hits, and the status page entry and subscriber email rendered by
// the page's and the mail's own functions, for a confidential incident (named by its code name).

const w = confidentialWorld();
const AMHARIC = 'ችግሩን እየመረመርን ነው።';

describe('previewing an update', () => {
  it('reports guard-rail hits and renders the page entry and email, Amharic kept, HTML escaped', async () => {
    const incident = await w.declareSecret();
    const preview = await previewUpdate({
      ctx: w.as('sec'),
      input: {
        incidentId: incident.id,
        audience: 'external',
        bodies: { en: 'db1.corp at 10.0.0.7 is slow <script>x</script>', am: AMHARIC },
      },
    });
    expect(preview.guard_rails).toEqual(
      expect.arrayContaining([
        { language: 'en', pattern: 'internal hostname', match: 'db1.corp' },
        { language: 'en', pattern: 'IPv4 address', match: '10.0.0.7' },
      ]),
    );
    expect(preview.guard_rails.every((h) => h.language === 'en')).toBe(true);
    const code = `op-${incident.id}`;
    expect(preview.status_page.am).toMatchObject({ title: code, body: AMHARIC });
    expect(preview.status_page.en?.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(preview.status_page.en?.html).not.toContain('<script>');
    expect(preview.status_page.am?.html).toContain(AMHARIC);
    expect(preview.email.am?.subject).toContain(code);
    expect(preview.email.am?.text).toContain(AMHARIC);
    expect(preview.email.en?.text).not.toContain('Payroll');
  });

  it('internal text is not checked by the guard rails', async () => {
    const incident = await w.declareSecret();
    const preview = await previewUpdate({
      ctx: w.as('sec'),
      input: { incidentId: incident.id, audience: 'internal', bodies: { en: 'db1.corp is slow' } },
    });
    expect(preview.guard_rails).toEqual([]);
  });

  it('a bad body is refused with its path; an incident the caller may not see is not found', async () => {
    const incident = await w.declareSecret();
    await expect(
      previewUpdate({
        ctx: w.as('sec'),
        input: { incidentId: incident.id, audience: 'public', bodies: {} },
      }),
    ).rejects.toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ path: ['audience'] })]),
    });
    await expect(
      previewUpdate({
        ctx: w.as('bob'),
        input: { incidentId: incident.id, audience: 'external', bodies: { en: 'x' } },
      }),
    ).rejects.toBeInstanceOf(NotFound);
  });
});

describe('POST /api/v1/incidents/:id/updates/preview', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
    await savePlan({ ctx: t.ctx(), input: { source: CONFIDENTIAL_PLAN } });
  });
  afterAll(() => t.close());

  it('answers the preview; a bad body is a 400 naming its path; an unknown incident a 404', async () => {
    const headers = auth(t.adminToken);
    const declared = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers,
      payload: { plan: 'secret', severity: 'SEV2', type: 'availability', title: 'Uploads fail' },
    });
    expect(declared.statusCode).toBe(201);
    const url = `/api/v1/incidents/${declared.json().incident.id}/updates/preview`;
    const ok = await t.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { audience: 'external', bodies: { en: 'Uploads from 192.168.1.20 fail' } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().guard_rails).toEqual([
      { language: 'en', pattern: 'IPv4 address', match: '192.168.1.20' },
    ]);
    expect(ok.json().email.en.subject).toContain('Uploads fail');
    const bad = await t.app.inject({
      method: 'POST',
      url,
      headers,
      payload: { audience: 'everyone', bodies: { en: 'x' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toContain('body.audience');
    const missing = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents/999999/updates/preview',
      headers,
      payload: { audience: 'external', bodies: { en: 'x' } },
    });
    expect(missing.statusCode).toBe(404);
  });
});
