import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

// What the benchmarks read from /proc (Linux): CPU time and memory of a process, and of a whole
// PostgreSQL cluster (the postmaster and its children). NaN where /proc is unreadable.

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU time of a process in ms (utime + stime, and with children: + cutime + cstime); NaN if unreadable. */
export function cpuMs(pid: number, withChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of proc(5), counted from the state field (3rd) here.
    const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
    return ((utime ?? 0) + (stime ?? 0) + (withChildren ? (cutime ?? 0) + (cstime ?? 0) : 0)) * TICK_MS;
  } catch {
    return Number.NaN;
  }
}

export function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function childrenOf(parent: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (parentOf(pid) === parent) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/**
 * CPU of a whole PostgreSQL cluster in ms: the postmaster with the children it reaped (exited
 * backends), plus its live children (backends, WAL writer, checkpointer …).
 */
export function clusterCpuMs(postmaster: number): number {
  return childrenOf(postmaster).reduce((total, pid) => total + (cpuMs(pid) || 0), cpuMs(postmaster, true));
}

/** The postmaster of the cluster behind `url`: the parent of a backend. NaN if /proc is unreadable. */
export async function postmasterOf(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    // Read while the backend is alive: it exits with the connection.
    return parentOf(Number(rows[0]?.pid));
  } catch {
    return Number.NaN;
  } finally {
    await client.end();
  }
}

function statusKb(pid: number, field: string, file = 'status'): number {
  try {
    const match = readFileSync(`/proc/${pid}/${file}`, 'utf8').match(
      new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'),
    );
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resident memory of one process, in MB. */
export function rssMb(pid: number): number {
  return statusKb(pid, 'VmRSS') / 1024;
}

/**
 * Memory of a PostgreSQL cluster in MB, as proportional set size: the processes share
 * shared_buffers, which a sum of their RSS would count once per process.
 */
export function clusterPssMb(postmaster: number): number {
  return [postmaster, ...childrenOf(postmaster)].reduce(
    (total, pid) => total + (statusKb(pid, 'Pss', 'smaps_rollup') || 0) / 1024,
    0,
  );
}
