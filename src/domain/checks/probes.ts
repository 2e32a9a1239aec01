import type { Logger } from 'pino';
import type { Clock } from '../../db/clock.ts';
import type { Db, Executor } from '../../db/schema.ts';
import { storableText } from '../../db/storable.ts';
import { formatDuration } from '../../lib/duration.ts';
import { guardedFetch, type OutboundPolicy, OutboundRefused } from '../../lib/outbound-guard.ts';
import { VERSION } from '../../version.ts';

// Probes: what the engine runs against other systems on a schedule — HTTP checks (checks/) and
// vendor status pages (vendor-status/). One mechanism for both:
//
// 1. claim: in the engine tick's transaction (under the module's advisory lock), the due rows are
//    locked with FOR UPDATE SKIP LOCKED, their next_run_at moved one interval on and run_seq bumped.
//    When that transaction commits, no other engine can claim them again before the next interval.
// 2. run: the request, outside any transaction (a slow target must not hold a connection or a lock).
// 3. record: in a transaction of its own, the result is stored and alerts raised or resolved, unless
//    the row is gone or a later run recorded first (recorded_seq), so results never go backwards.
//
// A run may start before its claim commits; its record then waits on the row lock, and drops the
// result if the claim rolled back (run_seq never reached it). An engine that dies between claim and
// record loses that one run; the row is due again one interval later.

export interface ProbeEnv {
  db: Db;
  clock: Clock;
  log?: Logger | undefined;
}

export interface ProbeClaim<T> {
  row: T;
  /** The tick's time: when the run was due and made (the clock the rest of Tocsin reads). */
  ranAt: Date;
}

export interface ProbeKind<T extends { id: string; run_seq: string }, R> {
  name: string;
  /** Claims up to `limit` due rows in the tick's transaction (see 1. above). */
  claimDue(tx: Executor, now: Date, limit: number): Promise<T[]>;
  /** The network part; no database access. Failures are results, not exceptions. */
  run(row: T, policy: OutboundPolicy, timer: ProbeTimer): Promise<R>;
  /** Stores the result in a transaction of its own (see 3. above). */
  record(env: ProbeEnv, claim: ProbeClaim<T>, result: R): Promise<void>;
}

/** Whether a run's result is still news: its claim committed and no later run has recorded. */
export function isLatestRun(current: { run_seq: string; recorded_seq: string }, runSeq: string): boolean {
  const seq = BigInt(runSeq);
  return BigInt(current.run_seq) >= seq && BigInt(current.recorded_seq) < seq;
}

export interface ProbeTick extends ProbeEnv {
  tx: Executor;
  now: Date;
}

/** Runs one kind of probe for an engine module; `idle()` waits for the runs this process started. */
export class ProbeRunner<T extends { id: string; run_seq: string }, R> {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly kind: ProbeKind<T, R>,
    private readonly options: { policy: OutboundPolicy; maxInFlight: number; timer?: ProbeTimer | undefined },
  ) {}

  /** Claims what is due (as many as this process has room for) and starts each run; returns the count. */
  async tick(t: ProbeTick): Promise<number> {
    const room = this.options.maxInFlight - this.running.size;
    if (room <= 0) return 0;
    const claimed = await this.kind.claimDue(t.tx, t.now, room);
    const env: ProbeEnv = { db: t.db, clock: t.clock, log: t.log };
    for (const row of claimed) {
      const job: Promise<void> = this.runOne(env, { row, ranAt: t.now }).finally(() =>
        this.running.delete(job),
      );
      this.running.add(job);
    }
    return claimed.length;
  }

  private async runOne(env: ProbeEnv, claim: ProbeClaim<T>): Promise<void> {
    try {
      const result = await this.kind.run(claim.row, this.options.policy, this.options.timer ?? realTimer);
      await this.kind.record(env, claim, result);
    } catch (error) {
      // Only the store can get here (run() reports failures as results); the next interval retries.
      env.log?.error({ err: error, probe: this.kind.name, id: claim.row.id }, 'probe result not recorded');
    }
  }

  /** Resolves once every run started so far is recorded (tests, drills and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/**
 * Real time inside one request: its latency is a measurement and its deadline aborts it. Both are
 * wall-clock by nature (the engine's clock only decides when a probe runs); tests pass their own timer
 * so a busy machine cannot change a verdict and nothing waits out a real timeout.
 */
export interface ProbeTimer {
  /** Starts a stopwatch; calling the result gives the milliseconds since. */
  start(): () => number;
  /** A signal that aborts (with a TimeoutError) once the deadline has passed. */
  deadline(ms: number): AbortSignal;
}

export const realTimer: ProbeTimer = {
  start() {
    const started = performance.now();
    return () => Math.round(performance.now() - started);
  },
  deadline: (ms) => AbortSignal.timeout(ms),
};

export interface ProbeRequest {
  url: string;
  method: string;
  timeoutMs: number;
  policy: OutboundPolicy;
  /** Follow redirects (each hop checked by the guard); false returns the 3xx itself. */
  followRedirects: boolean;
  /** Read up to this many bytes of the body (0: do not read it). */
  bodyLimit: number;
  accept?: string | undefined;
  timer?: ProbeTimer | undefined;
}

export interface ProbeResponse {
  status: number;
  /** Milliseconds until the response headers arrived (real time: a measurement, not a timer). */
  latencyMs: number;
  /** The body's first bodyLimit bytes as text, when asked for. */
  body: string | null;
}

/** One guarded HTTP request with a deadline for the whole exchange; throws on failure (see describeFailure). */
export async function probeHttp(r: ProbeRequest): Promise<ProbeResponse> {
  const timer = r.timer ?? realTimer;
  const signal = timer.deadline(r.timeoutMs);
  const elapsed = timer.start();
  const { response } = await guardedFetch(r.url, {
    policy: r.policy,
    method: r.method,
    signal,
    maxRedirects: r.followRedirects ? 5 : 0,
    headers: { 'user-agent': `tocsin/${VERSION} (+probe)`, accept: r.accept ?? '*/*' },
  });
  const latencyMs = elapsed();
  const body = r.bodyLimit > 0 ? await readText(response, r.bodyLimit) : null;
  if (body === null) await response.body?.cancel();
  return { status: response.status, latencyMs, body };
}

async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel();
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/**
 * Why a request failed, in words for an alert ("connection refused", "no answer within 10s" …). It is
 * stored (last_error, the alert's summary and details): a message that quotes the other side (a TLS
 * peer's names, a parser's complaint) is made text PostgreSQL takes.
 */
export function describeFailure(error: unknown, timeoutMs: number): string {
  return storableText(failureWords(error, timeoutMs));
}

function failureWords(error: unknown, timeoutMs: number): string {
  if (error instanceof OutboundRefused) return error.message;
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `no answer within ${formatDuration(timeoutMs)}`;
  const code = e.cause?.code ?? (error as { code?: string }).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name does not resolve';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `TLS error: ${e.cause?.message ?? code}`;
  return e.cause?.message ?? e.message ?? String(error);
}
