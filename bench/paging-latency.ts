import { startServer } from '../scripts/lib/tocsin-process.ts';
import { type NtfyReceiver, startNtfyReceiver, tagged } from './ntfy-receiver.ts';

// Trigger → first page handed to the provider (issue 5, "Benchmark"), through a `tocsin serve`
// process: an open-loop generator declares incidents with POST /api/v1/incidents at a fixed rate
// (a request goes out on schedule whether or not earlier ones have answered, so a slow server cannot
// slow the offered load down), the plan pages a group of one person with one verified push contact,
// and the push provider delivers to a loopback ntfy server in this process (bench/ntfy-receiver.ts).
// Latency is measured from the moment the declaration was answered 201 ("the trigger is accepted")
// to the moment the page arrived at the provider's endpoint; from the request's scheduled start too,
// which adds the declaration's own latency.

const SETUP = (topic: string) => `
apiVersion: tocsin.dev/v1
kind: User
metadata: { name: bench-pager }
spec:
  name: Bench Pager
  email: bench-pager@example.com
  role: responder
  contacts:
    - { kind: push, address: ${topic}, label: phone-app, verified: true }
  notificationRules:
    - { contact: phone-app, after: 0m }
---
apiVersion: tocsin.dev/v1
kind: Plan
metadata: { name: bench-paging }
severities:
  - { id: P1, title: Outage, page: { to: pagers, channels: [push] } }
groups:
  - { id: pagers, title: Pagers, users: [bench-pager] }
lifecycle:
  states: [{ id: investigating }, { id: resolved }]
`;

export const POLL_MS = 1000;

export interface LatencyResult {
  /** Incidents declared (answered 201). */
  declared: number;
  /** Declarations that failed (not 201 or no answer). */
  errors: number;
  /** Declared incidents whose page never arrived within the grace period. */
  missing: number;
  /** Pages received per declared incident (1 = exactly one page each). */
  pagesPerIncident: number;
  /** Offered and achieved declaration rates. */
  rate: number;
  achievedRate: number;
  /** From 201 to the page, ms. */
  p50: number;
  p99: number;
  max: number;
  /** From the request's scheduled start to the page, ms. */
  p99FromSend: number;
}

interface Sample {
  scheduled: number;
  accepted?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function declare(url: string, token: string, title: string): Promise<boolean> {
  const res = await fetch(`${url}/api/v1/incidents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title, plan: 'bench-paging', severity: 'P1' }),
  });
  await res.arrayBuffer();
  return res.status === 201;
}

/**
 * Sends `rate` declarations per second for `seconds`, each at its scheduled time (a 5 ms timer sends
 * whatever is due), never waiting for answers before sending the next.
 */
async function openLoop(
  send: (i: number) => Promise<boolean>,
  rate: number,
  seconds: number,
  samples: Sample[],
): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = performance.now() + 20;
  const inFlight: Promise<void>[] = [];
  let errors = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) {
        const i = next++;
        const sample: Sample = { scheduled: start + (i * 1000) / rate };
        samples[i] = sample;
        inFlight.push(
          send(i)
            .then((ok) => {
              if (ok) sample.accepted = performance.now();
              else errors++;
            })
            .catch(() => {
              errors++;
            }),
        );
      }
      if (next >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all(inFlight);
  return errors;
}

async function waitForPages(receiver: NtfyReceiver, tags: string[], graceMs: number): Promise<void> {
  const until = performance.now() + graceMs;
  while (performance.now() < until && tags.some((t) => !receiver.firstPage.has(t))) {
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One server on `databaseUrl`: set up, warm up, then the measured run. */
export async function measurePagingLatency(
  databaseUrl: string,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const receiver = await startNtfyReceiver();
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    TOCSIN_NTFY_URL: receiver.url,
    // The default poll interval, stated: a page that waited for the poll would show ~1 s late.
    TOCSIN_ENGINE_INTERVAL_MS: String(POLL_MS),
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under this load.
    ...(process.env.BENCH_SERVER_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS } : {}),
  });
  try {
    const applied = await fetch(`${server.url}/api/v1/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [{ file: 'bench.yaml', content: SETUP('bench-pager') }] }),
    });
    if (!applied.ok) throw new Error(`apply → ${applied.status} ${await applied.text()}`);
    const run = `${Date.now().toString(36)}`;
    const send = (phase: string) => (i: number) =>
      declare(server.url, server.token, `Checkout down ${tagged(`${run}-${phase}-${i}`)}`);
    // Warm-up (JIT, connection pools, plan cache), not counted.
    await openLoop(send('warm'), rate, 3, []);
    await new Promise((r) => setTimeout(r, 1000));
    const samples: Sample[] = [];
    const started = performance.now();
    const errors = await openLoop(send('run'), rate, seconds, samples);
    const elapsed = (performance.now() - started) / 1000;
    const tags = samples.map((_, i) => `${run}-run-${i}`);
    await waitForPages(
      receiver,
      tags.filter((_, i) => samples[i]?.accepted !== undefined),
      30_000,
    );
    const fromAccept: number[] = [];
    const fromSend: number[] = [];
    let missing = 0;
    let pages = 0;
    samples.forEach((s, i) => {
      if (s.accepted === undefined) return;
      const paged = receiver.firstPage.get(tags[i] as string);
      pages += receiver.pages.get(tags[i] as string) ?? 0;
      if (paged === undefined) {
        missing++;
        return;
      }
      fromAccept.push(Math.max(0, paged - s.accepted));
      fromSend.push(paged - s.scheduled);
    });
    fromAccept.sort((a, b) => a - b);
    fromSend.sort((a, b) => a - b);
    const declared = samples.filter((s) => s.accepted !== undefined).length;
    return {
      declared,
      errors,
      missing,
      pagesPerIncident: pages / Math.max(1, declared),
      rate,
      achievedRate: declared / elapsed,
      p50: percentile(fromAccept, 50),
      p99: percentile(fromAccept, 99),
      max: fromAccept.at(-1) ?? Number.NaN,
      p99FromSend: percentile(fromSend, 99),
    };
  } finally {
    await server.stop();
    await receiver.close();
  }
}
