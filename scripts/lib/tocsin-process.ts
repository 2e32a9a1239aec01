import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../src/db/embedded.ts';

// Starts `tocsin serve` as its own process, for system tests and benchmarks.
export interface ServerHandle {
  url: string;
  token: string;
  pid: number;
  /** The port the process was told to serve on (an engine-only process leaves it closed). */
  port: number;
  /** TOCSIN_DATA_DIR of the process (the embedded store's data when DATABASE_URL is not set). */
  dataDir: string;
  /** The exit code once the process has exited (null: running, or ended by a signal). */
  exitCode(): number | null;
  /** Whether the process has exited (by itself or by a signal). */
  exited(): boolean;
  /** The log lines at level error or worse the process wrote so far (pino levels 50 and 60). */
  errorLines(): string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const START_TIMEOUT_MS = 120_000;

/** The V8 flags `npm start` and bin/tocsin.js's shebang give `tocsin serve` (see bin/tocsin.js). */
export const SERVE_NODE_FLAGS = ['--max-semi-space-size=16'];

function roleOf(args: string[]): string {
  const i = args.indexOf('--role');
  return i >= 0 ? (args[i + 1] ?? 'all') : 'all';
}

/**
 * Starts `tocsin serve` as its own process (so the load generator does not share its event loop) and
 * waits until it is ready: /health answers, or, for `--role engine` (no HTTP), its "tocsin started"
 * log line. Its stderr (pino's JSON logs) is passed through to ours.
 */
export async function startServer(
  env: Record<string, string>,
  args: string[] = [],
  nodeFlags: readonly string[] = SERVE_NODE_FLAGS,
): Promise<ServerHandle> {
  const port = await freePort();
  const token = env.TOCSIN_ADMIN_TOKEN ?? `tcs_bench_${Math.random().toString(36).slice(2)}_${Date.now()}`;
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-'));
  const dataDir = env.TOCSIN_DATA_DIR ?? join(dir, 'data');
  const engineOnly = roleOf(args) === 'engine';
  const argv = [...nodeFlags, 'bin/tocsin.js', 'serve', ...args];
  const child: ChildProcess = spawn(process.execPath, argv, {
    env: {
      ...process.env,
      TOCSIN_PORT: String(port),
      TOCSIN_HOST: '127.0.0.1',
      TOCSIN_DATA_DIR: dataDir,
      TOCSIN_ADMIN_TOKEN: token,
      TOCSIN_LOG_LEVEL: 'warn',
      ...env,
      // The engine-only process is ready when it logs "tocsin started" (at info).
      ...(engineOnly ? { TOCSIN_LOG_LEVEL: 'info' } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let started = false;
  let exited = false;
  const errorLines: string[] = [];
  child.once('exit', () => {
    exited = true;
  });
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (line.includes('"msg":"tocsin started"')) started = true;
      if (/"level":(50|60)[,}]/.test(line)) errorLines.push(line);
      // Info lines of the engine-only process would drown the test output: show warnings and worse.
      if (!/"level":(10|20|30)[,}]/.test(line)) process.stderr.write(`${line}\n`);
    });
  }
  const url = `http://127.0.0.1:${port}`;
  const handle: ServerHandle = {
    url,
    token,
    pid: child.pid ?? 0,
    port,
    dataDir,
    exitCode: () => child.exitCode,
    exited: () => exited,
    errorLines: () => [...errorLines],
    async stop(signal = 'SIGTERM') {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill(signal);
        await done;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const until = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) throw new Error(`tocsin serve exited with ${child.exitCode ?? child.signalCode}`);
      if (engineOnly) {
        if (started) break;
      } else {
        try {
          if ((await fetch(`${url}/health`)).ok) break;
        } catch {}
      }
      if (Date.now() > until) throw new Error('tocsin serve did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await handle.stop('SIGKILL');
    throw error;
  }
  return handle;
}
