import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import type { InboundAlertEvent } from '../src/domain/alerts/alerts.ts';
import { ingestAlertEvents } from '../src/domain/alerts/ingest-alert-events.ts';
import { applyDocuments } from '../src/domain/config/apply-documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../src/domain/context.ts';
import { createIntegration } from '../src/domain/services/create-integration.ts';
import { saveService } from '../src/domain/services/save-service.ts';
import { Engine } from '../src/engine/engine.ts';
import { engineModules } from '../src/engine/modules.ts';
import type { OutboxModule } from '../src/engine/outbox.ts';
import { type Provider, providerRegistry } from '../src/notify/providers/provider.ts';
import { clusterCpuMs, postmasterOf } from './proc.ts';
import { startProfile } from './profile.ts';
import { embeddedStore, type Store } from './stores.ts';

// Statements (round trips to PostgreSQL) per alert on the alert → incident → page → delivery path,
// counted on the real path: in-process ingest (ingestAlertEvents, as the HTTP routes call it), the
// real engine modules on a virtual clock, a recording push provider. Every query a pg client sends
// is counted (BEGIN, SAVEPOINT and COMMIT included), by the engine module whose tick sent it.
// Unlike a wall-clock figure, this one does not move with the load on a shared machine.
// `npm run bench -- --statements`; BENCH_STATEMENTS_ALERTS (default 50) alerts per case;
// BENCH_STATEMENTS_PROFILE=DIR for a CPU profile of the engine passes (bench/profile.ts).

const ALERTS = Number(process.env.BENCH_STATEMENTS_ALERTS ?? 50);
/** BENCH_STATEMENTS_TRACE=1 prints each counted statement (with BENCH_STATEMENTS_ALERTS=1: one alert's). */
const TRACE = process.env.BENCH_STATEMENTS_TRACE === '1';
/**
 * BENCH_STATEMENTS_PROFILE=DIR writes a V8 CPU profile of each case's engine passes (ingest and setup
 * left out) to DIR/engine-<people>.cpuprofile, and prints the functions with the most self time.
 */
const PROFILE = process.env.BENCH_STATEMENTS_PROFILE;

const setup = (people: number) => `
${Array.from(
  { length: people },
  (_, i) => `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: pager-${i} }
spec:
  name: Pager ${i}
  email: pager-${i}@example.com
  role: responder
  contacts:
    - { kind: push, address: pager-${i}, label: phone-app, verified: true }
  notificationRules:
    - { contact: phone-app, after: 0m }
