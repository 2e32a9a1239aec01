import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { addUser, auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { saveTeam } from './save-team.ts';

// Reactivating (issue 12): a person who came back and a team set up again are active once more,
// through the API, the CLI and re-applying a `kind: Team` file; each change is audited, the
// permission is checked in the operation, and tokens from before a deactivation stay dead.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

const TEAM_FILE = `apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: payments, description: Runs payments }
spec:
  members: [{ user: kofi, role: member }]
`;

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

const post = (url: string, token: string) => t.app.inject({ method: 'POST', url, headers: auth(token) });

async function audited(action: string): Promise<number> {
  const rows = await t.db.selectFrom('audit_log').select('id').where('action', '=', action).execute();
  return rows.length;
}

async function activeTeams(): Promise<string[]> {
  const res = await t.app.inject({ url: '/api/v1/teams', headers: auth(t.adminToken) });
  return (res.json().teams as { name: string }[]).map((team) => team.name);
}

describe('reactivating a team', () => {
  it('lists it again with its members, once, through the CLI', async () => {
    expect((await tocsin('team', 'deactivate', 'payments')).code).toBe(0);
    expect(await activeTeams()).not.toContain('payments');

    const done = await tocsin('team', 'reactivate', 'payments');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('team payments active\n');
    // A repeat changes nothing (one audit entry).
    const again = JSON.parse((await tocsin('team', 'reactivate', 'payments', '--json')).stdout);
    expect(again).toMatchObject({ name: 'payments', deactivated_at: null, members: [{ user: 'kofi' }] });
    expect(await activeTeams()).toContain('payments');
    expect(await audited('team.reactivated')).toBe(1);
  }, 240_000);

  it('re-applying its kind: Team file reactivates it; a member change alone does not', async () => {
    expect((await post('/api/v1/teams/payments/deactivate', t.adminToken)).statusCode).toBe(200);
    // Changing a member of a deactivated team keeps it deactivated.
    const member = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/teams/payments/members/kofi',
      headers: auth(t.adminToken),
      payload: { role: 'lead' },
    });
    expect(member.statusCode).toBe(200);
    expect(member.json().team.deactivated_at).not.toBeNull();

    const apply = (dryRun: boolean) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/apply',
        headers: auth(t.adminToken),
        payload: { documents: [{ file: 'team.yaml', content: TEAM_FILE }], dry_run: dryRun },
      });
    const dry = await apply(true);
    expect(dry.json().results).toEqual([
      expect.objectContaining({ kind: 'Team', name: 'payments', change: 'updated' }),
    ]);
    expect(await activeTeams()).not.toContain('payments');
    const applied = await apply(false);
    expect(applied.statusCode).toBe(200);
    expect(applied.json().results).toEqual([
      expect.objectContaining({ kind: 'Team', name: 'payments', change: 'updated' }),
    ]);
    expect(await activeTeams()).toContain('payments');
    expect(await audited('team.reactivated')).toBe(2);
    // Creating a team under a deactivated team's name says how to bring it back.
    await post('/api/v1/teams/payments/deactivate', t.adminToken);
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: auth(t.adminToken),
      payload: { name: 'payments' },
    });
    expect(create.statusCode).toBe(409);
    expect(create.json().error.message).toContain('tocsin team reactivate payments');
    await post('/api/v1/teams/payments/reactivate', t.adminToken);
  }, 240_000);

  it('answers 404 for an unknown team, 400 for a bad name, 403 below manager', async () => {
    await post('/api/v1/teams/payments/deactivate', t.adminToken);
    expect((await post('/api/v1/teams/ghosts/reactivate', t.adminToken)).statusCode).toBe(404);
    const bad = await post('/api/v1/teams/Not%20A%20Name/reactivate', t.adminToken);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('params.name');
    for (const role of ['viewer', 'responder'] as const) {
      expect((await post('/api/v1/teams/payments/reactivate', await t.tokenFor(role))).statusCode).toBe(403);
    }
    expect(await activeTeams()).not.toContain('payments');
    expect((await tocsin('team', 'reactivate', 'ghosts')).stderr).toContain('404');
    await post('/api/v1/teams/payments/reactivate', t.adminToken);
  }, 240_000);
});

describe('reactivating a user', () => {
  it('lets them be paged and sign in again; tokens from before stay revoked', async () => {
    const old = await t.tokenFor('responder', 'amara');
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth(old) })).statusCode).toBe(200);
    expect((await tocsin('user', 'deactivate', 'amara')).code).toBe(0);
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth(old) })).statusCode).toBe(401);

    const done = await tocsin('user', 'reactivate', 'amara');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('amara active\n');
    const shown = JSON.parse((await tocsin('user', 'show', 'amara', '--json')).stdout);
    expect(shown.deactivated_at).toBeNull();
    // The token held before the deactivation does not come back to life.
    expect((await t.app.inject({ url: '/api/v1/me', headers: auth(old) })).statusCode).toBe(401);
    // A repeat changes nothing; the one audit entry counts what was revoked.
    expect((await post('/api/v1/users/amara/reactivate', t.adminToken)).statusCode).toBe(200);
    const entries = await t.db
      .selectFrom('audit_log')
      .select('after')
      .where('action', '=', 'user.reactivated')
      .execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.after).toMatchObject({ handle: 'amara', tokens_revoked: 1 });
    // Paged again: a page to them reaches their inbox.
    const page = await t.app.inject({
      method: 'POST',
      url: '/api/v1/pages',
      headers: auth(t.adminToken),
      payload: { target: 'user:amara', message: 'Back on the rota' },
    });
    expect(page.statusCode).toBe(201);
  }, 240_000);

  it('answers 404 for an unknown user, 400 for a bad handle, 403 below admin', async () => {
    await post('/api/v1/users/kofi/deactivate', t.adminToken);
    expect((await post('/api/v1/users/ghost/reactivate', t.adminToken)).statusCode).toBe(404);
    expect((await post('/api/v1/users/Bad%20Handle/reactivate', t.adminToken)).statusCode).toBe(400);
    for (const role of ['viewer', 'responder', 'manager'] as const) {
      const res = await post('/api/v1/users/kofi/reactivate', await t.tokenFor(role));
      expect(res.statusCode, role).toBe(403);
    }
    const shown = await t.app.inject({ url: '/api/v1/users/kofi', headers: auth(t.adminToken) });
    expect(shown.json().user.deactivated_at).not.toBeNull();
    expect((await tocsin('user', 'reactivate', 'ghost')).stderr).toContain('404');
  }, 240_000);
});
