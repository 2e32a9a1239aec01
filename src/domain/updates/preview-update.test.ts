import { describe, expect, it } from 'vitest';
import { NotFound } from '../../errors.ts';
import { confidentialWorld } from '../incidents/confidential-testing.ts';
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
