import type { ServerHandle } from '../scripts/lib/tocsin-process.ts';

/**
 * Applies a `kind: Service` with one PagerDuty Events v2 integration through the API (as a user would)
 * and returns that integration's routing key: the target of the benches' ingest load.
 */
export async function pagerDutyServiceKey(server: ServerHandle, name: string): Promise<string> {
  const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
  const applied = await fetch(`${server.url}/api/v1/apply`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      documents: [
        {
          file: 'svc.yaml',
          content: `apiVersion: tocsin.dev/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  integrations:\n    - { name: events, type: pagerduty }\n`,
        },
      ],
    }),
  });
  if (!applied.ok) throw new Error(`apply → ${applied.status}`);
  const svc = (await (await fetch(`${server.url}/api/v1/services/${name}`, { headers })).json()) as {
    integrations: { key: string }[];
  };
  const key = svc.integrations[0]?.key;
  if (!key) throw new Error(`service ${name} has no integration key`);
  return key;
}
