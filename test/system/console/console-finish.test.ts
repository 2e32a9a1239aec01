import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Mailbox, startMailbox } from '../../mailbox.ts';
import { until } from '../support.ts';
import {
  applyExamples,
  axeViolations,
  type ConsoleRig,
  type CutProxy,
  nextSpringForward,
  signInWithToken,
  startConsoleRig,
  startCutProxy,
} from './harness.ts';

// The last screens of issue 12 in Chromium against a real Tocsin: the Reconnecting state when the
// live stream is cut and its return; admins listing and revoking anyone's API tokens; forms checked
// with the API's own schemas before sending, and a page email's link opening the incident; a
// schedule's layers and overrides drawn as rows in the viewer's zone with the schedule's beside it,
// across a DST change.

let rig: ConsoleRig;
let mailbox: Mailbox;
let proxy: CutProxy;
let admin: BrowserContext;
let page: Page;

beforeAll(async () => {
  mailbox = await startMailbox();
  // Pages go out by email to a real SMTP server on loopback, so a test can follow a page's link.
  rig = await startConsoleRig({
    TOCSIN_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
    TOCSIN_SMTP_FROM: 'Tocsin <tocsin@example.com>',
    TOCSIN_OUTBOUND_ALLOW: '127.0.0.1/32',
    TOCSIN_ENGINE_INTERVAL_MS: '200',
  });
  await applyExamples(rig);
  proxy = await startCutProxy(rig.url);
  admin = await rig.context({ timezoneId: 'America/New_York' });
  page = await admin.newPage();
  await signInWithToken(page, rig.tocsin.token);
});
afterAll(async () => {
  await proxy?.close();
  await rig?.stop();
  await mailbox?.close();
});

const dst = nextSpringForward();

async function declare(title: string): Promise<string> {
  const answer = await rig.api('POST', '/api/v1/incidents', { title, plan: 'minimal', severity: 'SEV2' });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  return (answer.json.incident as { id: string }).id;
}

/** Counts the requests a page sends with this method to paths ending so (to prove a form sent none). */
function countRequests(p: Page, method: string, pathEnd: RegExp): () => number {
  let n = 0;
  p.on('request', (r) => {
    if (r.method() === method && pathEnd.test(new URL(r.url()).pathname)) n++;
  });
  return () => n;
}

