import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';
import { savePlan } from '../domain/plans/save-plan.ts';

// tocsin plan replay: the changed file checked here first (file:line:col), then the server's report.
// The replay itself (incidents run again in a throwaway store) is proven in
// src/domain/replay/replay-plan.test.ts; this server has no incidents and makes no store.

const PLAN = `apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: quiet }
severities:
  - { id: SEV1, title: Critical, targets: { acknowledge: 5m } }
lifecycle: { states: [{ id: investigating }, { id: resolved }] }
`;

let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;
const dir = mkdtempSync(join(tmpdir(), 'tocsin-replay-'));

beforeAll(async () => {
  t = await testApp();
  await savePlan({ ctx: t.ctx(), input: { source: PLAN } });
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

describe('tocsin plan replay', () => {
  it('prints the report (JSON or a table) for the plan the file names', async () => {
    const file = join(dir, 'quiet.yaml');
    writeFileSync(file, PLAN.replace('acknowledge: 5m', 'acknowledge: 2m'));
    const json = await tocsin('plan', 'replay', file, '--since', '30d', '--json', '-q');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      plan: 'quiet',
      source: 'quiet.yaml',
      total: 0,
      incidents: [],
    });
    const table = await tocsin('plan', 'replay', file);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('Replay of plan quiet under quiet.yaml: 0 incident(s) declared');
    expect(table.stderr).toContain('replayed 0 of 0 incident(s)');
  });

  it('refuses a broken file at its line and column before asking the server', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, PLAN.replace('acknowledge: 5m', 'acknowledge: soon'));
    const out = await tocsin('plan', 'replay', file);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/broken\.yaml:5:\d+: /);
  });
});
