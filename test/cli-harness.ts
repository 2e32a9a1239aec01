import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestApp } from './helpers.ts';

// The CLI as a user runs it: the real binary against a real server on loopback.
const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Starts listening on a free loopback port and returns `tocsin(...args)` bound to that server. */
export async function cliAgainst(t: TestApp): Promise<(...args: string[]) => Promise<CliResult>> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  return async (...args) => {
    const env: NodeJS.ProcessEnv = { ...process.env, TOCSIN_TOKEN: t.adminToken };
    delete env.TOCSIN_URL;
    try {
      const { stdout, stderr } = await run(
        process.execPath,
        [join(root, 'bin/tocsin.js'), ...args, '--url', url],
        {
          env,
          // A guard against a hung process, not a measure: generous for a busy 2-core machine.
          timeout: 110_000,
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}
