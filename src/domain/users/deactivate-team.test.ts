import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { saveTeam } from './save-team.ts';

// Day one (issue 9, item 7): a disbanded team is deactivated like a person who left: nobody is paged
// through it, team lists leave it out, and the change is audited with it.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
  await addUser(t.ctx(), 'kofi');
  await saveTeam({
    ctx: t.ctx(),
    input: {
      team: { name: 'payments', description: 'Runs payments', members: [{ user: 'kofi', role: 'member' }] },
      mode: 'create',
    },
  });
});
afterAll(() => t.close());

/** Pages team:payments through the API; who it reached (their inbox). */
async function pageTeam(): Promise<string[]> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/pages',
    headers: auth(t.adminToken),
    payload: { target: 'team:payments', message: 'Card payments failing' },
  });
  expect(res.statusCode).toBe(201);
  const escalation = String(res.json().page.id);
  const rows = await t.db
    .selectFrom('inbox_items')
    .innerJoin('users', 'users.id', 'inbox_items.user_id')
    .select('users.handle')
    .where('inbox_items.escalation_id', '=', escalation)
    .execute();
  return rows.map((r) => r.handle);
}

describe('tocsin team deactivate', () => {
  it('stops paging through the team, leaves it out of lists, and is audited', async () => {
    expect(await pageTeam()).toEqual(['kofi']);

    const done = await tocsin('team', 'deactivate', 'payments');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/^team payments deactivated at \d{4}-/);
    // A repeat changes nothing (one audit entry).
    expect((await tocsin('team', 'deactivate', 'payments')).code).toBe(0);

    expect(await pageTeam()).toEqual([]);
    expect((await tocsin('team', 'list')).stdout).not.toContain('payments');
    const all = JSON.parse((await tocsin('team', 'list', '--all', '--json')).stdout);
    expect(all).toEqual([expect.objectContaining({ name: 'payments', deactivated_at: expect.any(String) })]);
    expect((await tocsin('team', 'show', 'payments')).stdout).toContain('nobody is paged through it');

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'entity_type'])
      .where('action', '=', 'team.deactivated')
      .execute();
    expect(audit).toEqual([{ action: 'team.deactivated', entity_type: 'team' }]);
  }, 240_000);

  it('answers 404 for an unknown team and 403 to a viewer', async () => {
    const viewer = await t.tokenFor('viewer');
    const post = (name: string, token: string) =>
      t.app.inject({ method: 'POST', url: `/api/v1/teams/${name}/deactivate`, headers: auth(token) });
    expect((await post('ghosts', t.adminToken)).statusCode).toBe(404);
    expect((await post('payments', viewer)).statusCode).toBe(403);
    expect((await tocsin('team', 'deactivate', 'ghosts')).stderr).toContain('404');
  }, 240_000);
});
