import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ExternalPostgres, startPostgres15 } from '../../scripts/lib/pg15.ts';
import { type ServerHandle, startServer } from '../../scripts/lib/tocsin-process.ts';
import { NtfyRecorder, type Received } from './ntfy-recorder.ts';
import {
  acknowledgeAlong,
  applyPagingSetup,
  type Bounds,
  checkDeliveries,
  type Declared,
  declareIncidents,
  type Report,
  STEP_USERS,
  waitUntilSettled,
} from './paging-scenario.ts';
import { type SystemDb, systemDatabase, systemToken, until } from './support.ts';

// Paging survives the failures a cluster sees: real Tocsin processes on a real PostgreSQL 15, pages
// delivered over HTTP to loopback ntfy servers (one per instance, so we know who sent what), each
// page carrying its outbox id. Every page a person had to get must arrive exactly once — by outbox
// id and by (incident, step, person) — never before it is due, and within a stated bound after it.
// See paging-scenario.ts for the plan (three steps, 2 s apart) and the checks.

const INTERVAL_MS = 200;
const LEASE_MS = 3_000;
/**
 * Scheduling slack on top of the engine's own delays: a 2-core machine running PostgreSQL, three
 * Tocsin processes and the test (measured lateness is printed; it stays far below this).
 */
const SLACK_MS = 1_000;

function instanceEnv(db: string, token: string, ntfy: NtfyRecorder, extra: Record<string, string> = {}) {
  return {
    DATABASE_URL: db,
    TOCSIN_ADMIN_TOKEN: token,
    TOCSIN_ENGINE_INTERVAL_MS: String(INTERVAL_MS),
    TOCSIN_OUTBOX_LEASE_MS: String(LEASE_MS),
    TOCSIN_NTFY_URL: ntfy.url,
    ...extra,
  };
}

function printReport(name: string, report: Report, extra: Record<string, unknown> = {}): void {
  const { problems: _, ...numbers } = report;
  console.info(`[paging-reliability] ${name}: ${JSON.stringify({ ...numbers, ...extra })}`);
}

const firstOfStep = (received: Received[], topic: string) => received.some((r) => r.topic === topic);

/** Incidents acknowledged after step 1 of the first `n`, and after step 2 of the last `m`. */
function ackPlanOf(incidents: Declared[], n: number, m: number): Map<Declared, number> {
  const plan = new Map<Declared, number>();
  for (const i of incidents.slice(0, n)) plan.set(i, 1);
  for (const i of incidents.slice(incidents.length - m)) plan.set(i, 2);
  return plan;
}

describe('paging while an instance is SIGKILLed', () => {
  const INCIDENTS = 50;
  const token = systemToken();
  const received: Received[] = [];
  let db: SystemDb;
  let recorders: NtfyRecorder[] = [];
  let servers: ServerHandle[] = [];

  beforeAll(async () => {
    db = await systemDatabase(inject('pgAdminUrl'), 'paging_kill');
    recorders = await Promise.all(['i0', 'i1', 'i2'].map((via) => NtfyRecorder.start(via, received)));
    const [r0, r1, r2] = recorders as [NtfyRecorder, NtfyRecorder, NtfyRecorder];
    // The first one migrates the database; the others start on it together.
    const first = await startServer(instanceEnv(db.url, token, r0));
    servers = [first];
    servers.push(
      ...(await Promise.all([
        startServer(instanceEnv(db.url, token, r1)),
        startServer(instanceEnv(db.url, token, r2)),
      ])),
    );
    await applyPagingSetup(first, token);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await Promise.all(recorders.map((r) => r.close()));
    await db?.close();
  });

  it('delivers every page exactly once, on time, and none after an acknowledgement', async () => {
    const [s0, s1, victim] = servers as [ServerHandle, ServerHandle, ServerHandle];
    const victimNtfy = recorders[2] as NtfyRecorder;
    const survivors = [s0, s1];
    const started = Date.now();
    const incidents = await declareIncidents(survivors, token, INCIDENTS);
    const acks = acknowledgeAlong(() => survivors, token, received, ackPlanOf(incidents, 8, 6));

    // Mid-escalation (step 2 has begun to go out), the victim's provider connection stalls, so it
    // holds claimed messages in flight; then it is SIGKILLed with them.
    await until('step 2 to begin', async () => firstOfStep(received, 'page-cyd'), 20_000, 20);
    const beforeKill = received.filter((r) => r.via === 'i2').length;
    victimNtfy.stall();
    await until(
      'the victim to hold messages in flight',
      async () => victimNtfy.hangingCount() >= 2,
      10_000,
      10,
    );
    const inFlight = victimNtfy.hangingCount();
    const killedAt = Date.now();
    await victim.stop('SIGKILL');
    expect(victim.exited()).toBe(true);

    await until(
      'every required page to arrive',
      async () =>
        received.length >= incidents.reduce((n, i) => n + STEP_USERS.slice(0, i.steps).flat().length, 0),
      40_000,
      50,
    );
    await waitUntilSettled(db, 20_000);
    await acks.stop();
    // Nothing may arrive once the outbox is settled: give a stray resend a few engine intervals.
    const settled = received.length;
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
    expect(received.length).toBe(settled);

    expect(acks.failures).toEqual([]);
    // Those acknowledged after step 1 all were; after step 2, those whose step 2 was on time.
    const acked = incidents.filter((i) => i.ackAt !== undefined).length;
    expect(incidents.slice(0, 8).every((i) => i.ackAt !== undefined)).toBe(true);
    expect(acked).toBeGreaterThan(8);
    const bounds: Bounds = {
      firstClaimMs: INTERVAL_MS + SLACK_MS,
      reclaimedMs: LEASE_MS + 2 * INTERVAL_MS + SLACK_MS,
    };
    const report = await checkDeliveries(db, incidents, received, bounds);
    printReport('SIGKILL', report, {
      acked,
      victimDeliveredBeforeKill: beforeKill,
      victimInFlightAtKill: inFlight,
      killedAfterMs: killedAt - started,
      totalMs: Date.now() - started,
      bounds,
    });
    expect(report.problems).toEqual([]);
    // The victim did part of the work before it died, and what it held was retried after the lease.
    expect(beforeKill).toBeGreaterThan(0);
    expect(report.reclaimed).toBeGreaterThanOrEqual(inFlight);
    const afterKill = received.filter((r) => r.via === 'i2' && r.at > killedAt);
    expect(afterKill).toEqual([]);
    const ended = await db.rows<{ status: string; n: string }>(
      'select status, count(*) as n from escalations group by status order by status',
    );
    expect(ended.map((e) => [e.status, Number(e.n)])).toEqual([
      ['acknowledged', acked],
      ['exhausted', INCIDENTS - acked],
    ]);
  });
});