describe('web console, the end of issue 12', () => {
  it('shows Reconnecting… when the live stream is cut, then Live again with what changed meanwhile', async () => {
    const context = await rig.browser.newContext({ baseURL: proxy.url, locale: 'en-GB' });
    context.setDefaultTimeout(60_000);
    const p = await context.newPage();
    await signInWithToken(p, rig.tocsin.token, '/incidents');
    const indicator = p.getByRole('banner').locator('[data-live]');
    await p.locator('[data-live="live"]').waitFor();

    proxy.cut();
    await p.locator('[data-live="reconnecting"]').waitFor();
    await expect(indicator.textContent()).resolves.toBe('Reconnecting…');
    // A change made while this browser is cut off…
    await declare('Declared while the stream was down');

    proxy.restore();
    // …appears once the stream is back (the reconnect catches up), and the indicator says Live.
    await p.locator('[data-live="live"]').waitFor({ timeout: 90_000 });
    await p
      .getByRole('list', { name: 'Incidents' })
      .getByRole('link', { name: 'Declared while the stream was down' })
      .waitFor({ timeout: 90_000 });
    await expect(indicator.textContent()).resolves.toBe('Live');
    await context.close();
  });

  it("lets an admin list and revoke anyone's API tokens; a responder sees only their own", async () => {
    const made = await rig.api('POST', '/api/v1/tokens', { name: 'selam laptop', user: 'selam' });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    const selamToken = (made.json.token as { token: string }).token;
    expect((await rig.api('GET', '/api/v1/me', undefined, selamToken)).status).toBe(200);

    await page.goto('/settings/tokens');
    await page.getByLabel('Whose tokens').selectOption('selam');
    const table = page.getByRole('table', { name: 'API tokens of selam' });
    const row = table.getByRole('row').filter({ hasText: 'selam laptop' });
    await row.waitFor();
    await row.getByRole('button', { name: /Revoke/ }).click();
    await row.getByText('revoked').waitFor();
    expect((await rig.api('GET', '/api/v1/me', undefined, selamToken)).status).toBe(401);

    // Selam (a responder) sees her own tokens and no way to pick someone else's.
    const own = await rig.api('POST', '/api/v1/tokens', { name: 'selam console', user: 'selam' });
    const ownToken = (own.json.token as { token: string }).token;
    const context = await rig.context();
    const p = await context.newPage();
    await signInWithToken(p, ownToken, '/settings/tokens');
    await p
      .getByRole('table', { name: 'API tokens' })
      .getByRole('row')
      .filter({ hasText: 'selam console' })
      .waitFor();
    await expect(p.getByLabel('Whose tokens').count()).resolves.toBe(0);
    expect(await axeViolations(p)).toEqual([]);
    await context.close();
  });

  it("checks forms with the API's own schemas before sending, the reason beside the field, nothing typed lost", async () => {
    // A token's expiry that is not a duration.
    await page.goto('/settings/tokens');
    const tokenPosts = countRequests(page, 'POST', /\/api\/v1\/tokens$/);
    const tokenForm = page.getByRole('form', { name: 'Create an API token' });
    await tokenForm.getByLabel('Token name').fill('deploy bot');
    await tokenForm.getByLabel('Expires in (optional)').fill('soon');
    await tokenForm.getByRole('button', { name: 'Create token' }).click();
    await tokenForm.getByText('a duration such as 30d or 12h').waitFor();
    await expect(tokenForm.getByLabel('Expires in (optional)').getAttribute('aria-invalid')).resolves.toBe(
      'true',
    );
    await expect(tokenForm.getByLabel('Token name').inputValue()).resolves.toBe('deploy bot');
    expect(tokenPosts()).toBe(0);

    // A page's target in the wrong form, on the incident page.
    const id = await declare('Forms check');
    await page.goto(`/incidents/${id}`);
    const pagePosts = countRequests(page, 'POST', /\/api\/v1\/pages$/);
    const pageForm = page.getByRole('form', { name: 'Page someone' });
    await pageForm.getByLabel('Who to page').fill('hanna');
    await pageForm.getByRole('button', { name: 'Page' }).click();
    // The format is also the field's hint, so its text is there before the check: wait for the mark
    // (the form's schemas load on first focus, which takes a while on a busy machine).
    await pageForm.getByLabel('Who to page').and(page.locator('[aria-invalid="true"]')).waitFor();
    await pageForm
      .getByText('user:<handle>, schedule:<name>, team:<name> or policy:<name>', { exact: true })
      .last()
      .waitFor();
    expect(pagePosts()).toBe(0);
    await pageForm.getByLabel('Who to page').fill('user:jordan');
    const sent = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/pages',
    );
    await pageForm.getByRole('button', { name: 'Page' }).click();
    expect((await sent).status()).toBe(201);
    expect(pagePosts()).toBe(1);

    // The page email's link (Jordan is paged by email at once) opens this incident after signing in.
    const mail = await until('the page email to jordan', async () =>
      mailbox.mails.find((m) => (m.text ?? '').includes(`/incidents/${id}`)),
    );
    const link = (mail.text ?? '').match(/https?:\/\/[^\s]+?(\/incidents\/\d+)/)?.[1];
    expect(link).toBe(`/incidents/${id}`);
    const fresh = await rig.context();
    const opened = await fresh.newPage();
    await signInWithToken(opened, rig.tocsin.token, link);
    await opened.getByRole('heading', { name: 'Forms check', level: 1 }).waitFor();
    await fresh.close();

    // An override ending before it starts.
    await page.goto('/oncall');
    await page.getByLabel('Schedule', { exact: true }).selectOption('sre');
    const overridePosts = countRequests(page, 'POST', /\/overrides$/);
    const form = page.getByRole('form', { name: 'Create an override' });
    await form.getByLabel('Who takes over').selectOption('jordan');
    await form.getByLabel('Start').fill(`${dst.year}-04-05T18:00`);
    await form.getByLabel('End').fill(`${dst.year}-04-05T08:00`);
    await form.getByRole('button', { name: 'Create override' }).click();
    await form.getByText('must be after start').waitFor();
    await expect(form.getByLabel('End').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(form.getByLabel('Start').inputValue()).resolves.toBe(`${dst.year}-04-05T18:00`);
    expect(overridePosts()).toBe(0);
  });

  it('acknowledges and resolves an alert, shows its payload, and silences a service', async () => {
    // The alert comes in through the integration's own URL, sent by the services page's test button.
    await page.goto('/services/creator-api');
    const card = page.locator('[data-integration="pagerduty-clients"]');
    await card.getByRole('button', { name: 'Send test event' }).click();
    await card.getByText('Test event accepted.').waitFor();
    const alertId = await until('the alert', async () => {
      const list = await rig.api('GET', '/api/v1/alerts?service=creator-api&status=all');
      return (list.json.alerts as { id: string; summary: string }[]).find((a) =>
        a.summary.includes('Test event'),
      )?.id;
    });
    const status = async () =>
      ((await rig.api('GET', `/api/v1/alerts/${alertId}`)).json.alert as { status: string }).status;

    await page.goto('/alerts?status=all&service=creator-api');
    const row = page
      .getByRole('list', { name: 'Alerts' })
      .getByRole('listitem')
      .filter({ hasText: 'Test event' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Show payload' }).click();
    await row.locator('pre').getByText(`"id": "${alertId}"`).waitFor();
    await row.getByRole('button', { name: 'Acknowledge' }).click();
    await until('acknowledged', async () => (await status()) === 'acknowledged');
    await row.getByRole('button', { name: 'Acknowledge' }).waitFor({ state: 'detached' });
    await row.getByRole('button', { name: 'Resolve' }).click();
    await until('resolved', async () => (await status()) === 'resolved');
    await row.getByRole('button', { name: 'Resolve' }).waitFor({ state: 'detached' });

    const silence = page.getByRole('form', { name: 'Silence alerts' });
    await silence.getByLabel('Silence service').selectOption('creator-api');
    await silence.getByLabel('For').fill('2h');
    await silence.getByLabel('Why').fill('export migration tonight');
    await silence.getByRole('button', { name: 'Silence' }).click();
    await silence.getByRole('status').filter({ hasText: 'Silence created.' }).waitFor();
    const silences = await rig.api('GET', '/api/v1/silences');
    expect(JSON.stringify(silences.json)).toContain('export migration tonight');
  });

  it('adds an email contact method and verifies it with the code that email carries', async () => {
    await page.goto('/settings');
    const form = page.getByRole('form', { name: 'Add a contact method' });
    await form.getByLabel('Kind').selectOption('email');
    await form.getByLabel('Address').fill('not an address');
    await form.getByRole('button', { name: 'Add' }).click();
    await form.locator('.field-error').first().waitFor();
    await expect(form.getByLabel('Address').inputValue()).resolves.toBe('not an address');
    await form.getByLabel('Address').fill('admin-pager@example.com');
    await form.getByRole('button', { name: 'Add' }).click();
    const mail = await until('the verification email', async () =>
      mailbox.mails.find(
        (m) =>
          (m.text ?? '').includes('Tocsin code') && JSON.stringify(m.to).includes('admin-pager@example.com'),
      ),
    );
    const code = (mail.text ?? '').match(/Tocsin code (\d+)/)?.[1] ?? '';
    expect(code).toMatch(/^\d+$/);
    const card = page.getByRole('listitem').filter({ hasText: 'admin-pager@example.com' });
    await card.getByText('not verified').waitFor();
    await card.getByLabel('Code').fill(code);
    await card.getByRole('button', { name: 'Verify' }).click();
    await card.getByText('verified', { exact: true }).waitFor();
  });

  it("draws the schedule's layers and overrides as rows, in the viewer's zone with the schedule's beside, across DST", async () => {
    await page.goto('/oncall');
    await page.getByLabel('Schedule', { exact: true }).selectOption('sre');
    await page.getByLabel('From day').fill(`${dst.year}-03-${dst.sunday - 2}`);
    const rows = page.getByRole('list', { name: 'Layers and overrides of sre' });
    const working = rows.getByRole('listitem', { name: 'Layer berlin-working-hours' });
    // Berlin's 08:00 handoff is 03:00 in New York before Berlin's clocks change, 02:00 after.
    const friday = working.getByRole('listitem').filter({ hasText: `Fri ${dst.sunday - 2} Mar, 03:00` });
    const monday = working.getByRole('listitem').filter({ hasText: `Mon ${dst.sunday + 1} Mar, 02:00` });
    await friday.waitFor();
    await monday.waitFor();
    await expect(friday.textContent()).resolves.toContain('hanna');
    await expect(friday.textContent()).resolves.toContain('(08:00–18:00 Europe/Berlin)');
    await expect(monday.textContent()).resolves.toContain('(08:00–18:00 Europe/Berlin)');
    await rows
      .getByRole('listitem', { name: 'Layer around-the-clock' })
      .getByRole('listitem')
      .first()
      .waitFor();
    await expect(rows.getByRole('listitem', { name: 'Overrides' }).textContent()).resolves.toContain(
      'nobody',
    );

    // An override made here shows in its row and in the final row.
    const form = page.getByRole('form', { name: 'Create an override' });
    await form.getByLabel('Who takes over').selectOption('jordan');
    await form.getByLabel('Start').fill(`${dst.year}-03-${dst.sunday - 1}T10:00`);
    await form.getByLabel('End').fill(`${dst.year}-03-${dst.sunday - 1}T14:00`);
    await form.getByRole('button', { name: 'Create override' }).click();
    await rows
      .getByRole('listitem', { name: 'Overrides' })
      .getByRole('listitem')
      .filter({ hasText: `jordan Sat ${dst.sunday - 1} Mar, 10:00` })
      .waitFor();
    await rows
      .getByRole('listitem', { name: 'Final' })
      .getByRole('listitem')
      .filter({ hasText: /^jordan .*override$/ })
      .first()
      .waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });
});
