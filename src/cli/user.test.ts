import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { auth, type TestApp, testApp } from '../../test/helpers.ts';
import { createToken } from '../domain/users/create-token.ts';

// Day one (issue 9, item 7): an admin onboards people and teams from the command line.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

describe('tocsin user and tocsin team', () => {
  it('create, list, show, set a role, deactivate a person', async () => {
    const created = await tocsin(
      'user',
      'create',
      'amara',
      '--name',
      'Amara Okafor',
      '--email',
      'amara@example.com',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('amara: Amara Okafor');
    expect((await tocsin('user', 'create', 'amara', '--name', 'Again')).stderr).toContain('409');
    const bad = await tocsin('user', 'create', 'kofi', '--name', 'Kofi', '--role', 'boss');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('role');

    expect((await tocsin('user', 'list')).stdout).toMatch(
      /amara\s+Amara Okafor\s+responder\s+amara@example.com/,
    );
    expect((await tocsin('user', 'set', 'amara', '--role', 'manager')).stdout).toContain(
      'role:      manager',
    );
    const shown = JSON.parse((await tocsin('user', 'show', 'amara', '--json')).stdout);
    expect(shown).toMatchObject({ handle: 'amara', role: 'manager', email: 'amara@example.com', teams: [] });

    const token = (await createToken({ ctx: t.ctx(), input: { name: 'laptop', user: 'amara' } })).token;
    const me = () => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) });
    expect((await me()).statusCode).toBe(200);
    expect((await tocsin('user', 'deactivate', 'amara')).stdout).toContain('amara deactivated');
    expect((await me()).statusCode).toBe(401);
    expect((await tocsin('user', 'show', 'nobody')).stderr).toContain('404');
  }, 240_000);

  it('create a team, show it, set and change a member’s role, remove them', async () => {
    await tocsin('user', 'create', 'kofi', '--name', 'Kofi Mensah');
    await tocsin('user', 'create', 'selam', '--name', 'Selam');
    const created = await tocsin(
      'team',
      'create',
      'payments',
      '--description',
      'Runs payments',
      '--member',
      'kofi:lead',
    );
    expect(created.code).toBe(0);
    await tocsin('team', 'set-role', 'payments', 'selam');
    await tocsin('team', 'set-role', 'payments', 'kofi', 'member');
    const team = JSON.parse((await tocsin('team', 'show', 'payments', '--json')).stdout);
    expect(team.members).toEqual([
      { user: 'kofi', role: 'member' },
      { user: 'selam', role: 'member' },
    ]);
    expect((await tocsin('user', 'show', 'kofi')).stdout).toContain('teams:     payments (member)');
    const removed = await tocsin('team', 'remove', 'payments', 'selam');
    expect(removed.stdout).not.toContain('selam');
    expect((await tocsin('team', 'set-role', 'payments', 'ghost')).stderr).toContain(
      'no user with handle "ghost"',
    );
    expect((await tocsin('team', 'list')).stdout).toMatch(/payments\s+Runs payments/);
  }, 240_000);
});
