import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVE_NODE_FLAGS } from '../scripts/lib/tocsin-process.ts';
import { freePort } from '../src/db/embedded.ts';
import { clusterPssMb, cpuMs, rssMb } from './proc.ts';

// Start to /health on an existing embedded store (issue 14, "Start fast and small"): `tocsin serve`
// is started on a data dir initialised and migrated beforehand, and timed from spawn until /health
// answers 200. The embedded PostgreSQL's own start (its "embedded PostgreSQL started in N ms" log
// line) is reported apart from Tocsin's time. Rounds alternate the compiled build (what `npm start`
// runs, dist/) with the sources through tsx (what it ran before), so both see the same machine load.
// Memory: Tocsin's resident set and the embedded cluster's proportional set (shared buffers counted
// once) once /health answers.

const ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 5);

export interface StartFigures {
  totalMs: number;
  postgresMs: number;
  tocsinMs: number;
  /** CPU time the Tocsin process used until /health answered: steadier than wall time on a busy machine. */
  tocsinCpuMs: number;
  tocsinRssMb: number;
  postgresPssMb: number;
}

type Variant = 'compiled' | 'tsx';

function commandOf(variant: Variant): string[] {
  return variant === 'compiled'
    ? [...SERVE_NODE_FLAGS, 'dist/main.js', 'serve']
    : [...SERVE_NODE_FLAGS, '--import', 'tsx', 'src/main.ts', 'serve'];
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await done;
}

async function startOnce(dataDir: string, variant: Variant): Promise<StartFigures> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, commandOf(variant), {
    env: {
      ...process.env,
      TOCSIN_PORT: String(port),
      TOCSIN_HOST: '127.0.0.1',
      TOCSIN_DATA_DIR: dataDir,
      TOCSIN_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let postgresMs = Number.NaN;
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = line.match(/embedded PostgreSQL started in (\d+) ms/);
      if (m) postgresMs = Number(m[1]);
    });
  }
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`tocsin serve exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) break;
      } catch {}
      if (performance.now() - started > 60_000) throw new Error('tocsin serve did not answer /health');
      await new Promise((r) => setTimeout(r, 5));
    }
    const totalMs = performance.now() - started;
    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    return {
      totalMs,
      postgresMs,
      tocsinMs: totalMs - postgresMs,
      tocsinCpuMs: cpuMs(child.pid ?? 0),
      tocsinRssMb: rssMb(child.pid ?? 0),
      postgresPssMb: clusterPssMb(postmaster),
    };
  } finally {
    await stopChild(child);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function summary(name: string, runs: StartFigures[]): string {
  const m = (k: keyof StartFigures, width: number) =>
    median(runs.map((r) => r[k]))
      .toFixed(0)
      .padStart(width);
  return [
    name.padEnd(26),
    `${m('totalMs', 6)} ms`,
    `${m('postgresMs', 7)} ms`,
    `${m('tocsinMs', 7)} ms`,
    `${m('tocsinCpuMs', 7)} ms`,
    `${m('tocsinRssMb', 7)} MB`,
    `${m('postgresPssMb', 7)} MB`,
  ].join(' ');
}

/** Prints the start figures; returns the compiled build's medians. */
export async function benchStart(): Promise<StartFigures | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-bench-start-'));
  const dataDir = join(dir, 'data');
  try {
    // The first start initialises the store and runs the migrations: not what is measured.
    await startOnce(dataDir, 'compiled');
    const runs: Record<Variant, StartFigures[]> = { compiled: [], tsx: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const variant of ['compiled', 'tsx'] as const)
        runs[variant].push(await startOnce(dataDir, variant));
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      `\nstart to /health on an existing embedded store, median of ${ROUNDS} (load average ${load})`,
    );
    console.log(
      `${'how'.padEnd(26)} ${'total'.padStart(9)} ${'PostgreSQL'.padStart(9)} ${'Tocsin own'.padStart(10)} ${'Tocsin CPU'.padStart(10)} ${'Tocsin RSS'.padStart(10)} ${'PG PSS'.padStart(10)}`,
    );
    console.log(summary('compiled (npm start)', runs.compiled));
    console.log(summary('sources through tsx', runs.tsx));
    const m = (k: keyof StartFigures) => median(runs.compiled.map((r) => r[k]));
    return {
      totalMs: m('totalMs'),
      postgresMs: m('postgresMs'),
      tocsinMs: m('tocsinMs'),
      tocsinCpuMs: m('tocsinCpuMs'),
      tocsinRssMb: m('tocsinRssMb'),
      postgresPssMb: m('postgresPssMb'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStart();