---`,
).join('\n')}
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: counted }
severities:
  - { id: P1, title: Outage, page: { to: pagers, channels: [push] } }
groups:
  - { id: pagers, title: Pagers, users: [${Array.from({ length: people }, (_, i) => `pager-${i}`).join(', ')}] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

/** Counts every query any pg client of this process sends, by the label current when it is sent. */
export class StatementCounter {
  label = 'setup';
  readonly counts = new Map<string, number>();
  private original: typeof pg.Client.prototype.query | undefined;

  install(): void {
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    this.original = original as unknown as typeof pg.Client.prototype.query;
    const self = this;
    proto.query = function (this: unknown, ...args: unknown[]) {
      self.counts.set(self.label, (self.counts.get(self.label) ?? 0) + 1);
      if (TRACE && self.label !== 'setup') {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
        console.log(`${self.label}: ${String(text).replace(/\s+/g, ' ').slice(0, 160)}`);
      }
      return original.apply(this, args);
    };
  }

  uninstall(): void {
    if (this.original) (pg.Client.prototype as { query: unknown }).query = this.original;
  }

  reset(): void {
    this.counts.clear();
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
}

export interface StatementFigures {
  people: number;
  alerts: number;
  pages: number;
  byModule: Map<string, number>;
  total: number;
  /** Tocsin's own CPU (this process; PostgreSQL's apart), µs per alert, ingest and engine. */
  cpuIngestUs: number;
  cpuEngineUs: number;
  /** Of cpuEngineUs, in the kernel (socket writes and reads: it grows with the round trips and the load). */
  cpuEngineSystemUs: number;
}

/** The counted store: the plan, its service and integration, the real engine modules, a push provider. */
async function prepareCase(url: string, people: number, declares = true) {
  const { db } = connect(url, 4);
  try {
    await migrate(db);
    const clock = new VirtualClock('2026-03-02T10:00:00Z');
    const ctx = makeCtx({ db, clock }, SYSTEM_ACTOR);
    await applyDocuments({
      ctx,
      input: { sources: [{ file: 'counted.yaml', content: setup(people) }], dryRun: false },
    });
    await saveService({
      ctx,
      input: {
        service: declares
          ? { name: 'counted', plan: 'counted', rules: { severity: { critical: 'P1' } } }
          : { name: 'counted' },
        mode: 'upsert',
      },
    });
    const integration = await createIntegration({
      ctx,
      input: { service: 'counted', type: 'pagerduty', name: 'events', config: {} },
    });
    let pages = 0;
    const push: Provider = {
      channel: 'push',
      send: async (message) => {
        pages++;
        return { providerId: `counted-${message.id}` };
      },
    };
    const modules = engineModules({ providers: providerRegistry([push]) });
    const outbox = modules.find((m) => m.name === 'outbox') as OutboxModule;
    const engine = new Engine({ db, clock, log: pino({ level: 'silent' }) }, modules);
    // Modules' first ticks write their engine_modules rows and warm the plan caches: not counted.
    for (const m of modules) await engine.tickModule(m);
    return { db, clock, ctx, integration, modules, outbox, engine, pages: () => pages };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

const alertEvent = (people: number, i: number): InboundAlertEvent => ({
  action: 'trigger',
  dedupKey: `counted-${people}-${i}`,
  summary: `disk full on host ${i}`,
  severity: 'critical',
  raw: {},
});

async function countCase(url: string, people: number, counter: StatementCounter): Promise<StatementFigures> {
  const { db, ctx, integration, modules, outbox, engine, pages } = await prepareCase(url, people);
  try {
    counter.reset();
    counter.label = 'ingest';
    const ingestCpu = process.cpuUsage();
    for (let i = 0; i < ALERTS; i++) {
      await ingestAlertEvents({ ctx, input: { integration, events: [alertEvent(people, i)] } });
    }
    const ingestUs = process.cpuUsage(ingestCpu);
    const profiler = PROFILE ? await startProfile() : undefined;
    const engineCpu = process.cpuUsage();
    for (let pass = 0; pass < 50; pass++) {
      let handled = 0;
      for (const m of modules) {
        counter.label = m.name;
        handled += (await engine.tickModule(m)).handled;
        if (m === outbox) {
          counter.label = 'outbox (sends)';
          await outbox.idle();
        }
      }
      if (handled === 0) break;
    }
    const engineUs = process.cpuUsage(engineCpu);
    if (profiler && PROFILE) await profiler.stop(join(PROFILE, `engine-${people}.cpuprofile`));
    // The idle pass that found nothing left is counted too: a pass costs that much when idle.
    const byModule = new Map(counter.counts);
    counter.label = 'setup';
    return {
      people,
      alerts: ALERTS,
      pages: pages(),
      byModule,
      total: [...byModule.entries()].filter(([k]) => k !== 'setup').reduce((a, [, v]) => a + v, 0),
      cpuIngestUs: (ingestUs.user + ingestUs.system) / ALERTS,
      cpuEngineUs: (engineUs.user + engineUs.system) / ALERTS,
      cpuEngineSystemUs: engineUs.system / ALERTS,
    };
  } finally {
    await db.destroy();
  }
}

export interface WokenFigures {
  people: number;
  mode: 'whole' | 'kinds';
  alerts: number;
  pages: number;
  /** Statements the engine sent (its passes, the outbox's claims and records), ingest apart. */
  engine: number;
  passes: number;
  /** Fewest statements of an idle pass (of three: an idle module records its tick once a second). */
  idleWhole: number;
  idleAlerts: number;
  /** The engine's statements by module (engine:<module>; 'engine' the outbox's sends on wake-up). */
  byModule: Map<string, number>;
  /** CPU µs per alert of the engine's passes: this process, and the PostgreSQL cluster (/proc). */
  cpuEngineUs: number;
  pgEngineUs: number;
  /** Alerts of a service without a plan: recorded only, nothing declared (the ingest bench's case). */
  declares: boolean;
}

/**
 * As the server runs: each alert is ingested in a commit of its own, and the engine runs the passes
 * the wake-ups of the commits ask for (heard on a real LISTEN tocsin_work), until none is left:
 * 'whole' runs every module on every wake-up (as before wake-ups by kind), 'kinds' what
 * Engine.wokenPass chooses. The virtual clock does not move, so the whole pass the poll interval
 * adds (one per TOCSIN_ENGINE_INTERVAL_MS, whatever the load) is left out: idleWhole is its cost.
 */
async function countWoken(
  url: string,
  people: number,
  mode: 'whole' | 'kinds',
  counter: StatementCounter,
  declares = true,
): Promise<WokenFigures> {
  const { db, clock, ctx, integration, outbox, engine, pages } = await prepareCase(url, people, declares);
  const listener = new pg.Client({ connectionString: url });
  const heard = new Set<string>();
  try {
    await listener.connect();
    listener.on('notification', (n) => heard.add(n.payload ?? ''));
    await listener.query('listen tocsin_work');
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
    // The whole pass a start begins with: not counted.
    await engine.wokenPass(new Set());
    while (engine.busy) await engine.wokenPass(new Set());
    await take();
    // Each module's statements under its own label (engine:<module>), the engine's total their sum.
    const tickModule = engine.tickModule.bind(engine);
    engine.tickModule = async (m, woken) => {
      const label = counter.label;
      if (label === 'engine') counter.label = `engine:${m.name}`;
      try {
        return await tickModule(m, woken);
      } finally {
        counter.label = label;
      }
    };
    counter.reset();
    let passes = 0;
    const postmaster = await postmasterOf(url);
    let nodeUs = 0;
    let pgMs = 0;
    for (let i = 0; i < ALERTS; i++) {
      counter.label = 'ingest';
      await ingestAlertEvents({ ctx, input: { integration, events: [alertEvent(people, i)] } });
      counter.label = 'engine';
      const pg0 = clusterCpuMs(postmaster);
      const node0 = process.cpuUsage();
      let pending = await take();
      // As the engine's loop runs: a pass while a wake-up is pending or the last pass was busy.
      while (pending.size > 0 || engine.busy) {
        // Delivery on commit, as Engine.wake('outbox') starts it (finished first: counts that repeat).
        if (pending.has('outbox')) {
          outbox.woken?.({ db, clock });
          await outbox.idle();
        }
        await engine.wokenPass(mode === 'whole' && pending.size > 0 ? new Set(['']) : pending);
        passes++;
        await outbox.idle();
        pending = await take();
      }
      const node1 = process.cpuUsage(node0);
      nodeUs += node1.user + node1.system;
      pgMs += clusterCpuMs(postmaster) - pg0;
    }
    const byModule = new Map(
      [...counter.counts].filter(([k]) => k.startsWith('engine')).map(([k, v]) => [k, v]),
    );
    const engineStatements = [...byModule.values()].reduce((a, b) => a + b, 0);
    const idle = async (kinds: Set<string>) => {
      let fewest = Number.POSITIVE_INFINITY;
      for (let n = 0; n < 3; n++) {
        counter.reset();
        counter.label = 'idle';
        await (kinds.size === 0 ? engine.tick() : engine.wokenPass(kinds));
        fewest = Math.min(fewest, counter.counts.get('idle') ?? 0);
      }
      return fewest;
    };
    const idleWhole = await idle(new Set());
    const idleAlerts = await idle(new Set(['alerts']));
    counter.label = 'setup';
    return {
      people,
      mode,
      alerts: ALERTS,
      pages: pages(),
      engine: engineStatements,
      passes,
      idleWhole,
      idleAlerts,
      byModule,
      declares,
      cpuEngineUs: nodeUs / ALERTS,
      pgEngineUs: (pgMs * 1000) / ALERTS,
    };
  } finally {
    counter.label = 'setup';
    await listener.end();
    await db.destroy();
  }
}

function reportWoken(figures: WokenFigures[]): void {
  console.log(
    `\nas the server runs: each alert its own ingest commit, the engine passes its wake-ups (NOTIFY tocsin_work) ask for; ${ALERTS} alerts each declaring an incident; the poll's whole pass (once per interval) apart`,
  );
  console.log(
    `${'per declared incident'.padEnd(44)}${'statements'.padStart(12)}${'passes'.padStart(10)}${'pages'.padStart(8)}`,
  );
  for (const f of figures) {
    const name = `${f.mode === 'whole' ? 'every wake-up a whole pass' : 'wake-ups by kind'}, ${f.declares ? `${f.people} paged` : 'no plan'}`;
    console.log(
      `  ${name.padEnd(42)}${(f.engine / f.alerts).toFixed(1).padStart(12)}${(f.passes / f.alerts).toFixed(1).padStart(10)}${(f.pages / f.alerts).toFixed(2).padStart(8)}`,
    );
  }
  for (const f of figures.filter((f) => f.mode === 'kinds')) {
    console.log(
      `  ${f.declares ? `declaring, ${f.people} paged` : 'recorded only (service without plan)'}: CPU µs per alert, engine ${f.cpuEngineUs.toFixed(0)} Tocsin + ${f.pgEngineUs.toFixed(0)} PostgreSQL; statements by module: ${[
        ...f.byModule,
      ]
        .map(([k, v]) => `${k.replace('engine:', '')} ${(v / f.alerts).toFixed(1)}`)
        .join(', ')}`,
    );
  }
  const [first] = figures;
  if (first) {
    console.log(
      `statements per idle pass: whole (the poll) ${first.idleWhole}, woken for alerts ${first.idleAlerts}`,
    );
  }
}

