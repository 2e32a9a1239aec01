import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { readSources } from '../../cli/apply.ts';
import { Invalid } from '../../errors.ts';
import { SYSTEM_ACTOR } from '../context.ts';
import { type ApplyResult, applyDocuments } from './apply-documents.ts';
import type { ConfigSource } from './documents.ts';
import { knownKinds } from './registry.ts';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(() => t.close());

const root = join(import.meta.dirname, '../../..');

/** The minimal example plan under another name, so this file owns it. */
function planText(name: string, description = 'config test'): string {
  const plan = parse(readFileSync(join(root, 'examples/plans/minimal.yaml'), 'utf8')) as {
    metadata: { name: string; description?: string };
  };
  plan.metadata.name = name;
  plan.metadata.description = description;
  return stringify(plan);
}

const user = (handle: string, role = 'responder', extra = '') => `apiVersion: tocsin.dev/v1
kind: User
metadata:
  name: ${handle}
spec:
  name: ${handle} example
  role: ${role}${extra}
`;

const team = (name: string, members: string[]) => `apiVersion: tocsin.dev/v1
kind: Team
metadata:
  name: ${name}
spec:
  members:
${members.map((m) => `    - user: ${m}`).join('\n')}
`;

function apply(sources: ConfigSource[], dryRun = false): Promise<ApplyResult> {
  return applyDocuments({ ctx: t.ctx(SYSTEM_ACTOR), input: { sources, dryRun } });
}

async function applyErrors(sources: ConfigSource[]): Promise<string[]> {
  const error = await apply(sources).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Invalid);
  return (error as Invalid).details.map((d) => `${d.path}: ${d.message}`);
}

async function counts() {
  const n = async (table: 'audit_log' | 'plan_versions' | 'users' | 'teams') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    audit: await n('audit_log'),
    versions: await n('plan_versions'),
    users: await n('users'),
    teams: await n('teams'),
  };
}

const setup = (): ConfigSource[] => [
  {
    file: 'setup.yaml',
    content: [user('abebe', 'manager'), team('core', ['abebe', 'liya']), planText('cfg-core')].join('---\n'),
  },
  // Defined after the team that names her: the apply orders users first.
  { file: 'later.yaml', content: user('liya') },
];

