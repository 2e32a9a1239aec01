import { startServer } from '../scripts/lib/tocsin-process.ts';
import { cpuMs, rssMb } from './proc.ts';
import { runWrk } from './wrk.ts';

const server = await startServer({ NODE_OPTIONS: process.env.XOPTS ?? '' });
const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
async function mem(label: string) {
  const text = await (await fetch(`${server.url}/metrics`, { headers })).text();
  const pick = (re: RegExp) =>
    text
      .split('\n')
      .filter((l) => re.test(l) && !l.startsWith('#'))
      .map((l) => l.replace(/^tocsin_process_(nodejs_)?/, ''))
      .map((l) => {
        const [k, v] = [l.slice(0, l.lastIndexOf(' ')), Number(l.slice(l.lastIndexOf(' ') + 1))];
        return `${k}=${(v / 1e6).toFixed(0)}`;
      })
      .join(' ');
  if (process.env.QUIET) {
    console.log(
      `${label}: RSS ${rssMb(server.pid).toFixed(0)} MB | ${pick(/^tocsin_process_(nodejs_heap_size|nodejs_external|resident)/)} ${pick(/^tocsin_process_nodejs_heap_space_size_total_bytes\{space="(new|old)"/)}`,
    );
    return;
  }
  console.log(
    `${label}: RSS ${rssMb(server.pid).toFixed(0)} MB | ${pick(/^tocsin_process_(nodejs_heap_size|nodejs_external|resident)/)}`,
  );
  console.log(`   spaces: ${pick(/^tocsin_process_nodejs_heap_space_size_(used|total)_bytes/)}`);
}
try {
  const applied = await fetch(`${server.url}/api/v1/apply`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      documents: [
        {
          file: 'svc.yaml',
          content:
            'apiVersion: tocsin.dev/v1\nkind: Service\nmetadata: { name: profiled }\nspec:\n  integrations:\n    - { name: events, type: pagerduty }\n',
        },
      ],
    }),
  });
  if (!applied.ok) throw new Error(`apply → ${applied.status}`);
  const svc = (await (await fetch(`${server.url}/api/v1/services/profiled`, { headers })).json()) as {
    integrations: { key: string }[];
  };
  await mem('after start');
  for (let round = 0; round < 3; round++) {
    const cpu0 = cpuMs(server.pid);
    const r = await runWrk({
      url: server.url,
      routingKey: svc.integrations[0]?.key as string,
      mode: 'new',
      key: `r${round}-${Date.now().toString(36)}`,
      requests: 10_000,
      connections: 32,
    });
    console.log(
      `round ${round + 1}: ${r.accepted} accepted, ${r.rps.toFixed(0)}/s, Tocsin CPU/alert ${(((cpuMs(server.pid) - cpu0) / 10_000) * 1000).toFixed(0)} µs`,
    );
    await mem(`after round ${round + 1}`);
  }
  await new Promise((r) => setTimeout(r, 15_000));
  await mem('15 s later');
} finally {
  await server.stop();
}
