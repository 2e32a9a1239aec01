import { readFileSync } from 'node:fs';
import { VirtualClock } from '../src/db/clock.ts';
import { connect, ensureDatabase, withDatabase } from '../src/db/connect.ts';
import { migrate } from '../src/db/migrate.ts';
import { applyDocuments } from '../src/domain/config/apply-documents.ts';
import { type ConfigSource, parseConfigSources } from '../src/domain/config/documents.ts';
import { makeCtx, SYSTEM_ACTOR } from '../src/domain/context.ts';
import { embeddedStore, type Store } from './stores.ts';

// `tocsin apply` of many documents (issue 14: 8,000 User documents took 64 s): BENCH_APPLY_DOCS
// (default 8,000) new `User` documents in files of 100, applied in-process as the CLI applies them
// locally (parse and check, then applyDocuments), then applied again unchanged. Prints the time and
// this process's CPU of each phase (PostgreSQL's apart): parsing the YAML with positions and
// validating, the first apply (which parses again only if the sources changed), the unchanged apply.
// `npm run bench -- --apply`.

const DOCS = Number(process.env.BENCH_APPLY_DOCS ?? 8_000);
const PER_FILE = 100;

function userDoc(i: number): string {
  return `apiVersion: tocsin.dev/v1
kind: User
metadata: { name: person-${i} }
spec:
  name: Person ${i}
  email: person-${i}@example.com
  role: responder
  timeZone: Europe/Berlin
`;
}

export function userSources(docs = DOCS): ConfigSource[] {
  const sources: ConfigSource[] = [];
  for (let f = 0; f * PER_FILE < docs; f++) {
    const count = Math.min(PER_FILE, docs - f * PER_FILE);
    const content = Array.from({ length: count }, (_, k) => userDoc(f * PER_FILE + k)).join('---\n');
    sources.push({ file: `people-${f}.yaml`, content });
  }
  return sources;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - t0, cpuMs: (used.user + used.system) / 1000 };
}

export async function benchApply(store?: Store): Promise<void> {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(
    `\ntocsin apply of ${DOCS} new User documents in ${Math.ceil(DOCS / PER_FILE)} files, in-process, embedded PostgreSQL (load average ${load})`,
  );
  const own = store ?? (await embeddedStore('tocsin-bench-apply-'));
  try {
    await ensureDatabase(own.url, 'bench_apply');
    const { db } = connect(withDatabase(own.url, 'bench_apply'), 2);
    try {
      await migrate(db);
      const ctx = makeCtx({ db, clock: new VirtualClock('2026-03-02T10:00:00Z') }, SYSTEM_ACTOR);
      const sources = userSources();
      const parse = await timed(() => parseConfigSources(sources));
      if (parse.value.errors.length > 0) throw new Error(JSON.stringify(parse.value.errors[0]));
      const first = await timed(() => applyDocuments({ ctx, input: { sources, dryRun: false } }));
      const again = await timed(() =>
        applyDocuments({ ctx, input: { sources: userSources(), dryRun: false } }),
      );
      const row = (what: string, r: { ms: number; cpuMs: number }) =>
        console.log(
          `  ${what.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  CPU ${(r.cpuMs / 1000).toFixed(2).padStart(6)} s`,
        );
      row('parse and check (YAML with positions, zod)', parse);
      row('apply, new users (parsed above)', first);
      row('apply again, unchanged (parses again)', again);
      console.log(`  total, parse + first apply: ${((parse.ms + first.ms) / 1000).toFixed(2)} s`);
    } finally {
      await db.destroy();
    }
  } finally {
    if (!store) await own.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchApply();
}
