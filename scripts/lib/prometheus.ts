import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../src/db/embedded.ts';

// Debian's Prometheus and Alertmanager (scripts/system-deps.sh installs them), started on loopback
// ports with throwaway config and data dirs, for the system tests. Neither starts by itself here.
export const PROMETHEUS_BIN = process.env.TOCSIN_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
export const ALERTMANAGER_BIN = process.env.TOCSIN_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LINES_KEPT = 40;

/** Fails with what to do when a binary is not installed (rather than a spawn ENOENT later). */
export function requireBinary(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `${path} is missing: run \`bash scripts/system-deps.sh\` (it installs Debian's prometheus and ` +
        'prometheus-alertmanager; CI runs it before `npm run test:system`)',
    );
  }
}

export interface Daemon {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Its process id (benchmarks read its CPU time). */
  pid: number;
  /** host:port, as a scrape or alerting target. */
  address: string;
  /** The temp dir holding its config and data (deleted by stop). */
  dir: string;
  /** Its last log lines, for failure messages. */
  logTail(): string;
  exited(): boolean;
  /** SIGTERM (SIGKILL after a while), then deletes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

interface DaemonSpec {
  name: string;
  bin: string;
  /** Arguments, given the listen address and the dir (config files already written there). */
  args(address: string, dir: string): string[];
  /** Files to write into the dir before starting, given the listen address. */
  files(address: string): Record<string, string>;
}

/** Starts a Prometheus-style daemon and waits until its /-/ready answers 200. */
async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  requireBinary(spec.bin);
  const dir = mkdtempSync(join(tmpdir(), `tocsin-${spec.name}-`));
  const address = `127.0.0.1:${await freePort()}`;
  for (const [name, text] of Object.entries(spec.files(address))) writeFileSync(join(dir, name), text);
  mkdirSync(join(dir, 'data'));
  const child: ChildProcess = spawn(spec.bin, spec.args(address, dir), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > LOG_LINES_KEPT) lines.shift();
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', keep);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      keep(`spawn failed: ${error.message}`);
      exited = true;
      resolve();
    });
  });
  // If the test process dies without its cleanup running, do not leave the daemon behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const logTail = () => lines.join('\n');
  const daemon: Daemon = {
    url: `http://${address}`,
    pid: child.pid ?? 0,
    address,
    dir,
    logTail,
    exited: () => exited,
    async stop() {
      process.off('exit', killOnExit);
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exit;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitReady(daemon, spec.name);
  } catch (error) {
    await daemon.stop();
    throw error;
  }
  return daemon;
}

async function waitReady(daemon: Daemon, name: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (daemon.exited()) throw new Error(`${name} exited while starting:\n${daemon.logTail()}`);
    try {
      const res = await fetch(`${daemon.url}/-/ready`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {}
    if (Date.now() > deadline) {
      throw new Error(`${name} not ready after ${READY_TIMEOUT_MS} ms:\n${daemon.logTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Alertmanager with gossip off (--cluster.listen-address=) and its own storage. */
export async function startAlertmanager(config: string): Promise<Daemon> {
  return startDaemon({
    name: 'alertmanager',
    bin: ALERTMANAGER_BIN,
    files: () => ({ 'alertmanager.yml': config }),
    args: (address, dir) => [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
  });
}

export interface AlertmanagerAlert {
  fingerprint: string;
  labels: Record<string, string>;
  status: { state: string };
}

/** What Alertmanager holds now (its API v2). */
export async function alertmanagerAlerts(alertmanager: Daemon): Promise<AlertmanagerAlert[]> {
  const res = await fetch(`${alertmanager.url}/api/v2/alerts`);
  if (!res.ok) throw new Error(`alertmanager /api/v2/alerts answered ${res.status}`);
  return (await res.json()) as AlertmanagerAlert[];
}

export interface Prometheus extends Daemon {
  /** Writes (or overwrites) a file next to prometheus.yml, e.g. a rule file; reload() applies it. */
  writeFile(name: string, text: string): void;
  /** POST /-/reload (--web.enable-lifecycle): answers once the new config and rules are loaded. */
  reload(): Promise<void>;
}

export interface PrometheusOptions {
  /** prometheus.yml, given Prometheus's own host:port (to scrape itself). */
  config(self: string): string;
  /** Files next to it (rule files named in the config, relative paths resolve against its dir). */
  files?: Record<string, string>;
  /**
   * --rules.alert.resend-delay (Prometheus's default: 1m): how often active alerts are sent again to
   * Alertmanager. Alertmanager considers an alert resolved 4 × this after it last heard of it.
   */
  resendDelay?: string;
}

export async function startPrometheus(options: PrometheusOptions): Promise<Prometheus> {
  const daemon = await startDaemon({
    name: 'prometheus',
    bin: PROMETHEUS_BIN,
    files: (address) => ({ ...options.files, 'prometheus.yml': options.config(address) }),
    args: (address, dir) => [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${address}`,
      '--web.enable-lifecycle',
      ...(options.resendDelay ? [`--rules.alert.resend-delay=${options.resendDelay}`] : []),
      '--log.level=warn',
    ],
  });
  return {
    ...daemon,
    writeFile(name, text) {
      writeFileSync(join(daemon.dir, name), text);
    },
    async reload() {
      const res = await fetch(`${daemon.url}/-/reload`, { method: 'POST' });
      if (!res.ok) {
        throw new Error(`prometheus reload answered ${res.status}: ${await res.text()}\n${daemon.logTail()}`);
      }
    },
  };
}