describe('paging while PostgreSQL restarts', () => {
  const INCIDENTS = 30;
  const DOWN_MS = 1_500;
  const token = systemToken();
  const received: Received[] = [];
  let pg: ExternalPostgres;
  let db: SystemDb;
  let recorders: NtfyRecorder[] = [];
  let servers: ServerHandle[] = [];

  beforeAll(async () => {
    // A cluster of this test's own: the shared one must stay up for the other system tests.
    pg = await startPostgres15();
    db = await systemDatabase(pg.url, 'paging_restart');
    recorders = await Promise.all(['i0', 'i1'].map((via) => NtfyRecorder.start(via, received)));
    // Every engine tick logs its store error while PostgreSQL is down; a crash still shows.
    const quiet = { TOCSIN_LOG_LEVEL: 'fatal' };
    const first = await startServer(instanceEnv(db.url, token, recorders[0] as NtfyRecorder, quiet));
    servers = [first, await startServer(instanceEnv(db.url, token, recorders[1] as NtfyRecorder, quiet))];
    await applyPagingSetup(first, token);
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await Promise.all(recorders.map((r) => r.close()));
    await db?.close();
    pg?.stop();
  });

  it('resumes after the restart: nothing lost, nothing doubled', async () => {
    const started = Date.now();
    const incidents = await declareIncidents(servers, token, INCIDENTS);
    // Acknowledged after step 1, before the restart (an acknowledgement during it would answer 503).
    const acks = acknowledgeAlong(() => servers, token, received, ackPlanOf(incidents, 6, 0));
    await until('step 2 to begin', async () => firstOfStep(received, 'page-cyd'), 20_000, 20);
    await acks.stop();
    const downAt = Date.now();
    await pg.shutdown();
    await new Promise((r) => setTimeout(r, DOWN_MS));
    await pg.start();
    const outageMs = Date.now() - downAt;

    await waitUntilSettled(db, 40_000);
    const settled = received.length;
    await new Promise((r) => setTimeout(r, 3 * INTERVAL_MS));
    expect(received.length).toBe(settled);
    expect(servers.every((s) => !s.exited())).toBe(true);

    expect(acks.failures).toEqual([]);
    // Acknowledgements that had not happened before the restart are not counted as such.
    const acked = incidents.filter((i) => i.ackAt !== undefined).length;
    const bounds: Bounds = {
      firstClaimMs: outageMs + INTERVAL_MS + SLACK_MS,
      reclaimedMs: outageMs + LEASE_MS + 2 * INTERVAL_MS + SLACK_MS,
    };
    const report = await checkDeliveries(db, incidents, received, bounds);
    printReport('PostgreSQL restart', report, {
      acked,
      outageMs,
      restartedAfterMs: downAt - started,
      totalMs: Date.now() - started,
      bounds,
    });
    expect(report.problems).toEqual([]);
    expect(acked).toBe(6);
  });
});
