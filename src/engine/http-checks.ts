import type { CheckOutcome, CheckRow } from '../domain/checks/checks.ts';
import { ProbeRunner, type ProbeTimer } from '../domain/checks/probes.ts';
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
 * Runs the HTTP checks that are due: the tick only claims them; each request runs after it, outside
 * the tick's transaction, and records its result in its own (src/domain/checks/probes.ts).
 */
export function httpChecksModule(options: ProbeModuleOptions = {}): ProbeModule {
  const runner = new ProbeRunner<CheckRow, CheckOutcome>(
    {
      name: 'http-checks',
      claimDue: checks.claimDueChecks,
      run: runHttpCheck,
      record: recordCheckResult,
    },
    {
      policy: options.policy ?? outboundPolicyFromEnv(),
      maxInFlight: options.maxInFlight ?? 32,
      timer: options.timer,
    },
  );
  return {
    id: 30,
    name: 'http-checks',
    tick: ({ tx, db, clock, now, log }) => runner.tick({ tx, db, clock, now, log }),
    idle: () => runner.idle(),
  };
}
