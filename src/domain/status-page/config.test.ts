import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../../test/helpers.ts';
import { Invalid } from '../../errors.ts';
import { applyDocuments } from '../config/apply-documents.ts';
import { SYSTEM_ACTOR } from '../context.ts';

// The status page as configuration: `kind: StatusPage` through tocsin apply, and the CLI.

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

const DOC = `apiVersion: tocsin.dev/v1
kind: StatusPage
metadata: { name: Creator status }
spec:
  languages: [en, am]
  groups: [{ name: Platform }]
  components:
    - { name: API, group: Platform }
    - { name: Uploads, group: Platform, description: Video and image uploads }
    - { name: Website }
`;

function apply(content: string, dryRun = false) {
  return applyDocuments({
    ctx: t.ctx(SYSTEM_ACTOR),
    input: { sources: [{ file: 'page.yaml', content }], dryRun },
  });
}

describe('kind: StatusPage', () => {
  it('creates the page, its groups and components; a second apply changes nothing', async () => {
    const first = await apply(DOC);
    expect(first.results).toMatchObject([{ kind: 'StatusPage', name: 'Creator status', change: 'created' }]);
    const summary = (await t.app.inject({ url: '/status/api/v2/components.json' })).json();
    const names = summary.components.map((c: { name: string }) => c.name);
    expect(names).toEqual(['Platform', 'API', 'Uploads', 'Website']);
    expect(summary.page.name).toBe('Creator status');
    expect((await apply(DOC)).results[0]?.change).toBe('unchanged');
    const moved = await apply(DOC.replace('{ name: Website }', '{ name: Website, group: Platform }'));
    expect(moved.results[0]?.change).toBe('updated');
  });

  it('refuses a component of an unknown group and a name listed twice, at file:line:col', async () => {
    const bad = DOC.replace('group: Platform, description', 'group: Nowhere, description').replace(
      '{ name: Website }',
      '{ name: API }',
    );
    const error = await apply(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Invalid);
    const details = (error as Invalid).details.map((d) => `${d.path}: ${d.message}`);
    expect(details).toEqual([
      'page.yaml:9:31: no group "Nowhere" in spec.groups',
      'page.yaml:10:15: "API" is listed twice',
    ]);
  });
});

describe('tocsin status-page', () => {
  it('sets a component’s status, schedules and completes maintenance, shows it all', async () => {
    const set = await tocsin(
      'status-page',
      'component',
      'set',
      'Search',
      '--description',
      'Finding creators',
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe('component Search created\n');
    const status = await tocsin('status-page', 'component', 'status', 'Search', 'partial_outage');
    expect(status.stdout).toBe('component Search is now partial_outage\n');
    const bad = await tocsin('status-page', 'component', 'status', 'Search', 'sad');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('status');
    const emergency = await tocsin(
      'status-page',
      'maintenance',
      'emergency',
      'Index rebuild',
      '--component',
      'Search',
      '--body',
      'en=Search is paused.',
      '--json',
    );
    expect(emergency.code, emergency.stderr).toBe(0);
    const m = JSON.parse(emergency.stdout);
    expect(m).toMatchObject({ status: 'in_progress', emergency: true, components: ['Search'] });
    const shown = await tocsin('status-page', 'show');
    expect(shown.stdout).toContain('Search');
    expect(shown.stdout).toContain('Index rebuild');
    const done = await tocsin('status-page', 'maintenance', 'update', m.id, '--status', 'completed');
    expect(done.stdout).toBe(`maintenance ${m.id}  completed  Index rebuild\n`);
    const help = await tocsin('status-page', '--help');
    expect(help.stdout).toContain('Examples:');
  });
});
