import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/db/embedded.ts';

export interface ServerHandle {
  url: string;
  token: string;
  stop(): Promise<void>;
}

/** Starts `tocsin serve` as its own process (so the load generator does not share its event loop). */
export async function startServer(env: Record<string, string>): Promise<ServerHandle> {
  const port = await freePort();
  const token = `tcs_bench_${Math.random().toString(36).slice(2)}_${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
  const child: ChildProcess = spawn(process.execPath, ['bin/tocsin.js', 'serve'], {
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
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Runs `iterations` of `scenario` with `concurrency` workers; each scenario call reports its request latencies. */
export async function load(
  iterations: number,
  concurrency: number,
  scenario: (i: number, timed: <T>(fn: () => Promise<T>) => Promise<T>) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const timed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < iterations) {
        const i = next++;
        try {
          await scenario(i, timed);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: pct(50),
    p99: pct(99),
  };
}
