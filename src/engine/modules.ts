import { prometheusUrl } from '../domain/verification/prometheus.ts';
import { PlanCache } from '../domain/workflows/plan-cache.ts';
import { providersFromEnv } from '../notify/providers/from-env.ts';
import type { ProviderRegistry } from '../notify/providers/provider.ts';
import { actionItemRemindersModule } from './action-item-reminders.ts';
import { alertAutoResolveModule } from './alert-auto-resolve.ts';
import { alertRulesModule } from './alert-rules.ts';
import { auditorModule } from './auditor.ts';
import type { EngineModule } from './engine.ts';
import { escalationsModule } from './escalations.ts';
import { exercisesModule } from './exercises.ts';
import { heartbeatsModule } from './heartbeats.ts';
import { httpChecksModule } from './http-checks.ts';
import { outboxModule } from './outbox.ts';
import { scheduleHandoffsModule } from './schedule-handoffs.ts';
import { statusPageMaintenanceModule } from './status-page-maintenance.ts';
import { vendorStatusModule } from './vendor-status.ts';
import { verificationModule } from './verification.ts';
import { workflowEventsModule } from './workflow-events.ts';
import { workflowTimersModule } from './workflow-timers.ts';

export interface EngineModuleOptions {
  /** Deliver queued notifications (default true); drills run without it: nothing leaves the drill. */
  deliver?: boolean | undefined;
  /** Who delivers (default: the providers the environment configures); tests pass recording ones. */
  providers?: ProviderRegistry | undefined;
}

// Every engine module, in the order a tick runs them. Each issue adds its own here.
export function engineModules(options: EngineModuleOptions = {}): EngineModule[] {
  const plans = new PlanCache();
  const providers = options.deliver === false ? undefined : (options.providers ?? providersFromEnv());
  const delivery = providers ? [outboxModule({ providers })] : [];
  const prometheus = prometheusUrl();
  return [
    // Alert sources first: an alert a silent heartbeat raises (or an auto-resolve) is acted on by the
    // modules after them in the same pass.
    heartbeatsModule(),
    alertAutoResolveModule(),
    // Probes only claim what is due here; their requests run after the tick and record their alerts
    // when they answer (src/domain/checks/probes.ts), for the next pass to act on.
    httpChecksModule(),
    vendorStatusModule(),
    // Verification queries Prometheus (when configured); a breach it records moves the incident back
    // and is an event the workflows below react to (the commander is told).
    ...(prometheus ? [verificationModule({ prometheusUrl: prometheus })] : []),
    // Alerts to incidents after the sources (an alert resolved in this pass can self-heal). The
    // incidents it declares have their workflows (their first pages) run in its own transaction; the
    // workflows below react to everything else in the same pass.
    alertRulesModule(plans),
    // Exercises due declare their incidents here, before the workflows and paging that act on them.
    exercisesModule(),
    // Workflow timers before events: a breach or overdue reminder they record is reacted to by the
    // events module in the same pass.
    workflowTimersModule(plans),
    workflowEventsModule(plans),
    // Paging after the workflows (which start escalations) and before delivery: a first page queued
    // in this pass goes out in it; later steps run when due.
    escalationsModule({ plans }),
    // Handoff notices before delivery, so a notice queued in this pass goes out in it.
    scheduleHandoffsModule(),
    // Overdue action items, before delivery for the same reason.
    actionItemRemindersModule(),
    // Maintenance windows the clock opens or closes, before delivery so subscribers hear in this pass.
    statusPageMaintenanceModule(),
    // Delivery last: messages the workflows queued in this pass go out in it.
    ...delivery,
    // The auditor watches the pipeline above it (a drill delivers nothing, so it has nothing to watch).
    ...(providers ? [auditorModule({ deliverable: [...providers.keys()] })] : []),
  ];
}
