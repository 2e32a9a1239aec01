import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAgainst } from '../../test/cli-harness.ts';
import { type TestApp, testApp } from '../../test/helpers.ts';

// `tocsin service|integration|alert …` as a script runs them: the real binary against a real server
// on loopback, reading the --json output.
let t: TestApp;
let tocsin: Awaited<ReturnType<typeof cliAgainst>>;

beforeAll(async () => {
  t = await testApp();
  tocsin = await cliAgainst(t);
});
afterAll(() => t.close());

/** Runs a command that must succeed and parses its --json output. */
async function json<T = Record<string, unknown>>(...args: string[]): Promise<T> {
  const r = await tocsin(...args, '--json');
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

function enqueue(routingKey: string, dedupKey: string, summary: string) {
  return t.app.inject({
    method: 'POST',
    url: '/v2/enqueue',
    payload: {
      routing_key: routingKey,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary, source: 'db-1', severity: 'error' },
    },
  });
}

interface AlertJson {
  id: string;
  dedup_key: string;
  status: string;
  count: number;
  summary: string;
}

// Each command starts a process that loads the sources through tsx: seconds each on a busy machine.
describe('tocsin service, integration and alert', () => {
  it('create a service and integrations whose JSON has the key and the full URL', async () => {
    const service = await json('service', 'create', 'cli-payments', '--description', 'Card payments');
    expect(service).toMatchObject({ name: 'cli-payments', description: 'Card payments' });

    const pd = await json('integration', 'create', '--service', 'cli-payments', '--type', 'pagerduty');
    expect(pd).toMatchObject({ name: 'pagerduty', type: 'pagerduty', url: 'http://tocsin.test/v2/enqueue' });
    expect(pd.key).toMatch(/^[A-Za-z0-9]{32}$/);
    const am = await json(
      'integration',
      'create',
      '--service',
      'cli-payments',
      '--type',
      'alertmanager',
      '--name',
      'prom',
    );
    expect(am.url).toBe(`http://tocsin.test/api/v1/integrations/alertmanager/${String(am.key)}`);

    const shown = await json<{ integrations: { name: string; key: string }[] }>(
      'service',
      'show',
      'cli-payments',
    );
    expect(shown.integrations.map((i) => [i.name, i.key])).toEqual([
      ['pagerduty', pd.key],
      ['prom', am.key],
    ]);
  });

  it('list, acknowledge, note and resolve alerts', async () => {
    const { integrations } = await json<{ integrations: { type: string; key: string }[] }>(
      'service',
      'show',
      'cli-payments',
    );
    const key = integrations.find((i) => i.type === 'pagerduty')?.key as string;
    for (const [dedup, summary] of [
      ['disk-full', 'Disk full on db-1'],
      ['disk-full', 'Disk full on db-1 (still)'],
      ['cpu-high', 'CPU high on db-1'],
    ] as const) {
      expect((await enqueue(key, dedup, summary)).statusCode).toBe(202);
    }

    const open = await json<AlertJson[]>('alert', 'list', '--service', 'cli-payments', '--status', 'open');
    expect(open.map((a) => [a.dedup_key, a.status, a.count]).sort()).toEqual([
      ['cpu-high', 'triggered', 1],
      ['disk-full', 'triggered', 2],
    ]);
    const disk = open.find((a) => a.dedup_key === 'disk-full') as AlertJson;
    expect(disk.summary).toBe('Disk full on db-1 (still)');
    const id = String(disk.id);

    const table = await tocsin('alert', 'list', '--service', 'cli-payments');
    expect(table.stdout).toMatch(new RegExp(`${id}\\s+cli-payments\\s+triggered\\s+error\\s+2\\s+disk-full`));

    expect((await tocsin('alert', 'ack', id)).stdout).toBe(`alert ${id} acknowledged\n`);
    expect((await tocsin('alert', 'note', id, 'cleaning', 'old', 'WAL')).stdout).toBe(
      `noted on alert ${id}\n`,
    );
    const resolved = await json<AlertJson>('alert', 'resolve', id);
    expect(resolved).toMatchObject({ id, status: 'resolved' });

    const shown = await json<{ events: { kind: string; data: unknown }[] }>('alert', 'show', id);
    expect(shown.events.map((e) => e.kind)).toEqual(['trigger', 'repeat', 'acknowledge', 'note', 'resolve']);
    expect(shown.events[3]?.data).toEqual({ text: 'cleaning old WAL' });

    const still = await json<AlertJson[]>('alert', 'list', '--service', 'cli-payments', '--status', 'open');
    expect(still.map((a) => a.dedup_key)).toEqual(['cpu-high']);
  });

  it('exit 1 with the API’s reason on stderr', async () => {
    // Independent commands: run together, each started as its own process.
    const cases: [string[], string[]][] = [
      [
        ['integration', 'create', '--service', 'nope', '--type', 'pagerduty', '--json'],
        ['404 service "nope" not found'],
      ],
      [['alert', 'list', '--service', 'nope', '--json'], ['404 service "nope" not found']],
      [['service', 'create', 'cli-payments'], ['409 service cli-payments already exists']],
      [
        ['integration', 'create', '--service', 'cli-payments', '--type', 'carrier-pigeon'],
        ['tocsin: 400 ', 'body.type:'],
      ],
      [
        ['integration', 'create', '--service', 'cli-payments', '--type', 'heartbeat'],
        ['tocsin: 400 ', 'config.interval: required'],
      ],
      [['alert', 'ack', '999999'], ['404 alert "999999" not found']],
    ];
    const results = await Promise.all(cases.map(([args]) => tocsin(...args)));
    results.forEach((r, i) => {
      const [args, messages] = cases[i] as [string[], string[]];
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout, args.join(' ')).toBe('');
      for (const m of messages) expect(r.stderr, args.join(' ')).toContain(m);
    });
  });
});
