import { readFileSync } from 'node:fs';
import pino from 'pino';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { bootstrapAdmin } from '../src/domain/users/bootstrap-admin.ts';
import { createMetrics } from '../src/http/metrics.ts';
import { buildServer } from '../src/http/server.ts';
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
      const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
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
        await round(-1, () => 'setup');
        counter.reset();
        for (let i = 0; i < INCIDENTS; i++) await round(i, (op) => op);
        const perRequest = new Map(
          [...counter.counts.entries()].filter(([k]) => k !== 'setup').map(([k, v]) => [k, v / INCIDENTS]),
        );
        return { incidents: INCIDENTS, perRequest };
      } finally {
        await app.close();
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
}

if (import.meta.url === `file://${process.argv[1]}`) {
  reportWriteStatements(await countWriteStatements());
}
