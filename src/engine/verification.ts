import { ProbeRunner, type ProbeTimer } from '../domain/checks/probes.ts';
import { queryCheck } from '../domain/verification/prometheus.ts';
import * as verifications from '../domain/verification/queries.ts';
import { recordVerification } from '../domain/verification/record-verification.ts';
import type { VerificationResult } from '../domain/verification/verification.ts';
import type { EngineModule } from './engine.ts';
import type { ProbeModule } from './http-checks.ts';

export interface VerificationModuleOptions {
  /** The Prometheus HTTP API the checks query (TOCSIN_PROMETHEUS_URL). */
  prometheusUrl: string;
  maxInFlight?: number | undefined;
  timer?: ProbeTimer | undefined;
}

/**
 * Queries Prometheus for the incidents being verified (plan `verification`): the tick claims the due
 * verifications; each run's queries go out after it and record in a transaction of their own.
 */
export function verificationModule(options: VerificationModuleOptions): ProbeModule & EngineModule {
  const runner = new ProbeRunner<verifications.VerificationRow, VerificationResult[]>(
    {
      name: 'verification',
      claimDue: verifications.claimDue,
      // Each check is its own query; they run side by side and each failure is a result.
      run: (row, _policy, timer) =>
        Promise.all(row.checks.map((check) => queryCheck(options.prometheusUrl, check, timer))),
      record: recordVerification,
    },
    // The policy is unused: the operator configured this server (see verification/prometheus.ts).
    { policy: { allowPrivate: true }, maxInFlight: options.maxInFlight ?? 16, timer: options.timer },
  );
  return {
    // 151: issue 15's range of module ids (150–159).
    id: 151,
    name: 'verification',
    tick: ({ tx, db, clock, now, log }) => runner.tick({ tx, db, clock, now, log }),
    idle: () => runner.idle(),
  };
}
