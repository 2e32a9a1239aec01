import type { KindHandler } from './config.ts';
import { escalationPolicyKind } from './kinds/escalation-policy.ts';
import { maintenanceWindowKind } from './kinds/maintenance-window.ts';
import { planKind } from './kinds/plan.ts';
import { scheduleKind } from './kinds/schedule.ts';
import { serviceKind } from './kinds/service.ts';
import { statusPageKind } from './kinds/status-page.ts';
import { teamKind } from './kinds/team.ts';
import { userKind } from './kinds/user.ts';

// Every kind `tocsin apply` knows. A later kind (Service, Integration, Schedule, EscalationPolicy,
// StatusPageComponent) adds its handler file in ./kinds/ and one entry here.
const KINDS: readonly KindHandler<unknown>[] = [
  userKind,
  teamKind,
  scheduleKind,
  escalationPolicyKind,
  planKind,
  serviceKind,
  statusPageKind,
  maintenanceWindowKind,
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

export function kindHandler(kind: string): KindHandler<unknown> | undefined {
  return byKind.get(kind);
}

export function knownKinds(): string[] {
  return [...byKind.keys()].sort();
}

/** The kinds that end what a file no longer holds when it is applied again. */
export function pruningKinds(): KindHandler<unknown>[] {
  return KINDS.filter((k) => k.prune);
}
