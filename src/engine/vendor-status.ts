import * as watches from '../domain/vendor-status/queries.ts';
import { recordVendorResult } from '../domain/vendor-status/record-vendor-result.ts';
import { runVendorWatch } from '../domain/vendor-status/run-vendor-watch.ts';
import type { VendorOutcome, VendorWatchRow } from '../domain/vendor-status/vendor-status.ts';
import { type ProbeModule, type ProbeModuleOptions, probeModule } from './http-checks.ts';

/** Reads the vendor status pages that are due: the same claim/run/record mechanism as HTTP checks. */
export function vendorStatusModule(options: ProbeModuleOptions = {}): ProbeModule {
  return probeModule<VendorWatchRow, VendorOutcome>(
    31,
    {
      name: 'vendor-status',
      claimDue: watches.claimDueWatches,
      run: runVendorWatch,
      record: recordVendorResult,
    },
    16,
    options,
  );
}
