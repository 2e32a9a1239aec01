import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import type { DrillReport } from '../../src/domain/drills/run-drill.ts';

// `tocsin drill` as a user runs it: the real binary, with DATABASE_URL pointing at the test
// PostgreSQL server, where the drill creates its own throwaway database and drops it afterwards.
const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');

async function tocsin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: inject('pgAdminUrl'), NO_COLOR: '1' };
  try {
    const { stdout, stderr } = await run(process.execPath, [join(root, 'bin/tocsin.js'), 'drill', ...args], {
      cwd: root,
      env,
      // A guard against a hung process only, a little under the test's own: a drill of a real
      // plan on a busy 2-core machine can take far longer than on a quiet one.
      timeout: 110_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The drill databases on the server: none may be left behind. */
async function drillDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like 'drill\\_%' order by 1",
    );
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

describe('tocsin drill', () => {
  it('passes the default drill of a plan: exit 0, a JSON report with every target met', async () => {
    const before = await drillDatabases();
    const r = await tocsin('examples/plans/marketing-platform.yaml', '--severity', 'P2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as DrillReport;
    expect(report).toMatchObject({ plan: 'marketing-platform', severity: 'P2', passed: true });
    expect(report.targets.map((t) => [t.target, t.verdict])).toEqual([
      ['acknowledge', 'met'],
      ['statusPage', 'met'],
      ['resolve', 'met'],
    ]);
    expect(report.targets[0]).toMatchObject({ duration: '30m', due_offset: '+30m' });
    expect(report.cadence).toMatchObject([{ audience: 'internal', every: '1h', verdict: 'met' }]);
    expect(report.steps.every((s) => s.ok)).toBe(true);
    expect(await drillDatabases()).toEqual(before);
  });

  it('reports a breach scenario: exit 3 and BREACHED rows in the table', async () => {
    const r = await tocsin(
      'examples/plans/story-generation.yaml',
      '--scenario',
      'examples/drills/story-generation-upgraded.yaml',
    );
    expect(r.code, r.stderr).toBe(3);
    expect(r.stdout).toContain('SEV-2 High (declared SEV-3)');
    expect(r.stdout).toMatch(/^triage\s+\+30m \(30m\)\s+\+34m\s+BREACHED$/m);
    expect(r.stdout).toMatch(/^statusPage\s+\+30m \(15m\)\s+\+40m\s+BREACHED$/m);
    expect(r.stdout).toMatch(/^acknowledge\s+\+30m \(15m\)\s+\+12m\s+met$/m); // due times follow the raise; met before it
    expect(r.stdout).toContain('FAIL: 1 of 3 targets met');
    // Progress goes to stderr, so stdout is the report alone.
    expect(r.stderr).toContain('declare');
  });

  it('refuses a scenario with an unknown key: exit 1, file:line:col on stderr, nothing run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-drill-cli-'));
    const file = join(dir, 'typo.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: tocsin.dev/v1',
        'kind: Drill',
        'steps:',
        '  - { at: "0", do: declare }',
        '  - { at: 5m, do: acknowledge, when: later }',
        '',
      ].join('\n'),
    );
    const r = await tocsin('examples/plans/minimal.yaml', '--scenario', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: .*when`, 'm'),
    );
    expect(r.stdout).toBe('');
  });

  it('refuses a severity the plan does not have: exit 1', async () => {
    const r = await tocsin('examples/plans/minimal.yaml', '--severity', 'SEV9');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SEV9');
  });
});
