import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../support.ts';
import { axeViolations, type ConsoleRig, startSignedIn } from './harness.ts';

// Issue 15 §11 in Chromium against a real Tocsin: the reports page's frequency, compliance, root-cause
// and on-call load charts (exercises counted only when asked), and the plan page's readiness and
// exercises.

let rig: ConsoleRig;
let page: Page;

/** The Monday (UTC) of this week, as the frequency chart labels its bar. */
function thisMonday(): string {
  const now = new Date();
  const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  monday.setUTCDate(monday.getUTCDate() - ((monday.getUTCDay() + 6) % 7));
  return monday.toISOString().slice(0, 10);
}

beforeAll(async () => {
  ({ rig, page } = await startSignedIn(async (r) => {
    const real = await r.api('POST', '/api/v1/incidents', {
      title: 'Checkout slow',
      plan: 'minimal',
      severity: 'SEV2',
    });
    expect(real.status, JSON.stringify(real.json)).toBe(201);
    const exercise = await r.api('POST', '/api/v1/exercises', {
      plan: 'minimal',
      kind: 'tabletop',
      title: 'Database lost',
      severity: 'SEV2',
    });
    expect(exercise.status, JSON.stringify(exercise.json)).toBe(201);
  }, '/reports'));
});
afterAll(async () => {
  await rig?.stop();
});

describe('web console, reports and readiness (issue 15)', () => {
  it('draws frequency, compliance, root causes and on-call load; exercises only when asked', async () => {
    await page.goto('/reports');
    const week = page.locator(`[data-testid="bar-${thisMonday()}"] .chart-value`);
    // This week: the real incident only; the exercise joins it when included.
    await week.filter({ hasText: /^1$/ }).waitFor();
    await page.getByRole('img', { name: 'Targets met, every severity (%)' }).waitFor();
    await page.getByRole('img', { name: 'Incidents per root-cause category' }).waitFor();
    await page.getByRole('img', { name: 'Pages per person' }).waitFor();
    await page.getByRole('region', { name: 'On-call load' }).getByRole('table').waitFor();
    await page.getByLabel('Include exercises').check();
    await week.filter({ hasText: /^2$/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it("shows the plan's readiness and its exercises on the plan page", async () => {
    await page.goto('/plans/minimal');
    const readiness = page.getByRole('list', { name: 'Readiness' });
    await readiness.getByText('last one 0 days ago').waitFor();
    await readiness.getByText(/SEV1/).first().waitFor();
    await page.getByRole('list', { name: 'Exercises' }).getByText('Database lost').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it("sets, refuses and clears a post-mortem's root-cause category, the API's refusal beside the field", async () => {
    const plan = (categories: string[]) => ({
      apiVersion: 'tocsin.dev/v1',
      kind: 'Plan',
      metadata: { name: 'rootcause' },
      severities: [{ id: 'SEV1', title: 'Critical', postmortem: { required: true, due: '2d' } }],
      lifecycle: { states: [{ id: 'investigating' }, { id: 'resolved' }] },
      postmortem: { rootCauseCategories: categories },
    });
    const saved = await rig.api('PUT', '/api/v1/plans/rootcause', plan(['deploy', 'capacity']));
    expect(saved.status, JSON.stringify(saved.json)).toBeLessThan(300);
    const declared = await rig.api('POST', '/api/v1/incidents', {
      title: 'Bad deploy',
      plan: 'rootcause',
      severity: 'SEV1',
    });
    const id = (declared.json.incident as { id: string }).id;
    expect((await rig.api('POST', `/api/v1/incidents/${id}/resolve`, {})).status).toBe(200);
    const stored = async () =>
      (
        (await rig.api('GET', `/api/v1/postmortems/${id}`)).json.postmortem as {
          root_cause_category: string | null;
        }
      ).root_cause_category;

    await page.goto(`/postmortems/${id}`);
    const field = page.getByLabel('Root-cause category');
    await field.selectOption('deploy');
    await page.getByRole('button', { name: 'Save root cause' }).click();
    await until('the category stored', async () => (await stored()) === 'deploy');
    expect(await axeViolations(page)).toEqual([]);

    // The plan drops "deploy" while the page is open: saving it again is refused beside the field.
    expect(
      (await rig.api('PUT', '/api/v1/plans/rootcause', plan(['capacity', 'config']))).status,
    ).toBeLessThan(300);
    await field.selectOption('capacity');
    await field.selectOption('deploy');
    await page.getByRole('button', { name: 'Save root cause' }).click();
    await page
      .locator('.field-error')
      .filter({ hasText: 'rootCauseCategories (capacity, config)' })
      .waitFor();
    await page.locator('select[aria-invalid="true"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await field.selectOption('');
    await page.getByRole('button', { name: 'Save root cause' }).click();
    await until('the category cleared', async () => (await stored()) === null);
  });
});
