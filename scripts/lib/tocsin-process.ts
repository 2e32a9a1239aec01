import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/db/embedded.ts';

// Starts `tocsin serve` as its own process, for system tests and benchmarks.
export interface ServerHandle {
  url: string;
  token: string;
  pid: number;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `tocsin serve` as its own process (so the load generator does not share its event loop). */
export async function startServer(env: Record<string, string>, args: string[] = []): Promise<ServerHandle> {
  const port = await freePort();
  const token = env.TOCSIN_ADMIN_TOKEN ?? `tcs_bench_${Math.random().toString(36).slice(2)}_${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/tocsin.js', 'serve', ...args], {
    env: {
      ...process.env,
      TOCSIN_PORT: String(port),
      TOCSIN_HOST: '127.0.0.1',
      TOCSIN_DATA_DIR: join(dir, 'data'),
      TOCSIN_ADMIN_TOKEN: token,
      TOCSIN_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tocsin serve exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {}
    if (Date.now() > until) throw new Error('tocsin serve did not become healthy');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    token,
    pid: child.pid ?? 0,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
