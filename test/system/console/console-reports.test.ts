import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
