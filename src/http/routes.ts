import { registerAlertRuleRoutes } from '../domain/alert-rules/routes.ts';
import { registerAlertRoutes } from '../domain/alerts/routes.ts';
import { registerAuthRoutes } from '../domain/auth/routes.ts';
import { registerChangeRoutes } from '../domain/changes/routes.ts';
import { registerCheckRoutes } from '../domain/checks/routes.ts';
import { registerConfigRoutes } from '../domain/config/routes.ts';
import { registerContactRoutes } from '../domain/contacts/routes.ts';
import { registerEscalationPolicyRoutes } from '../domain/escalation-policies/routes.ts';
import { registerHeartbeatRoutes } from '../domain/heartbeats/routes.ts';
import { registerIncidentRoutes } from '../domain/incidents/routes.ts';
import { registerMaintenanceRoutes } from '../domain/maintenance/routes.ts';
import { registerNotificationRoutes } from '../domain/notifications/routes.ts';
import { registerInboundAckRoutes } from '../domain/paging/inbound-ack-routes.ts';
import { registerPagingRoutes } from '../domain/paging/routes.ts';
import { registerPlanRoutes } from '../domain/plans/routes.ts';
import { registerScheduleRoutes } from '../domain/schedules/routes.ts';
import { registerServiceRoutes } from '../domain/services/routes.ts';
import { registerUserRoutes } from '../domain/users/routes.ts';
import { registerVendorStatusRoutes } from '../domain/vendor-status/routes.ts';
import { registerWorkflowRoutes } from '../domain/workflows/routes.ts';
import { attachSmtpReceiver } from '../integrations/email-in/attach.ts';
import { registerInboundRoutes } from '../integrations/inbound/routes.ts';
import type { App, AppDeps } from './server.ts';

// Every concept's routes, registered in one place.
export async function registerRoutes(app: App, deps: AppDeps): Promise<void> {
  registerUserRoutes(app);
  registerContactRoutes(app);
  registerPlanRoutes(app);
  registerConfigRoutes(app);
  registerIncidentRoutes(app);
  registerWorkflowRoutes(app);
  registerServiceRoutes(app, deps);
  registerAlertRoutes(app);
  registerAlertRuleRoutes(app);
  registerMaintenanceRoutes(app);
  registerInboundRoutes(app, deps);
  registerHeartbeatRoutes(app);
  registerChangeRoutes(app);
  registerCheckRoutes(app);
  registerVendorStatusRoutes(app);
  registerNotificationRoutes(app);
  registerEscalationPolicyRoutes(app);
  registerPagingRoutes(app);
  registerInboundAckRoutes(app, deps);
  registerScheduleRoutes(app, deps);
  attachSmtpReceiver(app, deps);
  registerAuthRoutes(app, deps);
}
