import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../test/helpers.ts';

// `tocsin page`, `tocsin policy` and `tocsin incident pages` as a user runs them, against a server.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

const setup = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: lena }
spec: { name: Lena, email: lena@example.com, role: responder }
---
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: omid }
spec: { name: Omid, email: omid@example.com, role: responder }
---
apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: dba }
spec: { members: [{ user: omid }] }
---
apiVersion: tocsin.dev/v1
kind: EscalationPolicy
metadata: { name: web, description: Web on call }
spec:
  steps:
    - { users: [lena], escalateAfter: 10m }
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: cli-paging }
severities:
  - { id: SEV1, title: Outage, page: { to: responders } }
groups:
  - { id: responders, title: Responders, users: [lena] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

beforeAll(async () => {
  t = await testApp();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/apply',
    headers: auth(t.adminToken),
    payload: { documents: [{ file: 'setup.yaml', content: setup }] },
  });
  expect(res.statusCode).toBe(200);
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

describe('tocsin page / policy / incident pages', () => {
  it('pages a user and shows the queued message', async () => {
    const res = await tocsin('page', 'lena', '-m', 'Disk almost full on db-1');
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/page \d+ active: 1 message\(s\) queued/);
    expect(res.stdout).toMatch(/lena\s+email\s+lena@example.com/);
    const json = await tocsin('page', 'policy:web', '-m', 'again', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'paging', status: 'active', source: 'manual:2' });
  });

  it('refuses a bad target with the reason', async () => {
    const res = await tocsin('page', 'policy:nope', '-m', 'x');
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('no policy "nope"');
  });

  it('lists and shows policies', async () => {
    const list = await tocsin('policy', 'list');
    expect(list.stdout).toMatch(/web\s+1\s+0\s+Web on call/);
    const show = await tocsin('policy', 'show', 'web');
    expect(show.stdout).toContain('1. lena  → next after 10m');
  });

  it("prints an incident's page history", async () => {
    const declared = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: auth(t.adminToken),
      payload: { plan: 'cli-paging', severity: 'SEV1', title: 'Site down' },
    });
    const id = String(declared.json().incident.id);
    await tocsin('page', 'user:lena', '-m', 'please join', '--incident', id);
    const res = await tocsin('incident', 'pages', id);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/manual:1\s+paging\s+active/);
    // Step and round in columns of their own, not "1/1" (issue 9, item 9).
    expect(res.stdout).toMatch(/\bstep\s+round\s+status\s+queued\s+due\s+sent/);
    expect(res.stdout).toMatch(/lena\s+email\s+\S+\s+manual:1\s+1\s+1\s+pending/);
    const json = JSON.parse((await tocsin('incident', 'pages', id, '--json')).stdout);
    expect(json.messages).toEqual([
      expect.objectContaining({ user: 'lena', channel: 'email', status: 'pending' }),
    ]);
  });

  it('adds a team as responder and pages its members', async () => {
    const declared = await t.app.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: auth(t.adminToken),
      payload: { plan: 'cli-paging', severity: 'SEV1', title: 'Replication lag' },
    });
    const id = String(declared.json().incident.id);
    const res = await tocsin('incident', 'responder', id, 'team:dba', '--reason', 'database expertise');
    expect(res.stderr).toBe('');
    expect(res.stdout).toContain(`team:dba added to incident ${id} and paged`);
    const pages = JSON.parse((await tocsin('incident', 'pages', id, '--json')).stdout);
    expect(pages.escalations.map((e: { source: string }) => e.source)).toContain('responder:team:dba');
    expect(pages.messages).toContainEqual(
      expect.objectContaining({ user: 'omid', destination: 'omid@example.com' }),
    );
  });
});
