import type { CheckOutcome, CheckRow } from '../domain/checks/checks.ts';
import { type ProbeKind, ProbeRunner, type ProbeTimer } from '../domain/checks/probes.ts';
import * as checks from '../domain/checks/queries.ts';
import { recordCheckResult } from '../domain/checks/record-check-result.ts';
import { runHttpCheck } from '../domain/checks/run-http-check.ts';
import { type OutboundPolicy, outboundPolicyFromEnv } from '../lib/outbound-guard.ts';
import type { EngineModule } from './engine.ts';

export interface ProbeModuleOptions {
  /** Default: TOCSIN_ALLOW_PRIVATE_WEBHOOKS from the environment. */
  policy?: OutboundPolicy | undefined;
  /** Requests this process runs at once at most (default 32). */
  maxInFlight?: number | undefined;
  /** Latency and deadline of each request (default: real time; tests pass their own). */
  timer?: ProbeTimer | undefined;
}

export type ProbeModule = EngineModule & {
  /** Waits until every run this module started is recorded. */
  idle(): Promise<void>;
};

/**
 * An engine module over a ProbeRunner: the tick only claims what is due; each request runs after it,
 * outside the tick's transaction, and records its result in its own (src/domain/checks/probes.ts).
 */
export function probeModule<T extends { id: string; run_seq: string }, R>(
  id: number,
  kind: ProbeKind<T, R>,
  defaultMaxInFlight: number,
  options: ProbeModuleOptions,
): ProbeModule {
  const runner = new ProbeRunner<T, R>(kind, {
    policy: options.policy ?? outboundPolicyFromEnv(),
    maxInFlight: options.maxInFlight ?? defaultMaxInFlight,
    timer: options.timer,
  });
  return {
    id,
    name: kind.name,
    tick: ({ tx, db, clock, now, log }) => runner.tick({ tx, db, clock, now, log }),
    idle: () => runner.idle(),
  };
}

/** Runs the HTTP checks that are due, 32 requests at once at most by default. */
export function httpChecksModule(options: ProbeModuleOptions = {}): ProbeModule {
  return probeModule<CheckRow, CheckOutcome>(
    30,
    { name: 'http-checks', claimDue: checks.claimDueChecks, run: runHttpCheck, record: recordCheckResult },
    32,
    options,
  );
}
