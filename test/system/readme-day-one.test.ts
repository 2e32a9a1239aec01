import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { call, type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Issue 9, item 10/11 and the README's promise: every command of its quick start ("the first three
// things to try") and of "Day one: your own team, paged by a real alert" runs as written, through a
// real shell (bash, npx, curl, jq), against a real Tocsin process. Only the server's address and the
// admin token (the reader copies theirs) are this test's. Commands run one at a time; before the ones
// that read the alert's incident, the test waits until the engine has opened it (a reader does too).

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const README = readFileSync(join(root, 'README.md'), 'utf8');

/** The ```sh blocks of the README section whose heading starts with `heading`. */
function shBlocks(heading: string): string[] {
  const start = README.indexOf(`\n${heading}`);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const level = heading.split(' ')[0] as string;
  const rest = README.slice(start + 1);
  const next = rest.slice(1).search(new RegExp(`\\n#{2,${level.length}} `));
  const section = next < 0 ? rest : rest.slice(0, next + 1);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/** A block's commands: a line each, with a quoted argument running over several lines kept whole. */
function commandsOf(block: string): string[] {
  const commands: string[] = [];
  let current = '';
  for (const line of block.split('\n')) {
    // A comment line between commands (its apostrophes are no quotes).
    if (!current && line.trim().startsWith('#')) continue;
    current = current ? `${current}\n${line}` : line;
    if ((current.match(/'/g) ?? []).length % 2 === 0) {
      if (current.trim() && !current.trim().startsWith('#')) commands.push(current);
      current = '';
    }
  }
  return commands;
}

let db: SystemDb;
let server: ServerHandle;
const token = systemToken();

/** Runs one README command in bash, as a reader's terminal would, against the test server. */
async function sh(command: string): Promise<{ stdout: string; stderr: string }> {
  const local = command.replaceAll('http://localhost:8080', server.url).replaceAll('tcs_…', token);
  try {
    return await run('bash', ['-e', '-o', 'pipefail', '-c', local], {
      cwd: root,
      env: { ...process.env, TOCSIN_URL: server.url, TOCSIN_TOKEN: token },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`README command failed: ${local}\n${e.stderr ?? ''}${e.stdout ?? ''}${e.message}`);
  }
}

beforeAll(async () => {
  db = await systemDatabase(inject('pgAdminUrl'), 'readme_day_one');
  server = await startServer({
    DATABASE_URL: db.url,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: '200',
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

describe('the README quick start and day one, as written', () => {
  it('finds the blocks it runs', () => {
    expect(shBlocks('## Quick start').length).toBeGreaterThanOrEqual(2);
    expect(shBlocks('### Day one')).toHaveLength(1);
  });

  it('runs every command of "the first three things to try" and of "Day one"', async () => {
    // The first block (npm ci, npm start) is what started this server.
    const [, tryFirst] = shBlocks('## Quick start');
    for (const command of commandsOf(tryFirst ?? '')) {
      // `export` only names the server and token for the commands after it: sh() sets them.
      if (command.startsWith('export ')) continue;
      await sh(command);
    }
    const [dayOne] = shBlocks('### Day one');
    let alerted = false;
    for (const command of commandsOf(dayOne ?? '')) {
      // The alert opens incident #2 asynchronously (the engine routes it): wait for it, as a reader does.
      if (alerted && / 2\b/.test(command)) {
        await until(
          'the alert opened incident #2',
          async () => (await call(server, token, 'GET', '/api/v1/incidents/2')).status === 200 || undefined,
          120_000,
        ).catch(async (error: Error) => {
          const seen = await call(server, token, 'GET', '/api/v1/alerts?service=wallet');
          const incidents = await call(server, token, 'GET', '/api/v1/incidents');
          throw new Error(
            `${error.message}\nalerts: ${JSON.stringify(seen.json)}\nincidents: ${JSON.stringify(incidents.json).slice(0, 2000)}`,
          );
        });
      }
      const out = await sh(command);
      if (command.startsWith('curl ')) {
        alerted = true;
        expect(out.stdout).toContain('success');
      }
    }
    const incident = await call(server, token, 'GET', '/api/v1/incidents/2');
    expect(incident.json).toMatchObject({ incident: { service: 'wallet', state: 'resolved' } });
  }, 900_000);
});