function report(figures: StatementFigures[]): void {
  const modules = [...new Set(figures.flatMap((f) => [...f.byModule.keys()]))].filter((m) => m !== 'setup');
  const head = `${'statements per alert'.padEnd(28)}${figures.map((f) => `${f.people} paged`.padStart(12)).join('')}`;
  console.log(head);
  for (const m of modules) {
    const cells = figures.map((f) => ((f.byModule.get(m) ?? 0) / f.alerts).toFixed(1).padStart(12));
    console.log(`  ${m.padEnd(26)}${cells.join('')}`);
  }
  console.log(
    `  ${'total'.padEnd(26)}${figures.map((f) => (f.total / f.alerts).toFixed(1).padStart(12)).join('')}`,
  );
  console.log(
    `  ${'pages sent per alert'.padEnd(26)}${figures.map((f) => (f.pages / f.alerts).toFixed(2).padStart(12)).join('')}`,
  );
  console.log(
    `  ${'CPU µs per alert, ingest'.padEnd(26)}${figures.map((f) => f.cpuIngestUs.toFixed(0).padStart(12)).join('')}`,
  );
  console.log(
    `  ${'CPU µs per alert, engine'.padEnd(26)}${figures.map((f) => f.cpuEngineUs.toFixed(0).padStart(12)).join('')}`,
  );
  console.log(
    `  ${'  of which in the kernel'.padEnd(26)}${figures.map((f) => f.cpuEngineSystemUs.toFixed(0).padStart(12)).join('')}`,
  );
  const [one, many] = figures;
  if (one && many && many.people > one.people) {
    const perPerson = (many.total / many.alerts - one.total / one.alerts) / (many.people - one.people);
    console.log(`  statements per additional person paged: ${perPerson.toFixed(1)}`);
  }
}