describe('applyDocuments', () => {
  it('applies users, a team and a plan from a multi-document file in dependency order', async () => {
    const { results, applied } = await apply(setup());
    expect(applied).toBe(true);
    expect(results.map((r) => [r.kind, r.name, r.file, r.change])).toEqual([
      ['User', 'abebe', 'setup.yaml', 'created'],
      ['User', 'liya', 'later.yaml', 'created'],
      ['Team', 'core', 'setup.yaml', 'created'],
      ['Plan', 'cfg-core', 'setup.yaml', 'created'],
    ]);
    const members = await t.db
      .selectFrom('team_members')
      .innerJoin('teams', 'teams.id', 'team_members.team_id')
      .innerJoin('users', 'users.id', 'team_members.user_id')
      .select(['users.handle', 'team_members.role'])
      .where('teams.name', '=', 'core')
      .orderBy('users.handle')
      .execute();
    expect(members).toEqual([
      { handle: 'abebe', role: 'member' },
      { handle: 'liya', role: 'member' },
    ]);
    const version = await t.db
      .selectFrom('plan_versions')
      .select(['version', 'source'])
      .where('plan_name', '=', 'cfg-core')
      .execute();
    expect(version).toHaveLength(1);
    // The plan's own document is stored, not the users and team around it.
    expect(version[0]?.source).toContain('cfg-core');
    expect(version[0]?.source).not.toContain('kind: User');
  });

  it('applies many users in one batch with the results, audit rows and progress of one by one', async () => {
    const handles = Array.from({ length: 30 }, (_, i) => `bulk-${i}`);
    const withContact = `${user('bulk-contact')}  contacts:\n    - { kind: email, address: bulk@example.com }\n`;
    const file = { file: 'bulk.yaml', content: [...handles.map((h) => user(h)), withContact].join('---\n') };
    const seen: number[] = [];
    const first = await applyDocuments({
      ctx: t.ctx(SYSTEM_ACTOR),
      input: { sources: [file], onProgress: (done) => seen.push(done) },
    });
    expect(first.results.map((r) => r.change)).toEqual(Array(31).fill('created'));
    expect(seen[seen.length - 1]).toBe(31);
    const audited = await t.db
      .selectFrom('audit_log')
      .select('entity_id')
      .where('action', '=', 'user.created')
      .where('after', 'is not', null)
      .execute();
    const created = await t.db
      .selectFrom('users')
      .select(['id', 'handle'])
      .where('handle', 'like', 'bulk-%')
      .execute();
    expect(created).toHaveLength(31);
    for (const u of created) expect(audited.map((a) => a.entity_id)).toContain(String(u.id));

    const changed = {
      file: 'bulk.yaml',
      content: [...handles.map((h, i) => user(h, i === 3 ? 'manager' : 'responder')), withContact].join(
        '---\n',
      ),
    };
    const second = await apply([changed]);
    expect(second.results.filter((r) => r.change !== 'unchanged')).toEqual([
      {
        kind: 'User',
        name: 'bulk-3',
        file: 'bulk.yaml',
        change: 'updated',
        diff: [{ path: 'role', before: 'responder', after: 'manager' }],
      },
    ]);
  });

  it('changes nothing when the same documents are applied again', async () => {
    const before = await counts();
    const { results } = await apply(setup());
    expect(results.every((r) => r.change === 'unchanged' && r.diff.length === 0)).toBe(true);
    expect(await counts()).toEqual(before);
  });

  it('reports the changed fields of an update', async () => {
    const sources = setup();
    sources[0] = {
      file: 'setup.yaml',
      content: [
        user('abebe', 'admin', '\n  timeZone: Africa/Addis_Ababa'),
        team('core', ['abebe']),
        planText('cfg-core', 'changed'),
      ].join('---\n'),
    };
    const { results } = await apply(sources);
    const byName = Object.fromEntries(results.map((r) => [r.name, r]));
    expect(byName.abebe?.change).toBe('updated');
    expect(byName.abebe?.diff).toEqual([
      { path: 'role', before: 'manager', after: 'admin' },
      { path: 'timeZone', before: 'UTC', after: 'Africa/Addis_Ababa' },
    ]);
    expect(byName.core?.diff).toEqual([{ path: 'members.liya', before: 'member' }]);
    expect(byName['cfg-core']?.diff).toEqual([
      { path: 'metadata.description', before: 'config test', after: 'changed' },
    ]);
    const versions = await t.db
      .selectFrom('plan_versions')
      .select('version')
      .where('plan_name', '=', 'cfg-core')
      .execute();
    expect(versions).toHaveLength(2);
  });

  it('reports the diff of a dry run and changes nothing', async () => {
    const before = await counts();
    const { results, applied } = await apply(
      [{ file: 'dry.yaml', content: [user('abebe', 'viewer'), user('newcomer')].join('---\n') }],
      true,
    );
    expect(applied).toBe(false);
    expect(results).toEqual([
      {
        kind: 'User',
        name: 'abebe',
        file: 'dry.yaml',
        change: 'updated',
        diff: [
          { path: 'role', before: 'admin', after: 'viewer' },
          { path: 'timeZone', before: 'Africa/Addis_Ababa', after: 'UTC' },
        ],
      },
      { kind: 'User', name: 'newcomer', file: 'dry.yaml', change: 'created', diff: [] },
    ]);
    expect(await counts()).toEqual(before);
    const abebe = await t.db
      .selectFrom('users')
      .select('role')
      .where('handle', '=', 'abebe')
      .executeTakeFirst();
    expect(abebe?.role).toBe('admin');
  });

  it('applies nothing when any document is invalid and reports every error at its line:col', async () => {
    const before = await counts();
    const errors = await applyErrors([
      { file: 'good.yaml', content: user('valid-one') },
      {
        file: 'bad.yaml',
        content: [
          user('second', 'chief'), // lines 1-7: role at 7:9
          user('third', 'responder', '\n  favourite: blue\n  timeZone: Mars/Olympus'), // lines 9-17
        ].join('---\n'),
      },
    ]);
    expect(errors).toEqual([
      expect.stringMatching(/^bad\.yaml:7:9: spec\.role: /),
      'bad.yaml:16:3: spec.favourite: unknown key "favourite"',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('checks the time zone with the document, not only in the store', async () => {
    const errors = await applyErrors([
      { file: 'tz.yaml', content: user('zoned', 'responder', '\n  timeZone: Mars/Olympus') },
    ]);
    expect(errors).toEqual(['tz.yaml:8:13: "Mars/Olympus" is not an IANA time zone']);
  });

  it('refuses an unknown kind, an unknown apiVersion and a missing kind at their lines', async () => {
    const errors = await applyErrors([
      {
        file: 'kinds.yaml',
        content: [
          'apiVersion: tocsin.dev/v1\nkind: Widget\nmetadata: { name: w }\n',
          'apiVersion: tocsin.dev/v2\nkind: User\nmetadata: { name: v2 }\n',
          'apiVersion: tocsin.dev/v1\nmetadata: { name: nokind }\n',
          '- just a list\n',
        ].join('---\n'),
      },
    ]);
    expect(errors).toEqual([
      `kinds.yaml:2:7: kind: unknown kind "Widget" (known: ${knownKinds().join(', ')})`,
      'kinds.yaml:5:13: apiVersion: unknown apiVersion "tocsin.dev/v2" (expected tocsin.dev/v1)',
      `kinds.yaml:9:1: kind: required (one of ${knownKinds().join(', ')})`,
      'kinds.yaml:12:1: a document must be a mapping with apiVersion, kind, metadata',
    ]);
  });

  it('refuses the same kind and name twice, pointing at both', async () => {
    const errors = await applyErrors([
      { file: 'a.yaml', content: user('twin') },
      { file: 'b.yaml', content: `# a comment\n${user('twin')}` },
    ]);
    expect(errors).toEqual([
      'a.yaml:4:9: duplicate User "twin" (also defined at b.yaml:5:9)',
      'b.yaml:5:9: duplicate User "twin" (also defined at a.yaml:4:9)',
    ]);
  });

  it('places store errors in the document and rolls back what ran before', async () => {
    const before = await counts();
    const errors = await applyErrors([
      {
        file: 'ghosts.yaml',
        content: [user('real-one'), team('ghosts', ['real-one', 'nobody'])].join('---\n'),
      },
    ]);
    expect(errors).toEqual([
      'ghosts.yaml:16:13: Team "ghosts": members.1.user: no user with handle "nobody"',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('refuses a team listing a member twice', async () => {
    const errors = await applyErrors([{ file: 'dup.yaml', content: team('dups', ['abebe', 'abebe']) }]);
    expect(errors).toEqual(['dup.yaml:8:13: "abebe" is listed twice']);
  });

  it('reports plan errors at their place in a multi-document file', async () => {
    const content = `${user('planner')}---\n${planText('cfg-bad').replace('title: Critical', 'title: Critical\n    colour: red')}`;
    const errors = await applyErrors([{ file: 'plan.yaml', content }]);
    const line = content.split('\n').findIndex((l) => l.includes('colour: red')) + 1;
    expect(errors).toEqual([`plan.yaml:${line}:5: severities.0.colour: unknown key "colour"`]);
  });

  it('refuses an apply with no documents', async () => {
    await expect(apply([{ file: 'empty.yaml', content: '# nothing\n' }])).rejects.toBeInstanceOf(Invalid);
  });

  it('sets up the demo from examples/setup and examples/plans and changes nothing the second time', async () => {
    const sources = readSources([join(root, 'examples/setup'), join(root, 'examples/plans')]);
    const first = await apply(sources);
    expect(first.results.some((r) => r.kind === 'Team' && r.name === 'platform')).toBe(true);
    expect(first.results.filter((r) => r.kind === 'Plan').length).toBeGreaterThanOrEqual(6);
    const second = await apply(sources);
    expect(second.results.filter((r) => r.change !== 'unchanged')).toEqual([]);
  });
});
