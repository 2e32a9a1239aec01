import { readFileSync } from 'node:fs';
import pg from 'pg';
import pino from 'pino';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { bootstrapAdmin } from '../src/domain/users/bootstrap-admin.ts';
import { Engine } from '../src/engine/engine.ts';
import { engineModules } from '../src/engine/modules.ts';
import { createMetrics } from '../src/http/metrics.ts';
import { buildServer } from '../src/http/server.ts';
import { clusterCpuMs, postmasterOf } from './proc.ts';
import { StatementCounter } from './statements.ts';
import { embeddedStore, type Store } from './stores.ts';

// Round trips to PostgreSQL per incident write request (declare, transition, note), counted on the
// real HTTP app in-process (app.inject: the bearer-token check, the route, the operation), the way
// bench/statements.ts counts the alert path. Every statement a pg client sends is counted, BEGIN and
// COMMIT included. Like those counts, these do not move with the machine's load.
// `npm run bench -- --statements`; BENCH_WRITE_STATEMENTS_INCIDENTS (default 20) incidents.

const INCIDENTS = Number(process.env.BENCH_WRITE_STATEMENTS_INCIDENTS ?? 20);
const TOKEN = 'tcs_bench_write_statements_0123456789';

export interface WriteStatementFigures {
  incidents: number;
  perRequest: Map<string, number>;
  /**
   * The engine's reaction to each request, as the server runs it (the passes its wake-ups, heard on a
   * real LISTEN tocsin_work, ask for, on the virtual clock; no delivery): statements by
   * '<op> engine:<module>', and CPU µs per request of the passes (Tocsin, the PostgreSQL cluster).
   */
  engine: Map<string, number>;
  enginePasses: Map<string, number>;
  engineCpu: Map<string, { node: number; pg: number }>;
  /**
   * The engine's reaction to the same requests for INCIDENTS more incidents sent together, before any
   * pass (a busy server: one workflow-events pass covers many incidents): per incident, statements,
   * passes and CPU µs.
   */
  together: { statements: number; passes: number; node: number; pg: number };
}

