import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../support.ts';
import { applyExamples, type ConsoleRig, signInWithToken, startConsoleRig } from './harness.ts';

// Issue 13's browser test: an update written in English and Amharic in the console waits for the
// plan's approvals (the incident commander AND a member of leadership, each approving in their own
// browser), is published by the last approval, and the public status page shows it in both languages.

const PLAN = `
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: bilingual }
languages: [en, am]
severities: [{ id: SEV1, title: Critical }]
roles: [{ id: incident-commander, title: Incident Commander }]
groups: [{ id: leadership, title: Company leadership, leadership: true }]
lifecycle:
  states: [{ id: investigating }, { id: identified }, { id: monitoring }, { id: resolved }]
approvals: { external: [incident-commander, leadership] }
`;
const PASSWORD = 'correct horse battery';
const ENGLISH = 'Uploads fail for some creators; we found the cause.';
const AMHARIC = 'ለአንዳንድ ፈጣሪዎች ፋይል መጫን አልተሳካም፤ መንስኤውን አግኝተናል።';

let rig: ConsoleRig;

beforeAll(async () => {
  rig = await startConsoleRig();
  await applyExamples(rig);
  const saved = await call(rig.tocsin, rig.tocsin.token, 'PUT', '/api/v1/plans/bilingual', undefined, PLAN);
  expect(saved.status, JSON.stringify(saved.json)).toBeLessThan(300);
  for (const who of ['dawit', 'selam']) {
    expect((await rig.api('PUT', `/api/v1/users/${who}/password`, { password: PASSWORD })).status).toBe(204);
  }
});
afterAll(async () => {
  await rig?.stop();
});

async function signInAs(who: string): Promise<Page> {
  const context = await rig.context();
  const p = await context.newPage();
  await p.goto('/incidents');
  await p.getByLabel('User name or email').fill(who);
  await p.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
  await p.getByRole('navigation', { name: 'Main' }).waitFor();
  return p;
}

/** The one update in the incident page's list of updates. */
const theUpdate = (p: Page) => p.locator('ol.updates > li').first();

async function approveIn(p: Page, incidentId: string, comment: string): Promise<void> {
  await p.goto(`/incidents/${incidentId}`);
  const update = theUpdate(p);
  await update.getByRole('button', { name: 'Approve' }).waitFor();
  await update.getByPlaceholder('Comment').fill(comment);
  await update.getByRole('button', { name: 'Approve' }).click();
}

describe('a two-language update through approval to the status page, in Chromium', () => {
  it('is composed in English and Amharic, approved by the IC and leadership, and shown in both', async () => {
    const declared = await rig.api('POST', '/api/v1/incidents', {
      plan: 'bilingual',
      severity: 'SEV1',
      title: 'Uploads failing',
    });
    expect(declared.status, JSON.stringify(declared.json)).toBe(201);
    const id = (declared.json.incident as { id: string }).id;
    const ic = await rig.api('POST', `/api/v1/incidents/${id}/roles`, {
      role: 'incident-commander',
      user: 'dawit',
    });
    expect(ic.status, JSON.stringify(ic.json)).toBe(200);

    // The admin writes the update, one text per language side by side.
    const writer = await rig.context();
    const w = await writer.newPage();
    await signInWithToken(w, rig.tocsin.token, `/incidents/${id}`);
    const composer = w.getByRole('form', { name: 'Compose an update' });
    await composer.getByLabel('Text (am)').waitFor();
    await composer.getByLabel('Text (en)').fill(ENGLISH);
    await composer.getByTestId('missing-languages').filter({ hasText: 'am' }).waitFor();
    await composer.getByLabel('Text (am)').fill(AMHARIC);
    await composer.getByLabel('Status').selectOption('identified');
    await composer.getByRole('button', { name: 'Post update' }).click();
    const pending = theUpdate(w);
    await pending.getByText('waiting for incident-commander').waitFor();
    await pending.getByText('waiting for leadership').waitFor();
    await expect(pending.getByRole('button', { name: 'Publish' }).isDisabled()).resolves.toBe(true);
    // Nothing is public before the approvals.
    expect(await (await fetch(`${rig.url}/status/api/v2/incidents.json`)).text()).not.toContain(ENGLISH);

    const dawit = await signInAs('dawit');
    await approveIn(dawit, id, 'Accurate.');
    await theUpdate(dawit).getByText('incident-commander: approved by dawit').waitFor();
    await theUpdate(dawit).getByText('waiting for leadership').waitFor();

    const selam = await signInAs('selam');
    await approveIn(selam, id, 'Go ahead.');
    await theUpdate(selam).getByText('published').waitFor();

    // The public page in the browser: English by default, Amharic from the language switch.
    const reader = await rig.context();
    const r = await reader.newPage();
    await r.goto('/status?lang=en');
    await r.getByText(ENGLISH).waitFor();
    await r.getByRole('link', { name: 'am', exact: true }).click();
    await r.getByText(AMHARIC).waitFor();
    await expect(r.locator('html').getAttribute('lang')).resolves.toBe('am');
    const json = (await (await fetch(`${rig.url}/status/api/v2/incidents.json?lang=am`)).json()) as {
      incidents: { name: string; incident_updates: { body: string; status: string }[] }[];
    };
    const shown = json.incidents.find((i) => i.name === 'Uploads failing');
    expect(shown?.incident_updates[0]).toMatchObject({ status: 'identified', body: AMHARIC });
  }, 240_000);
});
