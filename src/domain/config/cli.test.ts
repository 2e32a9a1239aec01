import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cliLocal } from '../../../test/cli-harness.ts';
import { freshDb, type TestDb } from '../../../test/helpers.ts';
import { formatSourceError, type SourceError } from '../../lib/yaml-source.ts';

// `tocsin apply` against the local store: DATABASE_URL points at a fresh database (faster than
// initialising an embedded PostgreSQL in a temporary TOCSIN_DATA_DIR). The CLI runs in this process
// (the same program and argv, from the directory a user would run it in), which saves starting Node
// and loading the CLI for each of its ten runs (src/cli/user-password.test.ts starts the binary on a
// local store).
let db: TestDb;
let dir: string;
let tocsin: (...args: string[]) => Promise<CliResult>;
const root = join(import.meta.dirname, '../../..');

beforeAll(async () => {
  db = await freshDb();
  dir = mkdtempSync(join(tmpdir(), 'tocsin-apply-'));
  mkdirSync(join(dir, 'config', 'people'), { recursive: true });
  writeFileSync(
    join(dir, 'config', 'people', 'selam.yml'),
    'apiVersion: tocsin.dev/v1\nkind: User\nmetadata: { name: selam }\nspec: { name: Selam, role: responder }\n',
  );
  writeFileSync(
    join(dir, 'config', 'team.yaml'),
    'apiVersion: tocsin.dev/v1\nkind: Team\nmetadata: { name: web }\nspec: { members: [{ user: selam }] }\n',
  );
  writeFileSync(join(dir, 'config', 'notes.txt'), 'not yaml, not read');
  tocsin = await cliLocal(db.url, dir);
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tocsin apply (local store)', { timeout: 300_000 }, () => {
  it('applies a directory, shows a kubectl-like diff, and errors at file:line:col', async () => {
    const first = await tocsin('apply', '-f', 'config');
    // Without a server it says where it writes (issue 9, item 9).
    expect(first.stderr).toBe(
      'No TOCSIN_URL or --url: applying to the local store (DATABASE_URL) directly, not to a server.\n',
    );
    expect(first.stdout).toBe('user/selam created\nteam/web created\n');
    expect(first.code).toBe(0);

    writeFileSync(
      join(dir, 'config', 'people', 'selam.yml'),
      'apiVersion: tocsin.dev/v1\nkind: User\nmetadata: { name: selam }\nspec: { name: Selam, role: manager }\n',
    );
    const dry = await tocsin('apply', '-f', 'config', '--dry-run');
    expect(dry.stdout).toBe(
      'user/selam configured (role: responder → manager) (dry run)\nteam/web unchanged (dry run)\n',
    );
    const json = JSON.parse((await tocsin('apply', '-f', 'config', '--json')).stdout);
    expect(json.applied).toBe(true);
    expect(json.results[0]).toMatchObject({
      kind: 'User',
      change: 'updated',
      file: 'config/people/selam.yml',
    });
    expect((await tocsin('apply', '-f', 'config')).stdout).toBe('user/selam unchanged\nteam/web unchanged\n');

    writeFileSync(
      join(dir, 'broken.yaml'),
      'apiVersion: tocsin.dev/v1\nkind: User\nmetadata: { name: Bad Name }\n',
    );
    const bad = await tocsin('apply', '-f', 'config', '-f', 'broken.yaml');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.split('\n')).toEqual([
      'broken.yaml:1:1: spec: required',
      expect.stringMatching(/^broken\.yaml:3:19: metadata\.name: lowercase letters/),
      '',
    ]);
  });

  it('prints the stored-only field warnings exactly as plan validate does, and in --json', async () => {
    const minimal = readFileSync(join(root, 'examples/plans/minimal.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'reviewed.yaml'),
      `${minimal.replace('name: minimal', 'name: reviewed')}readiness: [rota trained]\n`,
    );
    const validated = await tocsin('plan', 'validate', 'reviewed.yaml');
    expect(validated.code).toBe(0);
    const warning = validated.stderr.trim();
    expect(warning).toMatch(/^reviewed\.yaml:\d+:1: warning: readiness is stored only/);
    const applied = await tocsin('apply', '-f', 'reviewed.yaml');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('plan/reviewed created\n');
    expect(applied.stderr.split('\n')).toContain(warning);
    const json = JSON.parse((await tocsin('apply', '-f', 'reviewed.yaml', '--json')).stdout);
    expect(json.field_warnings.map((w: SourceError) => formatSourceError(w))).toEqual([warning]);
  });

  it('explains itself with --help', async () => {
    const help = await tocsin('apply', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('tocsin apply -f examples/');
    expect(help.stdout).toContain('--dry-run');
    // Every kind it takes, not four of six.
    expect(help.stdout).toContain(
      'Kinds: EscalationPolicy, MaintenanceWindow, Plan, Schedule, Service, StatusPage, Team, User',
    );
  });
});