export async function countWriteStatements(store?: Store): Promise<WriteStatementFigures> {
  const own = store ?? (await embeddedStore('tocsin-bench-write-statements-'));
  const counter = new StatementCounter();
  counter.install();
  const name = 'bench_write_statements';
  try {
    await ensureDatabase(own.url, name);
    const { db } = connect(withDatabase(own.url, name), 4);
    const clock = new VirtualClock('2026-03-02T10:00:00Z');
    try {
      await migrate(db);
      await bootstrapAdmin(db, clock, TOKEN);
      const app = await buildServer({
        db,
        clock,
        log: pino({ level: 'silent' }),
        metrics: createMetrics(),
        publicUrl: 'http://tocsin.test',
        bodyLimit: 262_144,
        version: 'bench',
      });
      const engine = new Engine(
        { db, clock, log: pino({ level: 'silent' }) },
        engineModules({ deliver: false }),
      );
      const listener = new pg.Client({ connectionString: withDatabase(own.url, name) });
      await listener.connect();
      const heard = new Set<string>();
      listener.on('notification', (n) => heard.add(n.payload ?? ''));
      await listener.query('listen tocsin_work');
      const postmaster = await postmasterOf(withDatabase(own.url, name));
      const passes = new Map<string, number>();
      const cpu = new Map<string, { node: number; pg: number }>();
      // A round trip on the listening connection: the notifications of what committed before it are in.
      const take = async () => {
        const label = counter.label;
        counter.label = 'listener';
        await listener.query('select 1');
        counter.label = label;
        const kinds = new Set(heard);
        heard.clear();
        return kinds;
      };
      const tickModule = engine.tickModule.bind(engine);
      let op = 'setup';
      engine.tickModule = async (m, woken) => {
        counter.label = op === 'setup' ? 'setup' : `${op} engine:${m.name}`;
        try {
          return await tickModule(m, woken);
        } finally {
          counter.label = 'setup';
        }
      };
      // The passes the request's wake-ups ask for, as the engine's loop runs them.
      const react = async (label: string) => {
        op = label;
        const pg0 = clusterCpuMs(postmaster);
        const node0 = process.cpuUsage();
        let pending = await take();
        while (pending.size > 0 || engine.busy) {
          await engine.wokenPass(pending);
          passes.set(label, (passes.get(label) ?? 0) + 1);
          pending = await take();
        }
        const node1 = process.cpuUsage(node0);
        const c = cpu.get(label) ?? { node: 0, pg: 0 };
        cpu.set(label, {
          node: c.node + node1.user + node1.system,
          pg: c.pg + (clusterCpuMs(postmaster) - pg0) * 1000,
        });
        op = 'setup';
      };
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
      let reacting = true;
      const send = async (method: 'POST' | 'PUT', url: string, payload: string, label: string) => {
        counter.label = label;
        const res = await app.inject({
          method,
          url,
          headers:
            label === 'setup' && method === 'PUT'
              ? { ...headers, 'content-type': 'application/yaml' }
              : headers,
          payload,
        });
        counter.label = 'setup';
        if (res.statusCode >= 300)
          throw new Error(`${method} ${url} → ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (reacting) await react(label);
        return res.json() as Record<string, unknown>;
      };
      try {
        await send(
          'PUT',
          '/api/v1/plans/minimal',
          readFileSync('examples/plans/minimal.yaml', 'utf8'),
          'setup',
        );
        const round = async (i: number, label: (op: string) => string) => {
          const declared = await send(
            'POST',
            '/api/v1/incidents',
            JSON.stringify({ title: `counted incident ${i}`, plan: 'minimal', severity: 'SEV2' }),
            label('declare'),
          );
          const id = (declared.incident as { id: string }).id;
          await send(
            'POST',
            `/api/v1/incidents/${id}/transition`,
            JSON.stringify({ to: 'mitigated' }),
            label('transition'),
          );
          await send(
            'POST',
            `/api/v1/incidents/${id}/notes`,
            JSON.stringify({ text: 'rolled back' }),
            label('note'),
          );
        };
        // The first round warms the caches (plan version, token): not counted.
        await engine.wokenPass(new Set());
        while (engine.busy) await engine.wokenPass(new Set());
        await round(-1, () => 'setup');
        counter.reset();
        passes.clear();
        cpu.clear();
        for (let i = 0; i < INCIDENTS; i++) await round(i, (op) => op);
        const per = (entries: [string, number][]) => new Map(entries.map(([k, v]) => [k, v / INCIDENTS]));
        const counted = [...counter.counts.entries()].filter(([k]) => k !== 'setup' && k !== 'listener');
        reacting = false;
        for (let i = 0; i < INCIDENTS; i++) await round(INCIDENTS + i, () => 'setup');
        await react('together');
        reacting = true;
        const together = {
          statements:
            [...counter.counts.entries()]
              .filter(([k]) => k.startsWith('together engine:'))
              .reduce((a, [, v]) => a + v, 0) / INCIDENTS,
          passes: (passes.get('together') ?? 0) / INCIDENTS,
          node: (cpu.get('together')?.node ?? 0) / INCIDENTS,
          pg: (cpu.get('together')?.pg ?? 0) / INCIDENTS,
        };
        return {
          together,
          incidents: INCIDENTS,
          perRequest: per(counted.filter(([k]) => !k.includes(' engine:'))),
          engine: per(counted.filter(([k]) => k.includes(' engine:'))),
          enginePasses: per([...passes]),
          engineCpu: new Map(
            [...cpu].map(([k, v]) => [k, { node: v.node / INCIDENTS, pg: v.pg / INCIDENTS }]),
          ),
        };
      } finally {
        await app.close();
        await listener.end();
      }
    } finally {
      await db.destroy();
    }
  } finally {
    counter.uninstall();
    if (!store) await own.stop();
  }
}

export function reportWriteStatements(f: WriteStatementFigures): void {
  console.log(
    `\nround trips to PostgreSQL per incident write request (in-process HTTP app, bearer token, ${f.incidents} incidents; counts do not depend on the load)`,
  );
  let total = 0;
  for (const [op, n] of f.perRequest) {
    total += n;
    console.log(`  ${op.padEnd(12)} ${n.toFixed(1).padStart(6)}`);
  }
  console.log(`  ${'total'.padEnd(12)} ${total.toFixed(1).padStart(6)}  (declare + transition + note)`);
  console.log(
    "the engine's reaction (the passes each request's wake-ups ask for; no delivery): statements per request",
  );
  for (const op of f.perRequest.keys()) {
    const modules = [...f.engine].filter(([k]) => k.startsWith(`${op} engine:`));
    const sum = modules.reduce((a, [, v]) => a + v, 0);
    const c = f.engineCpu.get(op);
    console.log(
      `  ${op.padEnd(12)} ${sum.toFixed(1).padStart(6)} in ${(f.enginePasses.get(op) ?? 0).toFixed(1)} passes, CPU µs ${c?.node.toFixed(0)} Tocsin + ${c?.pg.toFixed(0)} PostgreSQL: ${modules
        .map(([k, v]) => `${k.slice(op.length + 8)} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
  }
  const t = f.together;
  console.log(
    `  ${f.incidents} incidents' requests together, then the passes: per incident ${t.statements.toFixed(1)} statements in ${t.passes.toFixed(2)} passes, CPU µs ${t.node.toFixed(0)} Tocsin + ${t.pg.toFixed(0)} PostgreSQL`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  reportWriteStatements(await countWriteStatements());
}
