import { readFileSync } from 'node:fs';
import { type LoadResult, load } from '../scripts/lib/load.ts';
import type { ServerHandle } from '../scripts/lib/tocsin-process.ts';

// Declare + transition + note through HTTP: the write path every incident takes.
async function call(
  server: ServerHandle,
  method: string,
  path: string,
  body: unknown,
  contentType = 'application/json',
) {
  const res = await fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${server.token}`, 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function benchIncidentWritePath(
  server: ServerHandle,
  iterations: number,
  concurrency: number,
): Promise<LoadResult> {
  const plan = readFileSync('examples/plans/minimal.yaml', 'utf8');
  await call(server, 'PUT', '/api/v1/plans/minimal', plan, 'application/yaml');
  // One warm-up round so connection set-up and JIT are not measured.
  await load(20, 4, (i, timed) => run(server, i, timed));
  return load(iterations, concurrency, (i, timed) => run(server, i, timed));
}

async function run(server: ServerHandle, i: number, timed: <T>(fn: () => Promise<T>) => Promise<T>) {
  const declared = await timed(() =>
    call(server, 'POST', '/api/v1/incidents', {
      title: `bench incident ${i}`,
      plan: 'minimal',
      severity: 'SEV2',
    }),
  );
  const id = (declared.incident as { id: string }).id;
  await timed(() => call(server, 'POST', `/api/v1/incidents/${id}/transition`, { to: 'mitigated' }));
  await timed(() =>
    call(server, 'POST', `/api/v1/incidents/${id}/notes`, { text: 'rolled back the deploy' }),
  );
}
