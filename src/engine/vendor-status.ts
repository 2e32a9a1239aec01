import { ProbeRunner } from '../domain/checks/probes.ts';
import * as watches from '../domain/vendor-status/queries.ts';
import { recordVendorResult } from '../domain/vendor-status/record-vendor-result.ts';
import { runVendorWatch } from '../domain/vendor-status/run-vendor-watch.ts';
import type { VendorOutcome, VendorWatchRow } from '../domain/vendor-status/vendor-status.ts';
import { outboundPolicyFromEnv } from '../lib/outbound-guard.ts';
import type { ProbeModule, ProbeModuleOptions } from './http-checks.ts';

/** Reads the vendor status pages that are due: the same claim/run/record mechanism as HTTP checks. */
export function vendorStatusModule(options: ProbeModuleOptions = {}): ProbeModule {
  const runner = new ProbeRunner<VendorWatchRow, VendorOutcome>(
    {
      name: 'vendor-status',
      claimDue: watches.claimDueWatches,
      run: runVendorWatch,
      record: recordVendorResult,
    },
    {
      policy: options.policy ?? outboundPolicyFromEnv(),
      maxInFlight: options.maxInFlight ?? 16,
      timer: options.timer,
    },
  );
  return {
    id: 31,
    name: 'vendor-status',
    tick: ({ tx, db, clock, now, log }) => runner.tick({ tx, db, clock, now, log }),
    idle: () => runner.idle(),
  };
}
