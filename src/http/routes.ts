import { registerActionApprovalRoutes } from '../domain/action-approvals/routes.ts';
import { registerActionItemRoutes } from '../domain/action-items/routes.ts';
import { registerAlertRuleRoutes } from '../domain/alert-rules/routes.ts';
import { registerAlertRoutes } from '../domain/alerts/routes.ts';
import { registerChangeRoutes } from '../domain/changes/routes.ts';
import { registerCheckRoutes } from '../domain/checks/routes.ts';
import { registerConfigRoutes } from '../domain/config/routes.ts';
import { registerContactRoutes } from '../domain/contacts/routes.ts';
import { registerEscalationPolicyRoutes } from '../domain/escalation-policies/routes.ts';
import { registerExerciseRoutes } from '../domain/exercises/routes.ts';
import { registerHeartbeatRoutes } from '../domain/heartbeats/routes.ts';
import { registerInboxRoutes } from '../domain/inbox/routes.ts';
import type { IncidentListCache } from '../domain/incidents/list-cache.ts';
import { registerIncidentRoutes } from '../domain/incidents/routes.ts';
import { registerMaintenanceRoutes } from '../domain/maintenance/routes.ts';
import { registerNotificationRoutes } from '../domain/notifications/routes.ts';
import { registerInboundAckRoutes } from '../domain/paging/inbound-ack-routes.ts';
import { registerPagingRoutes } from '../domain/paging/routes.ts';
import { registerPlanRoutes } from '../domain/plans/routes.ts';
import { registerPostmortemRoutes } from '../domain/postmortems/routes.ts';
import { registerReportRoutes } from '../domain/reports/routes.ts';
import { registerScheduleRoutes } from '../domain/schedules/routes.ts';
import { registerServiceRoutes } from '../domain/services/routes.ts';
import { registerStatusPageRoutes } from '../domain/status-page/public-routes.ts';
import { registerStatusPageAdminRoutes } from '../domain/status-page/routes.ts';
import { registerSubscriberRoutes } from '../domain/subscribers/routes.ts';
import { registerUpdateRoutes } from '../domain/updates/routes.ts';
import { registerUserRoutes } from '../domain/users/routes.ts';
import { registerVendorStatusRoutes } from '../domain/vendor-status/routes.ts';
import { registerWorkflowRoutes } from '../domain/workflows/routes.ts';
import { attachSmtpReceiver } from '../integrations/email-in/attach.ts';
import type { InboundEndpoints } from '../integrations/inbound/endpoints.ts';
import { registerInboundRoutes } from '../integrations/inbound/routes.ts';
import { registerAuthRoutes } from './auth-routes.ts';
import { registerDrillRoutes } from './drill-routes.ts';
import { registerEventStream } from './event-stream.ts';
import type { App, AppDeps } from './server.ts';

// Every concept's routes, registered in one place.
/** Returns the inbound alert endpoints, which the lean path in front of Fastify serves too. */
export async function registerRoutes(
  app: App,
  deps: AppDeps,
  listCache?: IncidentListCache,
): Promise<{ inbound: InboundEndpoints }> {
  registerUserRoutes(app);
  registerContactRoutes(app);
  registerInboxRoutes(app);
  registerPlanRoutes(app);
  registerConfigRoutes(app);
  registerIncidentRoutes(app, { listCache });
  registerPostmortemRoutes(app);
  registerActionItemRoutes(app);
  registerReportRoutes(app);
  registerExerciseRoutes(app);
  registerWorkflowRoutes(app);
  registerServiceRoutes(app, deps);
  registerAlertRoutes(app);
  registerAlertRuleRoutes(app);
  registerMaintenanceRoutes(app);
  const inbound = registerInboundRoutes(app, deps);
  registerHeartbeatRoutes(app);
  registerChangeRoutes(app);
  registerCheckRoutes(app);
  registerVendorStatusRoutes(app);
  registerNotificationRoutes(app);
  registerEscalationPolicyRoutes(app);
  registerPagingRoutes(app);
  registerInboundAckRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  registerStatusPageRoutes(app, deps);
  registerStatusPageAdminRoutes(app);
  registerUpdateRoutes(app);
  registerActionApprovalRoutes(app);
  registerSubscriberRoutes(app);
  attachSmtpReceiver(app, deps);
  registerAuthRoutes(app, deps);
  registerEventStream(app, deps);
  registerDrillRoutes(app, deps);
  return { inbound };
}
