import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { describeEvent } from '../domain/incidents/describe-event.ts';
import { PAYMENTS_PLAN } from '../domain/incidents/testing.ts';
import { savePlan } from '../domain/plans/save-plan.ts';
import { pairs } from './common.ts';
import { shortTime } from './incident.ts';

// `tocsin incident …` as a user runs it: the real binary against a real server on loopback.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PAYMENTS_PLAN } });
  await t.tokenFor('responder', 'alice');
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

describe('tocsin incident', () => {
  it('declares, acknowledges, notes, assigns and shows an incident', async () => {
    const declared = await tocsin(
      'incident',
      'declare',
      'Payment outage',
      '--severity',
      'P1',
      '--service',
      'payments-api',
      '--label',
      'region=eu',
      '--json',
    );
    expect(declared.code, declared.stderr).toBe(0);
    const incident = JSON.parse(declared.stdout);
    expect(incident).toMatchObject({ severity: 'P1', labels: { region: 'eu' } });
    const id = String(incident.id);
    expect((await tocsin('incident', 'ack', id)).stdout).toContain(`#${id} Payment outage`);
    expect((await tocsin('incident', 'note', id, 'rolled', 'back', 'v42')).code).toBe(0);
    expect((await tocsin('incident', 'assign', id, 'incident-commander', 'alice')).stdout).toBe(
      'incident-commander: alice\n',
    );
    const show = await tocsin('incident', 'show', id);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`#${id} Payment outage  [P1 · investigating]`);
    expect(show.stdout).toContain('channel #incident-2026-03-02-payment-outage');
    expect(show.stdout).toMatch(/acknowledge\s+2026-03-02 10:05Z\s+2026-03-02 10:00Z\s+met/);
    expect(show.stdout).toMatch(/incident-commander\s+alice/);
    expect(show.stdout).toContain('[ ] Open the war room');
    expect(show.stdout).toContain('rolled back v42');
    const list = await tocsin('incident', 'list');
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+P1\\s+investigating\\s+Payment outage`));
    const resolved = await tocsin('incident', 'resolve', id, '--resolution', 'rolled back', '--json');
    expect(JSON.parse(resolved.stdout)).toMatchObject({ state: 'resolved', resolution: 'rolled back' });
    // Out of resolved: a reopen, said so (issue 9, item 9).
    const reopened = await tocsin('incident', 'transition', id, 'investigating');
    expect(reopened.code, reopened.stderr).toBe(0);
    expect(reopened.stdout).toContain(`#${id} was resolved: it is reopened`);
  });

  it('links, unlinks and merges incidents', async () => {
    const declare = async (title: string) =>
      String(
        JSON.parse((await tocsin('incident', 'declare', title, '--severity', 'P1', '--json')).stdout).id,
      );
    const a = await declare('Checkout errors');
    const b = await declare('Card auth slow');
    expect((await tocsin('incident', 'link', a, b)).stdout).toBe(`#${a} linked to #${b}\n`);
    expect((await tocsin('incident', 'link', b, a)).stdout).toBe(`#${b} already linked to #${a}\n`);
    const show = await tocsin('incident', 'show', b);
    expect(show.stdout).toMatch(
      new RegExp(`Related\\n(.*\\n){2}#${a}\\s+Checkout errors\\s+P1\\s+investigating`),
    );
    expect(show.stdout).toContain(`linked to incident ${a} "Checkout errors"`);
    const unlinked = await tocsin('incident', 'unlink', a, b, '--json');
    expect(JSON.parse(unlinked.stdout)).toEqual({ changed: true, related: [] });
    const self = await tocsin('incident', 'link', a, a);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('incident_id');
    expect((await tocsin('incident', 'merge', b, '--into', a)).stdout).toBe(
      `#${b} merged into #${a} and resolved\n`,
    );
    const again = await tocsin('incident', 'merge', b, '--into', a);
    expect(again.code).toBe(1);
  });

  it('prints the API reason and field paths on bad input and exits 1', async () => {
    const bad = await tocsin('incident', 'declare', 'x', '--severity', 'SEV9');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('400 unknown severity "SEV9"');
    expect(bad.stderr).toContain('severity: not a severity of plan payments (P1, P2)');
  });
});

describe('view helpers', () => {
  it('formats times, events and key=value pairs', () => {
    expect(shortTime('2026-03-02T10:05:09.000Z')).toBe('2026-03-02 10:05Z');
    expect(shortTime(null)).toBe('');
    expect(describeEvent('incident.severity_changed', { from: 'P1', to: 'P2', reason: 'EU only' })).toBe(
      'severity P1 → P2: EU only',
    );
    expect(describeEvent('incident.role_assigned', { role: 'ic', user: 'bob', previous: 'alice' })).toBe(
      'ic → bob (was alice)',
    );
    expect(
      describeEvent('notification.queued', {
        action: 'page',
        text: '[SEV1] down',
        deliveries: [{ destination: 'page:on-call' }],
      }),
    ).toBe('page → page:on-call: [SEV1] down');
    expect(
      describeEvent('workflow.fired', { workflow: 'war room', trigger: 'event:1', actions: ['page'] }),
    ).toBe('workflow "war room" fired on event:1: page');
    expect(pairs(['a=1', 'b=x=y'], '--label')).toEqual({ a: '1', b: 'x=y' });
    expect(() => pairs(['nope'], '--label')).toThrow('--label takes key=value');
  });
});