export async function benchStatements(store?: Store): Promise<StatementFigures[]> {
  const load = (await import('node:fs'))
    .readFileSync('/proc/loadavg', 'utf8')
    .split(' ')
    .slice(0, 3)
    .join(' ');
  console.log(
    `\nround trips to PostgreSQL per alert, alert → incident → page → push delivery, ${ALERTS} alerts each declaring an incident, in-process on a virtual clock (load average ${load}; counts do not depend on it)`,
  );
  const own = store ?? (await embeddedStore('tocsin-bench-statements-'));
  const counter = new StatementCounter();
  counter.install();
  try {
    const figures: StatementFigures[] = [];
    for (const people of process.env.BENCH_STATEMENTS_WOKEN_ONLY === '1' ? [] : [1, 5]) {
      const name = `bench_statements_${people}`;
      await ensureDatabase(own.url, name);
      figures.push(await countCase(withDatabase(own.url, name), people, counter));
    }
    report(figures);
    const woken: WokenFigures[] = [];
    for (const people of [1, 5]) {
      for (const mode of ['whole', 'kinds'] as const) {
        const name = `bench_statements_woken_${mode}_${people}`;
        await ensureDatabase(own.url, name);
        woken.push(await countWoken(withDatabase(own.url, name), people, mode, counter));
      }
    }
    await ensureDatabase(own.url, 'bench_statements_woken_recorded');
    woken.push(
      await countWoken(withDatabase(own.url, 'bench_statements_woken_recorded'), 1, 'kinds', counter, false),
    );
    reportWoken(woken);
    return figures;
  } finally {
    counter.uninstall();
    if (!store) await own.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.env.BENCH_STATEMENTS_TRACE_WOKEN) {
  // One declaring (or, =recorded, one recorded-only) alert's engine statements, as the server runs.
  const own = await embeddedStore('tocsin-bench-statements-');
  const counter = new StatementCounter();
  counter.install();
  try {
    await ensureDatabase(own.url, 'bench_trace');
    const declares = process.env.BENCH_STATEMENTS_TRACE_WOKEN !== 'recorded';
    reportWoken([await countWoken(withDatabase(own.url, 'bench_trace'), 1, 'kinds', counter, declares)]);
  } finally {
    counter.uninstall();
    await own.stop();
  }
} else if (import.meta.url === `file://${process.argv[1]}`) {
  benchStatements().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
