import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, type TestApp, testApp } from '../../../test/helpers.ts';
import { loadPlan } from '../plans/plan.ts';
import { knownKinds } from './registry.ts';
import { APPLY_BODY_LIMIT } from './routes.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const users = `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: selam }
spec: { name: Selam Tesfaye, role: manager, leadership: true }
---
apiVersion: tocsin.dev/v1
kind: Team
metadata: { name: platform }
spec:
  members: [{ user: selam, role: lead }]
`;

function post(token: string, payload: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/apply', headers: auth(token), payload });
}

describe('POST /api/v1/apply', () => {
  it('dry-runs, applies, then reports everything unchanged', async () => {
    const body = { documents: [{ file: 'team.yaml', content: users }] };
    const dry = await post(t.adminToken, { ...body, dry_run: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({
      applied: false,
      results: [
        { kind: 'User', name: 'selam', change: 'created' },
        { kind: 'Team', name: 'platform', change: 'created' },
      ],
    });
    const none = await t.db.selectFrom('users').select('id').where('handle', '=', 'selam').execute();
    expect(none).toHaveLength(0);

    const real = await post(t.adminToken, body);
    expect(real.statusCode).toBe(200);
    expect(real.json().applied).toBe(true);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('actor_name')
      .where('action', 'in', ['user.created', 'team.created'])
      .where('actor_name', '=', 'admin')
      .execute();
    expect(audit).toHaveLength(2);

    const again = await post(t.adminToken, body);
    expect(again.json().results.map((r: { change: string }) => r.change)).toEqual(['unchanged', 'unchanged']);
  });

  it('takes a request above the default body limit (tocsin apply sends every document at once), up to its own', async () => {
    // One user padded with a YAML comment to 1.5 MB: above the default 1 MiB of other routes.
    const padded = `${users.split('---')[0]}# ${'x'.repeat(1_500_000)}\n`;
    const big = await post(t.adminToken, {
      documents: [{ file: 'big.yaml', content: padded }],
      dry_run: true,
    });
    expect(big.statusCode).toBe(200);
    expect(big.json().results).toMatchObject([{ kind: 'User', name: 'selam' }]);
    const tooBig = await post(t.adminToken, {
      documents: [{ file: 'huge.yaml', content: 'x'.repeat(APPLY_BODY_LIMIT) }],
      dry_run: true,
    });
    expect(tooBig.statusCode).toBe(413);
    // Without a token the body is refused before it is read.
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/apply',
      payload: { documents: [{ file: 'big.yaml', content: padded }] },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it('answers 400 with file:line:col details for invalid documents', async () => {
    const res = await post(t.adminToken, {
      documents: [
        { file: 'bad.yaml', content: 'apiVersion: tocsin.dev/v1\nkind: Gadget\nmetadata: {name: g}\n' },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([
      { path: 'bad.yaml:2:7', message: `kind: unknown kind "Gadget" (known: ${knownKinds().join(', ')})` },
    ]);
  });

  it('answers 400 for a malformed body', async () => {
    const res = await post(t.adminToken, { documents: [{ file: 'x.yaml' }], force: true });
    expect(res.statusCode).toBe(400);
    const paths = res.json().error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['body.documents.0.content', 'body.force']));
  });

  it('answers 403 to a viewer and 401 without a token, changing nothing', async () => {
    const viewer = await t.tokenFor('viewer');
    const body = {
      documents: [{ file: 'u.yaml', content: users.replaceAll('selam', 'mallory').split('---')[0] }],
    };
    expect((await post(viewer, body)).statusCode).toBe(403);
    const anonymous = await t.app.inject({ method: 'POST', url: '/api/v1/apply', payload: body });
    expect(anonymous.statusCode).toBe(401);
    const stored = await t.db.selectFrom('users').select('id').where('handle', '=', 'mallory').execute();
    expect(stored).toHaveLength(0);
  });

  it('lets a manager apply teams but not users', async () => {
    const manager = await t.tokenFor('manager');
    const team = users.split('---\n')[1] as string;
    const ok = await post(manager, { documents: [{ file: 't.yaml', content: team }] });
    expect(ok.statusCode).toBe(200);
    const refused = await post(manager, { documents: [{ file: 'u.yaml', content: users }] });
    expect(refused.statusCode).toBe(403);
  });
});

describe('stored-only plan fields', () => {
  // The minimal example plan (acted-on fields only) with `readiness`, a field Tocsin only stores.
  const minimal = readFileSync('examples/plans/minimal.yaml', 'utf8');
  const withReview = `${minimal.replace('name: minimal', 'name: reviewed')}readiness: [rota trained]\n`;
  /** What `tocsin plan validate` reports for the file: the warnings all three answers must carry. */
  const validated = (text: string, file: string) => loadPlan(text, file).warnings;

  it('POST /api/v1/apply returns the warnings plan validate prints, for a dry run and a real one', async () => {
    const expected = validated(withReview, 'reviewed.yaml');
    expect(expected).toEqual([
      expect.objectContaining({
        file: 'reviewed.yaml',
        message: 'warning: readiness is stored only: Tocsin keeps it but does not act on it yet',
      }),
    ]);
    const documents = [{ file: 'reviewed.yaml', content: withReview }];
    for (const dry_run of [true, false]) {
      const res = await post(t.adminToken, { documents, dry_run });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ applied: !dry_run, field_warnings: expected });
    }
    // A plan using acted-on fields only: none.
    const clean = await post(t.adminToken, { documents: [{ file: 'minimal.yaml', content: minimal }] });
    expect(clean.json().field_warnings).toEqual([]);
  });

  it('PUT /api/v1/plans/:name returns them too, also when the plan is unchanged', async () => {
    const put = () =>
      t.app.inject({
        method: 'PUT',
        url: '/api/v1/plans/reviewed',
        headers: { ...auth(t.adminToken), 'content-type': 'application/yaml' },
        payload: withReview.replace('description: A starting point', 'description: Put, a starting point'),
      });
    const first = await put();
    expect(first.statusCode).toBe(200);
    const expected = validated(withReview, 'reviewed.yaml');
    expect(first.json()).toMatchObject({ change: 'updated', field_warnings: expected });
    expect((await put()).json()).toMatchObject({ change: 'unchanged', field_warnings: expected });
  });
});
